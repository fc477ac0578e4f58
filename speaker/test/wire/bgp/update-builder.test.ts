import assert from 'node:assert/strict';
import { IP, Prefix } from '@herald/shared';
import { BgpFramer, buildAnnouncements, buildWithdrawals, decodeMessage, type PathAttributes } from '../../../src/wire/bgp/index.js';

const ctx = { fourOctetAs: true };
const attrsA: PathAttributes = { origin: 0, asPath: [{ type: 'sequence', asns: [64512] }] };
const attrsB: PathAttributes = { origin: 0, asPath: [{ type: 'sequence', asns: [64512] }], communities: [{ type: 'standard', asn: 64512, value: 1 }] };
const nh4 = [IP.parse('192.0.2.11')];
const nh6 = [IP.parse('2001:db8::11')];

function v4s(n: number): Prefix[] {
  return Array.from({ length: n }, (_, i) => Prefix.of(IP.fromBigInt(4, 0xc6336400n + BigInt(i % 256) + (BigInt(i >> 8) << 16n)), 32));
}
function v6s(n: number): Prefix[] {
  return Array.from({ length: n }, (_, i) => Prefix.of(IP.fromBigInt(6, (0x20010db8n << 96n) + BigInt(i)), 128));
}

function decodeAll(bufs: Buffer[]) {
  return bufs.map((b) => {
    assert.ok(b.length <= 4096, `message of ${b.length} bytes`);
    const m = decodeMessage(b, ctx);
    assert.equal(m.type, 'update');
    if (m.type !== 'update') throw new Error('not an update');
    assert.equal(m.treatAsWithdraw, undefined);
    return m;
  });
}

const cases: { desc: string; groups: { attrs: PathAttributes; nextHops: IP[]; prefixes: Prefix[] }[]; wantMessages: number; wantPrefixes: number }[] = [
  { desc: 'two groups with equal attributes (distinct objects) share one UPDATE', groups: [{ attrs: attrsA, nextHops: nh4, prefixes: v4s(2) }, { attrs: { ...attrsA }, nextHops: nh4, prefixes: v4s(3).slice(2) }], wantMessages: 1, wantPrefixes: 3 },
  { desc: 'different communities need two UPDATEs', groups: [{ attrs: attrsA, nextHops: nh4, prefixes: v4s(1) }, { attrs: attrsB, nextHops: nh4, prefixes: v4s(2).slice(1) }], wantMessages: 2, wantPrefixes: 2 },
  { desc: '2000 IPv4 /32s fill UPDATEs up to 4096 bytes', groups: [{ attrs: attrsA, nextHops: nh4, prefixes: v4s(2000) }], wantMessages: 3, wantPrefixes: 2000 },
  { desc: '1000 IPv6 /128s go in MP_REACH, several UPDATEs', groups: [{ attrs: attrsA, nextHops: nh6, prefixes: v6s(1000) }], wantMessages: 5, wantPrefixes: 1000 },
];

describe('bgp update builder', () => {
  for (const c of cases) {
    it(c.desc, () => {
      const ms = decodeAll(buildAnnouncements(c.groups, ctx));
      assert.equal(ms.length, c.wantMessages);
      const got = ms.flatMap((m) => [...m.nlri, ...(m.attributes.mpReach?.nlri ?? [])]);
      assert.equal(got.length, c.wantPrefixes);
      assert.deepEqual(new Set(got.map(String)), new Set(c.groups.flatMap((g) => g.prefixes.map(String))));
    });
  }

  it('withdrawals: IPv4 in the withdrawn field, IPv6 in MP_UNREACH, all under 4096 bytes', () => {
    const ms = decodeAll(buildWithdrawals([...v4s(1500), ...v6s(500)], ctx));
    const w4 = ms.flatMap((m) => m.withdrawn);
    const w6 = ms.flatMap((m) => m.attributes.mpUnreach?.withdrawn ?? []);
    assert.equal(w4.length, 1500);
    assert.equal(w6.length, 500);
  });

  it('the built stream goes through the framer intact', () => {
    const bufs = buildAnnouncements([{ attrs: attrsA, nextHops: nh4, prefixes: v4s(3000) }], ctx);
    const f = new BgpFramer();
    assert.equal(f.push(Buffer.concat(bufs)).length, bufs.length);
  });
});
