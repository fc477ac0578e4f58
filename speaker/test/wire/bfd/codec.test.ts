// The BFD control packet codec: round trips against bytes written out by hand from RFC 5880
// §4.1's figure, and every §6.8.6 stateless reception check as a table of (bytes, reason).
import assert from 'node:assert/strict';
import { decodeControl, encodeControl, parseControl, type ControlPacket, type DropType } from '../../../src/wire/bfd/index.js';

const base: ControlPacket = {
  diag: 0,
  state: 'down',
  poll: false,
  final: false,
  controlPlaneIndependent: false,
  demand: false,
  detectMult: 3,
  myDiscriminator: 0x01020304,
  yourDiscriminator: 0,
  desiredMinTxUs: 1_000_000,
  requiredMinRxUs: 300_000,
  requiredMinEchoRxUs: 0,
};

/** An independent builder: the header from its fields, written the way the RFC's figure reads. */
function hdr(o: { vers?: number; diag?: number; sta: number; flags?: string; mult?: number; len?: number; my: number; your: number; tx: number; rx: number; echo?: number }): string {
  const f = o.flags ?? '';
  const bits = (f.includes('P') ? 32 : 0) | (f.includes('F') ? 16 : 0) | (f.includes('C') ? 8 : 0) | (f.includes('A') ? 4 : 0) | (f.includes('D') ? 2 : 0) | (f.includes('M') ? 1 : 0);
  const h = (n: number, w: number): string => n.toString(16).padStart(w, '0');
  return h(((o.vers ?? 1) << 5) | (o.diag ?? 0), 2) + h((o.sta << 6) | bits, 2) + h(o.mult ?? 3, 2) + h(o.len ?? 24, 2) + h(o.my, 8) + h(o.your, 8) + h(o.tx, 8) + h(o.rx, 8) + h(o.echo ?? 0, 8);
}

const roundTrips: { desc: string; packet: ControlPacket; hex: string }[] = [
  { desc: 'Down, slow start, no remote discriminator', packet: base, hex: hdr({ sta: 1, my: 0x01020304, your: 0, tx: 1_000_000, rx: 300_000 }) },
  {
    desc: 'Up with Poll, diag 3, C bit',
    packet: { ...base, state: 'up', poll: true, controlPlaneIndependent: true, diag: 3, yourDiscriminator: 0xfffffffe, desiredMinTxUs: 300_000 },
    hex: hdr({ sta: 3, diag: 3, flags: 'PC', my: 0x01020304, your: 0xfffffffe, tx: 300_000, rx: 300_000 }),
  },
  { desc: 'Init with Final, detect mult 255', packet: { ...base, state: 'init', final: true, detectMult: 255, yourDiscriminator: 7 }, hex: hdr({ sta: 2, flags: 'F', mult: 255, my: 0x01020304, your: 7, tx: 1_000_000, rx: 300_000 }) },
  { desc: 'AdminDown, diag 7', packet: { ...base, state: 'admin-down', diag: 7 }, hex: hdr({ sta: 0, diag: 7, my: 0x01020304, your: 0, tx: 1_000_000, rx: 300_000 }) },
  { desc: 'demand bit and echo interval', packet: { ...base, demand: true, requiredMinEchoRxUs: 50_000 }, hex: hdr({ sta: 1, flags: 'D', my: 0x01020304, your: 0, tx: 1_000_000, rx: 300_000, echo: 50_000 }) },
  {
    desc: 'simple password auth (RFC 5880 §4.2)',
    packet: { ...base, auth: { type: 'simple-password', keyId: 9, password: Buffer.from('herald') } },
    hex: hdr({ sta: 1, flags: 'A', len: 33, my: 0x01020304, your: 0, tx: 1_000_000, rx: 300_000 }) + '0109' + '09' + Buffer.from('herald').toString('hex'),
  },
  {
    desc: 'keyed SHA1 auth (RFC 5880 §4.4)',
    packet: { ...base, auth: { type: 'keyed-sha1', keyId: 1, sequence: 0x11223344, digest: Buffer.alloc(20, 0xab) } },
    hex: hdr({ sta: 1, flags: 'A', len: 52, my: 0x01020304, your: 0, tx: 1_000_000, rx: 300_000 }) + '041c0100' + '11223344' + 'ab'.repeat(20),
  },
  {
    desc: 'meticulous keyed MD5 auth (RFC 5880 §4.3)',
    packet: { ...base, auth: { type: 'meticulous-keyed-md5', keyId: 2, sequence: 5, digest: Buffer.alloc(16, 0xcd) } },
    hex: hdr({ sta: 1, flags: 'A', len: 48, my: 0x01020304, your: 0, tx: 1_000_000, rx: 300_000 }) + '03180200' + '00000005' + 'cd'.repeat(16),
  },
];

