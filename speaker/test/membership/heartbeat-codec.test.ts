import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import {
  decodeHeartbeat,
  encodeHeartbeat,
  HeartbeatEncodeError,
  MAX_MESSAGE_BYTES,
  MIN_MESSAGE_BYTES,
  type HeartbeatDecodeError,
  type HeartbeatMessage,
} from '../../src/membership/heartbeat-codec.js';

const key = Buffer.from('0123456789abcdef0123456789abcdef');
const otherKey = Buffer.from('fedcba9876543210fedcba9876543210');

// Independent builder: writes the layout from the spec in the codec's header comment, byte by
// byte, and signs with node:crypto directly. It shares no code with the codec.
function golden(f: {
  version?: number;
  type: number;
  flags?: number;
  incarnation: string; // 16 hex digits
  seq: number;
  sent: string; // 16 hex digits
  from: string;
  heard: string[];
  to?: string;
  toIncarnation?: string;
  signWith?: Buffer;
}): Buffer {
  const bytes: number[] = [0x48, 0x42, f.version ?? 1, f.type, f.flags ?? 0];
  const hex = (h: string): void => {
    for (let i = 0; i < h.length; i += 2) bytes.push(parseInt(h.slice(i, i + 2), 16));
  };
  const str = (s: string): void => {
    bytes.push(s.length);
    for (const ch of s) bytes.push(ch.charCodeAt(0));
  };
  hex(f.incarnation);
  bytes.push((f.seq >>> 24) & 0xff, (f.seq >>> 16) & 0xff, (f.seq >>> 8) & 0xff, f.seq & 0xff);
  hex(f.sent);
  str(f.from);
  bytes.push(f.heard.length >> 8, f.heard.length & 0xff);
  for (const h of f.heard) str(h);
  if (f.to !== undefined) {
    str(f.to);
    hex(f.toIncarnation ?? '0000000000000000');
  }
  const body = Buffer.from(bytes);
  return Buffer.concat([body, createHmac('sha256', f.signWith ?? key).update(body).digest()]);
}

const hb: HeartbeatMessage = {
  type: 'heartbeat',
  from: 'node1',
  incarnation: 0x0102030405060708n,
  seq: 0x0a0b0c0d,
  sentAtMs: 0x1234,
  fenced: false,
  heard: ['node2', 'node3.example'],
};

