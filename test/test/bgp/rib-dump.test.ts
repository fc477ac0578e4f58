// The FRR whole-table parser against real output: FRR 8.4.4 (`show bgp ipv4|ipv6 unicast json
// detail`), captured with our speaker announcing five prefixes over an IPv4 session and the router
// originating one per family itself (fixtures/frr-*-json-detail.json). BIRD's per-session counters
// against BIRD 2.0.12's `show protocols all` (fixtures/bird-2.0.12-show-protocols-all.txt), captured
// with our speaker on two sessions announcing 3 IPv4 and 2 IPv6 prefixes, then withdrawing 1 IPv4.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseBirdImportCounts, parseFrrDetailTable } from '../../src/bgp/rib-dump.js';

const fixture = (name: string) => readFileSync(fileURLToPath(new URL(`../../../test/bgp/fixtures/${name}`, import.meta.url)), 'utf8');

const cases: { desc: string; file: string; peer: string; want: Record<string, { nextHops: string[]; communities: string[] }> }[] = [
  {
    desc: 'IPv4: our three prefixes with their communities and next hop; the router\'s own route is not from the peer',
    file: 'frr-ipv4-unicast-json-detail.json',
    peer: '192.0.2.11',
    want: {
      '198.51.100.7/32': { nextHops: ['192.0.2.11'], communities: [] },
      '203.0.113.1/32': { nextHops: ['192.0.2.11'], communities: ['64512:1'] },
      '203.0.113.64/26': { nextHops: ['192.0.2.11'], communities: ['64512:1', '64512:2'] },
    },
  },
  {
    desc: 'IPv6 over the IPv4 session: global then link-local next hop',
    file: 'frr-ipv6-unicast-json-detail.json',
    peer: '192.0.2.11',
    want: {
      '2001:db8:100::1/128': { nextHops: ['2001:db8::11', 'fe80::ff:fe00:b'], communities: ['64512:2'] },
      '2001:db8:200::/64': { nextHops: ['2001:db8::11', 'fe80::ff:fe00:b'], communities: [] },
    },
  },
  { desc: 'another peer address: nothing', file: 'frr-ipv4-unicast-json-detail.json', peer: '192.0.2.12', want: {} },
];

describe('rib dump: FRR json detail, parsed', () => {
  for (const c of cases) {
    it(c.desc, () => {
      const got = parseFrrDetailTable(fixture(c.file), c.peer);
      assert.deepEqual(Object.fromEntries([...got].map(([p, r]) => [p, { nextHops: [...r.nextHops], communities: [...r.communities] }])), c.want);
    });
  }
});

describe('rib dump: BIRD show protocols all, import counters', () => {
  it('per BGP protocol, updates plus withdrawals received over both channels; the direct protocol not counted', () => {
    const got = parseBirdImportCounts(fixture('bird-2.0.12-show-protocols-all.txt'));
    assert.deepEqual(Object.fromEntries(got), { n1r1: 6, n1r2: 6 });
  });
});
