import assert from 'node:assert/strict';
import { IP, Prefix } from '@herald/shared';
import { UpdatePacker, decodeMessage, packAll, prefixWireLength, type PackKind, type PathAttributes, type UpdateMessage } from '../../../src/wire/bgp/index.js';
import { frame } from './helpers.js';

const ctx = { fourOctetAs: true };
const attrs: PathAttributes = { origin: 0, asPath: [{ type: 'sequence', asns: [64512] }], communities: [{ type: 'standard', asn: 64512, value: 7 }] };
const nh4 = [IP.parse('192.0.2.11')];
const nh6 = [IP.parse('2001:db8::11'), IP.parse('fe80::11')];

/** n prefixes of mixed lengths: IPv4 /24../32 in 198.51.100.0/24 and 203.0.113.0/24; IPv6 /48../128 in 2001:db8::/32. */
function prefixes(family: 4 | 6, n: number): Prefix[] {
  const out: Prefix[] = [];
  if (family === 4) {
    for (const base of [0xc6336400n, 0xcb007100n]) {
      for (let len = 32; len >= 24; len--) for (let i = 0n; i < 1n << BigInt(len - 24); i++) out.push(Prefix.of(IP.fromBigInt(4, base + (i << BigInt(32 - len))), len));
    }
  } else {
    const lens = [128, 64, 56, 48, 127, 120];
    for (let i = 0; out.length < n; i++) out.push(Prefix.of(IP.fromBigInt(6, (0x20010db8n << 96n) + (BigInt(i) << 80n) + BigInt(i)), lens[i % lens.length]!));
  }
  return out.slice(0, n);
}

function decoded(b: Buffer): UpdateMessage {
  const m = decodeMessage(b, ctx);
  if (m.type !== 'update') throw new Error('not an UPDATE');
  assert.equal(m.treatAsWithdraw, undefined);
  return m;
}

const carried = (m: UpdateMessage) => [...m.nlri, ...m.withdrawn, ...(m.attributes.mpReach?.nlri ?? []), ...(m.attributes.mpUnreach?.withdrawn ?? [])];

const cases: { desc: string; kind: PackKind; n: number; check: (m: UpdateMessage) => void }[] = [
  {
    desc: 'IPv4 announcements: NLRI field, NEXT_HOP, the attributes',
    kind: { type: 'announce', family: 4, attrs, nextHops: nh4 },
    n: 1022,
    check: (m) => {
      assert.equal(m.attributes.nextHop?.toString(), '192.0.2.11');
      assert.deepEqual(m.attributes.communities, attrs.communities);
      assert.equal(m.attributes.mpReach, undefined);
    },
  },
  {
    desc: 'IPv6 announcements: MP_REACH_NLRI with global and link-local next hops',
    kind: { type: 'announce', family: 6, attrs, nextHops: nh6 },
    n: 3000,
    check: (m) => {
      assert.deepEqual(m.attributes.mpReach?.nextHops.map(String), ['2001:db8::11', 'fe80::11']);
      assert.equal(m.nlri.length, 0);
    },
  },
  { desc: 'IPv4 withdrawals: the withdrawn routes field, no attributes', kind: { type: 'withdraw', family: 4 }, n: 1022, check: (m) => assert.deepEqual(Object.keys(m.attributes), []) },
  { desc: 'IPv6 withdrawals: MP_UNREACH_NLRI only', kind: { type: 'withdraw', family: 6 }, n: 3000, check: (m) => assert.deepEqual(Object.keys(m.attributes), ['mpUnreach']) },
];

describe('bgp update packer', () => {
  for (const c of cases) {
    it(`${c.desc}; every message but the last is full`, () => {
      const ps = prefixes(c.kind.family, c.n);
      assert.equal(ps.length, c.n);
      const bufs = packAll(c.kind, ps, ctx);
      const ms = bufs.map(decoded);
      assert.deepEqual(ms.flatMap(carried).map(String), ps.map(String), 'every prefix once, in order');
      let at = 0;
      bufs.forEach((b, i) => {
        assert.ok(b.length <= 4096, `message ${i}: ${b.length} bytes`);
        at += carried(ms[i]!).length;
        // Full: the next prefix would not have fitted (within the one byte an MP attribute's
        // extended length may take).
        if (i < bufs.length - 1) assert.ok(b.length + prefixWireLength(ps[at]!) > 4096 - 1, `message ${i} has room: ${b.length} bytes, next needs ${prefixWireLength(ps[at]!)}`);
        c.check(ms[i]!);
      });
    });
  }

  it('golden bytes: two IPv4 /32s with NEXT_HOP, from the packer, equal a hand-built UPDATE', () => {
    const pk = new UpdatePacker({ type: 'announce', family: 4, attrs: { origin: 0, asPath: [{ type: 'sequence', asns: [64512] }] }, nextHops: nh4 }, ctx);
    for (const p of ['203.0.113.1/32', '203.0.113.2/32']) pk.add(Prefix.parse(p));
    const want = frame(
      2,
      [
        '0000', // no withdrawn routes
        '0014', // 20 bytes of attributes
        '40 01 01 00', // ORIGIN IGP
        '40 02 06 02 01 0000fc00', // AS_PATH: one AS_SEQUENCE of 64512 (4 bytes)
        '40 03 04 c000020b', // NEXT_HOP 192.0.2.11
        '20 cb007101 20 cb007102', // NLRI
      ].join(''),
    );
    assert.equal(pk.finish().toString('hex'), want.toString('hex'));
    assert.equal(pk.count, 0, 'finish starts an empty message');
  });

  it('golden bytes: an IPv6 withdrawal in MP_UNREACH_NLRI', () => {
    const pk = new UpdatePacker({ type: 'withdraw', family: 6 }, ctx);
    pk.add(Prefix.parse('2001:db8:1::/48'));
    assert.equal(pk.finish().toString('hex'), frame(2, '0000 000d 80 0f 0a 0002 01 30 20010db80001').toString('hex'));
  });

  it('refuses a prefix of the other family', () => {
    const pk = new UpdatePacker({ type: 'withdraw', family: 4 }, ctx);
    assert.throws(() => pk.add(Prefix.parse('2001:db8::/64')), RangeError);
  });
});