describe('membership/heartbeat-codec', () => {
  describe('golden bytes (independent builder) and round trip', () => {
    const cases: { desc: string; input: HeartbeatMessage; want: Buffer }[] = [
      {
        desc: 'heartbeat with two heard peers',
        input: hb,
        want: golden({ type: 1, incarnation: '0102030405060708', seq: 0x0a0b0c0d, sent: '0000000000001234', from: 'node1', heard: ['node2', 'node3.example'] }),
      },
      {
        desc: 'fenced heartbeat hearing nobody',
        input: { ...hb, fenced: true, heard: [], seq: 0 },
        want: golden({ type: 1, flags: 1, incarnation: '0102030405060708', seq: 0, sent: '0000000000001234', from: 'node1', heard: [] }),
      },
      {
        desc: 'leaving',
        input: { ...hb, type: 'leaving', seq: 7, sentAtMs: 1_700_000_000_123 },
        want: golden({ type: 2, incarnation: '0102030405060708', seq: 7, sent: '0000018bcfe5687b', from: 'node1', heard: ['node2', 'node3.example'] }),
      },
      {
        desc: 'announced carries the leaver and its incarnation',
        input: { ...hb, type: 'announced', from: 'node2', heard: ['node1'], to: 'node1', toIncarnation: 0xffffffffffffffffn },
        want: golden({
          type: 3, incarnation: '0102030405060708', seq: 0x0a0b0c0d, sent: '0000000000001234', from: 'node2', heard: ['node1'],
          to: 'node1', toIncarnation: 'ffffffffffffffff',
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

  describe('key rotation', () => {
    it('verifies with any configured key', () => {
      const buf = encodeHeartbeat(hb, [otherKey]);
      assert.equal(decodeHeartbeat(buf, [key, otherKey]).ok, true);
    });
  });

  describe('rejects malformed or unauthenticated input with a typed error', () => {
    const good = golden({ type: 1, incarnation: '0102030405060708', seq: 1, sent: '0000000000000001', from: 'node1', heard: ['node2'] });
    const flip = (b: Buffer, i: number): Buffer => {
      const c = Buffer.from(b);
      c[i] = (c[i] ?? 0) ^ 0x01;
      return c;
    };
    const cases: { desc: string; input: Uint8Array; want: HeartbeatDecodeError['type'] }[] = [
      { desc: 'empty', input: Buffer.alloc(0), want: 'truncated' },
      { desc: 'shorter than the minimum', input: good.subarray(0, MIN_MESSAGE_BYTES - 1), want: 'truncated' },
      { desc: 'oversize', input: Buffer.alloc(MAX_MESSAGE_BYTES + 1), want: 'oversize' },
      { desc: 'wrong key', input: golden({ type: 1, incarnation: '0102030405060708', seq: 1, sent: '0000000000000001', from: 'node1', heard: [], signWith: otherKey }), want: 'bad-mac' },
      { desc: 'a flipped body bit', input: flip(good, 14), want: 'bad-mac' },
      { desc: 'a flipped MAC bit', input: flip(good, good.length - 1), want: 'bad-mac' },
      { desc: 'truncated by one byte (MAC no longer matches)', input: good.subarray(0, good.length - 1), want: 'bad-mac' },
      { desc: 'bad magic, correctly signed', input: resign(good, (b) => (b[0] = 0x00)), want: 'bad-magic' },
      { desc: 'unknown version, correctly signed', input: golden({ version: 2, type: 1, incarnation: '0102030405060708', seq: 1, sent: '0000000000000001', from: 'node1', heard: [] }), want: 'bad-version' },
      { desc: 'unknown type, correctly signed', input: golden({ type: 9, incarnation: '0102030405060708', seq: 1, sent: '0000000000000001', from: 'node1', heard: [] }), want: 'bad-type' },
      { desc: 'uppercase node name', input: golden({ type: 1, incarnation: '0102030405060708', seq: 1, sent: '0000000000000001', from: 'Node1', heard: [] }), want: 'bad-name' },
      { desc: 'bad heard name', input: golden({ type: 1, incarnation: '0102030405060708', seq: 1, sent: '0000000000000001', from: 'node1', heard: ['-x'] }), want: 'bad-name' },
      { desc: 'heard count larger than the list, correctly signed', input: resign(good, (b) => (b[32] = 5)), want: 'truncated' },
      { desc: 'send time beyond 2^53', input: golden({ type: 1, incarnation: '0102030405060708', seq: 1, sent: 'ffffffffffffffff', from: 'node1', heard: [] }), want: 'bad-time' },
      { desc: 'trailing bytes, correctly signed', input: resignAppend(good, [0, 0]), want: 'trailing-bytes' },
      { desc: 'announced without its target', input: golden({ type: 3, incarnation: '0102030405060708', seq: 1, sent: '0000000000000001', from: 'node1', heard: [] }), want: 'truncated' },
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

  it('random mutations never throw (10,000 inputs, with the MAC re-signed so the parser runs)', () => {
    const good = encodeHeartbeat({ ...hb, type: 'announced', to: 'node9', toIncarnation: 5n }, [key]);
    let seed = 12345;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let rejected = 0;
    for (let i = 0; i < 10_000; i++) {
      const body = Buffer.from(good.subarray(0, good.length - 32));
      for (let k = 0; k <= rnd(4); k++) body[rnd(body.length)] = rnd(256);
      const cut = body.subarray(0, body.length - rnd(3));
      const signed = Buffer.concat([cut, createHmac('sha256', key).update(cut).digest()]);
      const got = decodeHeartbeat(signed, [key]);
      if (!got.ok) rejected++;
    }
    assert.ok(rejected > 0, 'no mutation was rejected: the fuzz loop is not exercising the parser');
  });

  describe('encode refuses bad input', () => {
    const cases: { desc: string; input: HeartbeatMessage }[] = [
      { desc: 'bad sender name', input: { ...hb, from: 'Node_1' } },
      { desc: 'negative seq', input: { ...hb, seq: -1 } },
      { desc: 'seq beyond u32', input: { ...hb, seq: 2 ** 32 } },
      { desc: 'incarnation beyond u64', input: { ...hb, incarnation: 1n << 64n } },
      { desc: 'message too large', input: { ...hb, heard: Array.from({ length: 200 }, (_, i) => `n${i}-${'x'.repeat(40)}`) } },
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
