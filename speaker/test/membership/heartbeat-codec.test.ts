import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import {
  decodeHeartbeat,
  encodeHeartbeat,
  HeartbeatEncodeError,
  MAX_MESSAGE_BYTES,
  MIN_MESSAGE_BYTES,
  MTU_PAYLOAD_BYTES,
  type HeartbeatDecodeError,
  type HeartbeatMessage,
} from '../../src/membership/heartbeat-codec.js';
import { MemberIndex, setBit, toHeardField, type HeardField } from '../../src/membership/heard-set.js';

const key = Buffer.from('0123456789abcdef0123456789abcdef');
const otherKey = Buffer.from('fedcba9876543210fedcba9876543210');

// Independent builder: writes the layout from the spec in the codec's header comment, byte by
// byte, and signs with node:crypto directly. It shares no code with the codec.
type GoldenHeard =
  | { enc: 'bitmap'; digest: string; members: number; bits: number[]; extra?: string[] }
  | { enc: 'hashes'; digest: string; hashes: string[]; extra?: string[] };

function golden(f: {
  version?: number;
  type: number;
  flags?: number;
  incarnation: string; // 16 hex digits
  seq: number;
  sentUs: string; // 16 hex digits, microseconds
  from: string;
  heard: GoldenHeard;
  to?: string;
  toIncarnation?: string;
  /** Claim / released address list: each entry is [family byte, ...address bytes]. */
  ips?: number[][];
  signWith?: Buffer;
}): Buffer {
  const bytes: number[] = [0x48, 0x42, f.version ?? 2, f.type, f.flags ?? 0];
  const hex = (h: string): void => {
    for (let i = 0; i < h.length; i += 2) bytes.push(parseInt(h.slice(i, i + 2), 16));
  };
  const str = (s: string): void => {
    bytes.push(s.length);
    for (const ch of s) bytes.push(ch.charCodeAt(0));
  };
  const u16 = (n: number): void => void bytes.push(n >> 8, n & 0xff);
  hex(f.incarnation);
  bytes.push((f.seq >>> 24) & 0xff, (f.seq >>> 16) & 0xff, (f.seq >>> 8) & 0xff, f.seq & 0xff);
  hex(f.sentUs);
  str(f.from);
  hex(f.heard.digest);
  if (f.heard.enc === 'bitmap') {
    bytes.push(0);
    u16(f.heard.members);
    bytes.push(...f.heard.bits);
  } else {
    bytes.push(1);
    u16(f.heard.hashes.length);
    for (const h of f.heard.hashes) hex(h);
  }
  const extra = f.heard.extra ?? [];
  bytes.push(extra.length);
  for (const e of extra) str(e);
  if (f.to !== undefined) {
    str(f.to);
    hex(f.toIncarnation ?? '0000000000000000');
  }
  if (f.ips !== undefined) {
    u16(f.ips.length);
    for (const ip of f.ips) bytes.push(...ip);
  }
  const body = Buffer.from(bytes);
  return Buffer.concat([body, createHmac('sha256', f.signWith ?? key).update(body).digest()]);
}

const bitmap = (digest: bigint, members: number, bits: number[], extra: string[] = []): HeardField =>
  ({ type: 'bitmap', digest, members, bits: Uint8Array.from(bits), extra });

const hb: HeartbeatMessage = {
  type: 'heartbeat',
  from: 'node1',
  incarnation: 0x0102030405060708n,
  seq: 0x0a0b0c0d,
  sentAtMs: 0x1234 / 1000,
  fenced: false,
  handover: false,
  // 11 members, the 2nd and the 11th heard (MSB first), plus one speaker outside the set.
  heard: bitmap(0x1122334455667788n, 11, [0x40, 0x20], ['node3.example']),
};
const hbHeard: GoldenHeard = { enc: 'bitmap', digest: '1122334455667788', members: 11, bits: [0x40, 0x20], extra: ['node3.example'] };
const none: GoldenHeard = { enc: 'bitmap', digest: '0000000000000000', members: 0, bits: [] };