const good = hdr({ sta: 3, my: 1, your: 2, tx: 300_000, rx: 300_000 });
const malformed: { desc: string; hex: string; want: DropType }[] = [
  { desc: 'empty', hex: '', want: 'truncated' },
  { desc: 'shorter than the header', hex: good.slice(0, 40), want: 'bad-length' },
  { desc: 'version 0', hex: hdr({ vers: 0, sta: 3, my: 1, your: 2, tx: 1, rx: 1 }), want: 'bad-version' },
  { desc: 'version 2', hex: hdr({ vers: 2, sta: 3, my: 1, your: 2, tx: 1, rx: 1 }), want: 'bad-version' },
  { desc: 'length field 23', hex: hdr({ sta: 3, len: 23, my: 1, your: 2, tx: 1, rx: 1 }), want: 'bad-length' },
  { desc: 'length field longer than the datagram', hex: hdr({ sta: 3, len: 25, my: 1, your: 2, tx: 1, rx: 1 }), want: 'bad-length' },
  { desc: 'A bit with length 24 (no room for auth)', hex: hdr({ sta: 3, flags: 'A', my: 1, your: 2, tx: 1, rx: 1 }), want: 'bad-length' },
  { desc: 'detect multiplier 0', hex: hdr({ sta: 3, mult: 0, my: 1, your: 2, tx: 1, rx: 1 }), want: 'zero-detect-mult' },
  { desc: 'multipoint bit', hex: hdr({ sta: 3, flags: 'M', my: 1, your: 2, tx: 1, rx: 1 }), want: 'multipoint' },
  { desc: 'my discriminator 0', hex: hdr({ sta: 1, my: 0, your: 0, tx: 1, rx: 1 }), want: 'zero-my-discriminator' },
  { desc: 'your discriminator 0 in Up', hex: hdr({ sta: 3, my: 1, your: 0, tx: 1, rx: 1 }), want: 'zero-your-discriminator' },
  { desc: 'your discriminator 0 in Init', hex: hdr({ sta: 2, my: 1, your: 0, tx: 1, rx: 1 }), want: 'zero-your-discriminator' },
  { desc: 'auth length disagrees with the Length field', hex: hdr({ sta: 1, flags: 'A', len: 28, my: 1, your: 0, tx: 1, rx: 1 }) + '01050161', want: 'bad-auth' },
  { desc: 'unknown auth type 9', hex: hdr({ sta: 1, flags: 'A', len: 28, my: 1, your: 0, tx: 1, rx: 1 }) + '09040100', want: 'bad-auth' },
  { desc: 'simple password of 0 bytes', hex: hdr({ sta: 1, flags: 'A', len: 27, my: 1, your: 0, tx: 1, rx: 1 }) + '010301', want: 'bad-auth' },
  { desc: 'keyed MD5 section too short', hex: hdr({ sta: 1, flags: 'A', len: 32, my: 1, your: 0, tx: 1, rx: 1 }) + '0208010000000001', want: 'bad-auth' },
];

describe('bfd codec: control packet round trip (RFC 5880 §4.1)', () => {
  for (const c of roundTrips) {
    it(c.desc, () => {
      assert.equal(encodeControl(c.packet).toString('hex'), c.hex);
      assert.deepEqual(decodeControl(Buffer.from(c.hex, 'hex')), c.packet);
    });
  }

  it('ignores bytes after the Length field (padding)', () => {
    assert.deepEqual(decodeControl(Buffer.from(good + '0000', 'hex')).yourDiscriminator, 2);
  });

  it('refuses to encode what cannot be on the wire', () => {
    assert.throws(() => encodeControl({ ...base, detectMult: 0 }), RangeError);
    assert.throws(() => encodeControl({ ...base, diag: 32 }), RangeError);
    assert.throws(() => encodeControl({ ...base, desiredMinTxUs: 2 ** 32 }), RangeError);
  });
});

describe('bfd codec: RFC 5880 §6.8.6 reception checks drop with a reason', () => {
  for (const c of malformed) {
    it(`${c.desc} -> ${c.want}`, () => {
      const r = parseControl(Buffer.from(c.hex, 'hex'));
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.reason.type, c.want);
    });
  }
});