describe('membership/heartbeat-codec', () => {
  describe('golden bytes (independent builder) and round trip', () => {
    const cases: { desc: string; input: HeartbeatMessage; want: Buffer }[] = [
      {
        desc: 'heartbeat, bitmap over 11 members and one speaker outside the set',
        input: hb,
        want: golden({ type: 1, incarnation: '0102030405060708', seq: 0x0a0b0c0d, sentUs: '0000000000001234', from: 'node1', heard: hbHeard }),
      },
      {
        desc: 'fenced heartbeat hearing nobody (empty member set)',
        input: { ...hb, fenced: true, heard: bitmap(0n, 0, []), seq: 0 },
        want: golden({ type: 1, flags: 1, incarnation: '0102030405060708', seq: 0, sentUs: '0000000000001234', from: 'node1', heard: none }),
      },
      {
        desc: 'heartbeat with 64-bit name hashes',
        input: { ...hb, heard: { type: 'hashes', digest: 0xffn, hashes: [1n, 0xfedcba9876543210n], extra: [] } },
        want: golden({
          type: 1, incarnation: '0102030405060708', seq: 0x0a0b0c0d, sentUs: '0000000000001234', from: 'node1',
          heard: { enc: 'hashes', digest: '00000000000000ff', hashes: ['0000000000000001', 'fedcba9876543210'] },
        }),
      },
      {
        desc: 'leaving, with a send time in microseconds',
        input: { ...hb, type: 'leaving', seq: 7, sentAtMs: 1_700_000_000_123.456 },
        want: golden({ type: 2, incarnation: '0102030405060708', seq: 7, sentUs: '00060a2418202240', from: 'node1', heard: hbHeard }),
      },
      {
        desc: 'announced carries the leaver and its incarnation',
        input: { ...hb, type: 'announced', from: 'node2', to: 'node1', toIncarnation: 0xffffffffffffffffn },
        want: golden({
          type: 3, incarnation: '0102030405060708', seq: 0x0a0b0c0d, sentUs: '0000000000001234', from: 'node2', heard: hbHeard,
          to: 'node1', toIncarnation: 'ffffffffffffffff',
        }),
      },
      {
        desc: 'claim (handover flag) of one IPv4 and one IPv6 address',
        input: { ...hb, type: 'claim', handover: true, ips: [Uint8Array.from([192, 0, 2, 200]), Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 0x01])] },
        want: golden({
          type: 4, flags: 2, incarnation: '0102030405060708', seq: 0x0a0b0c0d, sentUs: '0000000000001234', from: 'node1', heard: hbHeard,
          ips: [[4, 192, 0, 2, 200], [6, 0x20, 0x01, 0x0d, 0xb8, ...Array<number>(11).fill(0), 0x01]],
        }),
      },
      {
        desc: 'released names the claimer and its incarnation, then the addresses; fenced and handover flags together',
        input: { ...hb, type: 'released', fenced: true, handover: true, from: 'node2', to: 'node1', toIncarnation: 5n, ips: [Uint8Array.from([198, 51, 100, 7])] },
        want: golden({
          type: 5, flags: 3, incarnation: '0102030405060708', seq: 0x0a0b0c0d, sentUs: '0000000000001234', from: 'node2', heard: hbHeard,
          to: 'node1', toIncarnation: '0000000000000005', ips: [[4, 198, 51, 100, 7]],
        }),
      },
    ];
    for (const c of cases) {
      it(c.desc, () => {
        const got = encodeHeartbeat(c.input, [key]);
        assert.equal(got.toString('hex'), c.want.toString('hex'));
        const back = decodeHeartbeat(c.want, [key]);
        assert.deepEqual(back, { ok: true, msg: c.input });
      });
    }
  });

  describe('size: one datagram at 100 members with 30-character names', () => {
    const names = Array.from({ length: 100 }, (_, i) => `node-${String(i).padStart(3, '0')}.rack-07.example.net`.slice(0, 30));
    const index = new MemberIndex(names);
    const all = new Uint8Array(13);
    for (let i = 0; i < 100; i++) setBit(all, i);
    const cases = [
      { desc: 'bitmap (member sets agree)', input: 'bitmap' as const, want: 200 },
      { desc: 'hashes (member sets disagree)', input: 'hashes' as const, want: 1000 },
    ];
    for (const c of cases) {
      it(`${c.desc}: under ${c.want} bytes, within the ${MTU_PAYLOAD_BYTES}-byte MTU payload`, () => {
        const buf = encodeHeartbeat({ ...hb, from: names[0]!, heard: toHeardField(index, all, [], c.input) }, [key]);
        assert.ok(buf.length < c.want && buf.length <= MTU_PAYLOAD_BYTES, `${buf.length} bytes`);
        assert.equal(decodeHeartbeat(buf, [key]).ok, true);
      });
    }
  });

  describe('key rotation', () => {
    it('verifies with any configured key', () => {
      const buf = encodeHeartbeat(hb, [otherKey]);
      assert.equal(decodeHeartbeat(buf, [key, otherKey]).ok, true);
    });
  });

  describe('rejects malformed or unauthenticated input with a typed error', () => {
    const base = { type: 1, incarnation: '0102030405060708', seq: 1, sentUs: '0000000000000001', from: 'node1', heard: none };
    const good = golden({ ...base, heard: { enc: 'bitmap', digest: '0000000000000001', members: 3, bits: [0x40] } });
    // Offset of the heard section: 26 fixed + 1 + 5 ("node1") = 31; digest 8, encoding at 39, count at 40-41.
    const flip = (b: Buffer, i: number): Buffer => {
      const c = Buffer.from(b);
      c[i] = (c[i] ?? 0) ^ 0x01;
      return c;
    };
    const cases: { desc: string; input: Uint8Array; want: HeartbeatDecodeError['type'] }[] = [
      { desc: 'empty', input: Buffer.alloc(0), want: 'truncated' },
      { desc: 'shorter than the minimum', input: good.subarray(0, MIN_MESSAGE_BYTES - 1), want: 'truncated' },
      { desc: 'oversize', input: Buffer.alloc(MAX_MESSAGE_BYTES + 1), want: 'oversize' },
      { desc: 'wrong key', input: golden({ ...base, signWith: otherKey }), want: 'bad-mac' },
      { desc: 'a flipped body bit', input: flip(good, 14), want: 'bad-mac' },
      { desc: 'a flipped MAC bit', input: flip(good, good.length - 1), want: 'bad-mac' },
      { desc: 'truncated by one byte (MAC no longer matches)', input: good.subarray(0, good.length - 1), want: 'bad-mac' },
      { desc: 'bad magic, correctly signed', input: resign(good, (b) => (b[0] = 0x00)), want: 'bad-magic' },
      { desc: 'version 1 (names on the wire), correctly signed', input: golden({ ...base, version: 1 }), want: 'bad-version' },
      { desc: 'unknown type, correctly signed', input: golden({ ...base, type: 9 }), want: 'bad-type' },
      { desc: 'uppercase node name', input: golden({ ...base, from: 'Node1' }), want: 'bad-name' },
      { desc: 'bad extra name', input: golden({ ...base, heard: { ...none, extra: ['-x'] } }), want: 'bad-name' },
      { desc: 'unknown heard encoding', input: resign(good, (b) => (b[39] = 7)), want: 'bad-heard' },
      { desc: 'bitmap padding bits set', input: golden({ ...base, heard: { enc: 'bitmap', digest: '0000000000000001', members: 3, bits: [0x41] } }), want: 'bad-heard' },
      { desc: 'bitmap member count larger than the bitmap', input: resign(good, (b) => (b[41] = 200)), want: 'truncated' },
      {
        desc: 'hashes not strictly ascending',
        input: golden({ ...base, heard: { enc: 'hashes', digest: '0000000000000001', hashes: ['0000000000000002', '0000000000000002'] } }),
        want: 'bad-heard',
      },
      { desc: 'hash count beyond the message, correctly signed', input: resign(golden({ ...base, heard: { enc: 'hashes', digest: '0000000000000001', hashes: [] } }), (b) => b.fill(0xff, 40, 42)), want: 'truncated' },
      { desc: 'send time beyond 2^53', input: golden({ ...base, sentUs: 'ffffffffffffffff' }), want: 'bad-time' },
      { desc: 'trailing bytes, correctly signed', input: resignAppend(good, [0, 0]), want: 'trailing-bytes' },
      { desc: 'announced without its target', input: golden({ ...base, type: 3 }), want: 'truncated' },
      { desc: 'claim with an empty address list', input: golden({ ...base, type: 4, ips: [] }), want: 'bad-ips' },
      { desc: 'claim with an address of family 5', input: golden({ ...base, type: 4, ips: [[5, 1, 2, 3, 4]] }), want: 'bad-ips' },
      // The address count sits after the empty heard section: 31 + 8 digest + 1 enc + 2 count + 1 extra = 43.
      { desc: 'claim whose count runs past the message, correctly signed', input: resign(golden({ ...base, type: 4, ips: [[4, 192, 0, 2, 1]] }), (b) => b.fill(0xff, 43, 45)), want: 'truncated' },
      { desc: 'claim with a short IPv6 address', input: golden({ ...base, type: 4, ips: [[6, 0x20, 0x01]] }), want: 'truncated' },
      { desc: 'released without its address list', input: golden({ ...base, type: 5, to: 'node2', toIncarnation: '0000000000000001' }), want: 'truncated' },
    ];
    for (const c of cases) {
      it(c.desc, () => {
        const got = decodeHeartbeat(c.input, [key]);
        assert.equal(got.ok, false);
        if (!got.ok) assert.equal(got.error.type, c.want);
      });
    }
  });

  it('every truncation of a valid message is rejected, never thrown', () => {
    const good = encodeHeartbeat(hb, [key]);
    let checked = 0;
    for (let n = 0; n < good.length; n++) {
      const got = decodeHeartbeat(good.subarray(0, n), [key]);
      assert.equal(got.ok, false, `prefix of ${n} bytes accepted`);
      checked++;
    }
    assert.equal(checked, good.length);
  });

  describe('random mutations never throw (10,000 inputs each, with the MAC re-signed so the parser runs)', () => {
    const inputs: { desc: string; input: HeartbeatMessage }[] = [
      { desc: 'announced, bitmap', input: { ...hb, type: 'announced', to: 'node9', toIncarnation: 5n } },
      { desc: 'released, two addresses', input: { ...hb, type: 'released', handover: true, to: 'node9', toIncarnation: 5n, ips: [Uint8Array.from([192, 0, 2, 1]), new Uint8Array(16)] } },
      { desc: 'heartbeat, hashes', input: { ...hb, heard: { type: 'hashes', digest: 9n, hashes: [3n, 5n, 1n << 63n], extra: ['a', 'b.c'] } } },
    ];
    for (const c of inputs) {
      it(c.desc, () => {
        const good = encodeHeartbeat(c.input, [key]);
        let seed = 12345;
        const rnd = (n: number): number => {
          seed = (seed * 1103515245 + 12345) & 0x7fffffff;
          return seed % n;
        };
        let rejected = 0;
        let accepted = 0;
        for (let i = 0; i < 10_000; i++) {
          const body = Buffer.from(good.subarray(0, good.length - 32));
          for (let k = 0; k <= rnd(4); k++) body[rnd(body.length)] = rnd(256);
          const cut = body.subarray(0, body.length - rnd(3));
          const signed = Buffer.concat([cut, createHmac('sha256', key).update(cut).digest()]);
          const got = decodeHeartbeat(signed, [key]);
          if (got.ok) accepted++;
          else rejected++;
        }
        assert.ok(rejected > 0 && accepted > 0, `rejected ${rejected}, accepted ${accepted}: the fuzz loop is not exercising the parser`);
      });
    }
  });

  describe('encode refuses bad input', () => {
    const cases: { desc: string; input: HeartbeatMessage }[] = [
      { desc: 'bad sender name', input: { ...hb, from: 'Node_1' } },
      { desc: 'negative seq', input: { ...hb, seq: -1 } },
      { desc: 'seq beyond u32', input: { ...hb, seq: 2 ** 32 } },
      { desc: 'incarnation beyond u64', input: { ...hb, incarnation: 1n << 64n } },
      { desc: 'bitmap of the wrong length', input: { ...hb, heard: bitmap(1n, 11, [0]) } },
      { desc: 'bitmap padding bits set', input: { ...hb, heard: bitmap(1n, 11, [0, 0x01]) } },
      { desc: 'hashes not ascending', input: { ...hb, heard: { type: 'hashes', digest: 1n, hashes: [5n, 3n], extra: [] } } },
      { desc: 'bad extra name', input: { ...hb, heard: bitmap(1n, 0, [], ['Bad']) } },
      { desc: 'message too large', input: { ...hb, heard: { type: 'hashes', digest: 1n, hashes: Array.from({ length: 1100 }, (_, i) => BigInt(i + 1)), extra: [] } } },
    ];
    for (const c of cases) it(c.desc, () => assert.throws(() => encodeHeartbeat(c.input, [key]), HeartbeatEncodeError));
  });
});

function resign(signed: Buffer, edit: (b: Buffer) => void): Buffer {
  const body = Buffer.from(signed.subarray(0, signed.length - 32));
  edit(body);
  return Buffer.concat([body, createHmac('sha256', key).update(body).digest()]);
}

function resignAppend(signed: Buffer, extra: number[]): Buffer {
  const body = Buffer.concat([signed.subarray(0, signed.length - 32), Buffer.from(extra)]);
  return Buffer.concat([body, createHmac('sha256', key).update(body).digest()]);
}
