// Router CLI parsers against real output (captured from BIRD 2.0.12, FRR 8.4.4 and GoBGP 3.10
// in this project's lab, trimmed to the parts that matter).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseBirdImportStats, parseBirdNeighborCapabilities } from '../../src/routers/bird-parse.js';
import { parseFrrNeighborCapabilities } from '../../src/routers/frr-parse.js';
import { parseGobgpNeighborCapabilities } from '../../src/routers/gobgp-parse.js';
import {
  parseBirdProtocols,
  parseBirdRoutes,
  parseFrrNeighbors,
  parseFrrPrefixDetail,
  parseFrrTablePrefixes,
  parseGobgpNeighbors,
  parseGobgpRib,
} from '../../src/routers/index.js';

const birdProtocols = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
device1    Device     ---        up     01:10:31.226  
kernel4    Kernel     master4    up     01:10:31.226  
n1         BGP        ---        up     01:10:33.397  Established   
n2         BGP        ---        start  01:10:31.226  Active        Socket: Connection refused
n3         BGP        ---        start  01:10:31.226  Idle          
`;

const birdRoutes = `BIRD 2.0.12 ready.
Table master4:
192.0.2.0/24         unicast [direct1 01:10:31.227] * (240)
\tdev eth0
\tType: device univ
203.0.113.7/32       unicast [n1 01:10:33.402] * (100) [AS64512i]
\tvia 192.0.2.11 on eth0
\tType: BGP univ
\tBGP.origin: IGP
\tBGP.as_path: 64512
\tBGP.next_hop: 192.0.2.11
\tBGP.local_pref: 100
\tBGP.community: (64512,7) (64512,8)
\tBGP.large_community: (4200000000, 1, 2)
                     unicast [n2 01:10:33.403] (100) [AS64512i]
\tvia 192.0.2.12 on eth0
\tType: BGP univ
\tBGP.origin: IGP
\tBGP.as_path: 64512 4200000001
\tBGP.next_hop: 192.0.2.12
\tBGP.med: 10
\tBGP.local_pref: 250
2001:db8:5::/64      unicast [n1v6 01:10:33.406] * (100) [AS64512i]
\tvia 2001:db8::11 on eth0
\tType: BGP univ
\tBGP.origin: IGP
\tBGP.as_path: 64512
\tBGP.next_hop: 2001:db8::11 fe80::ff:fe00:b
\tBGP.local_pref: 100
`;

const frrNeighbors = JSON.stringify({ '192.0.2.11': { bgpState: 'Established' }, '2001:db8::11': { bgpState: 'Active' }, '192.0.2.13': { bgpState: 'OpenSent' } });
const frrTable = '{"vrfId":0,"routes":{"203.0.113.7/32":[{"valid":true}],"203.0.113.8/32":[{"valid":true}]}}';
const frrDetail = JSON.stringify({
  prefix: '203.0.113.7/32',
  paths: [
    {
      aspath: { string: '64512', segments: [{ type: 'as-sequence', list: [64512] }], length: 1 },
      origin: 'IGP',
      valid: true,
      multipath: true,
      locPrf: 250,
      community: { string: '64512:7', list: ['64512:7'] },
      largeCommunity: { string: '4200000000:1:2', list: ['4200000000:1:2'] },
      nexthops: [{ ip: '192.0.2.12', afi: 'ipv4', used: true }],
      peer: { peerId: '192.0.2.12', routerId: '192.0.2.12', type: 'external' },
    },
    {
      aspath: { string: '', segments: [], length: 0 },
      origin: 'incomplete',
      valid: true,
      metric: 5,
      nexthops: [{ ip: '2001:db8::11', afi: 'ipv6', scope: 'global' }, { ip: 'fe80::ff:fe00:b', afi: 'ipv6', scope: 'link-local', used: true }],
      peer: { peerId: '2001:db8::11' },
    },
  ],
});

const gobgpNeighbors = '[{"conf":{"local_asn":64500,"neighbor_address":"192.0.2.11","peer_asn":64512,"type":1},"state":{"session_state":6}},{"conf":{"neighbor_address":"192.0.2.12"},"state":{"session_state":3}},{"conf":{"neighbor_address":"192.0.2.13"},"state":{}}]';
const gobgpRib =
  '{"203.0.113.7/32":[{"nlri":{"prefix":"203.0.113.7/32"},"best":true,"attrs":[{"type":1,"value":0},{"type":2,"as_paths":[{"segment_type":2,"num":1,"asns":[64512]}]},{"type":3,"nexthop":"192.0.2.11"},{"type":5,"value":250},{"type":8,"communities":[4227858439]},{"type":32,"value":[{"ASN":4200000000,"LocalData1":1,"LocalData2":2}]}],"neighbor-ip":"192.0.2.11"}],' +
  '"2001:db8:5::/64":[{"nlri":{"prefix":"2001:db8:5::/64"},"best":false,"attrs":[{"type":1,"value":2},{"type":2,"as_paths":[]},{"type":4,"metric":7},{"type":14,"nexthop":"2001:db8::11","afi":2,"safi":1}],"neighbor-ip":"2001:db8::11"}]}';

// Received-capability fixtures (fixtures/<router>-caps-*), whole and untrimmed: the router's view
// of our speaker (test/src/bgp/speaker-child.ts) from BIRD 2.0.12 `birdc show protocols all
// <name>`, FRR 8.4.4 `show bgp neighbors <address> json` and GoBGP 3.10 `gobgp neighbor <address>
// -j`. e4: eBGP, IPv4 session carrying IPv4 and IPv6, no graceful restart. i4-gr: iBGP with
// enableGracefulRestart (the router has only IPv4 configured there; we offer both families).
// connect: a configured neighbour that never answered.
const fixtureDir = new URL('../../../test/routers/fixtures/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, fixtureDir), 'utf8');
const mp4 = 'mp-ipv4-unicast';
const mp6 = 'mp-ipv6-unicast';

const base = { origin: 'igp', localPref: undefined, med: undefined, communities: [], largeCommunities: [] };

const birdProtocolsAll = `BIRD 2.0.12 ready.
Name       Proto      Table      State  Since         Info
direct1    Direct     ---        up     11:01:14.391
  Channel ipv4
    Route change stats:     received   rejected   filtered    ignored   accepted
      Import updates:              1          0          0          0          1
      Import withdraws:            0          0        ---          0          0

n1r1       BGP        ---        up     11:01:15.301  Established
  BGP state:          Established
    Neighbor address: 192.0.2.11
  Channel ipv4
    Route change stats:     received   rejected   filtered    ignored   accepted
      Import updates:             12          0          0          0         12
      Import withdraws:            2          0        ---          0          2
      Export updates:              5          3          2        ---          0
  Channel ipv6
    Route change stats:     received   rejected   filtered    ignored   accepted
      Import updates:            300          0          0          0        300
      Import withdraws:           40          0        ---          0         40

n2r1       BGP        ---        start  11:01:14.391  Active        Socket: Connection refused
`;

describe('router CLI parsers', () => {
  it('birdc show protocols all: import updates and withdraws received per BGP protocol, over its channels', () => {
    assert.deepEqual(
      [...parseBirdImportStats(birdProtocolsAll)],
      [
        ['n1r1', { updates: 312, withdraws: 42 }],
        ['n2r1', { updates: 0, withdraws: 0 }],
      ],
    );
  });

  const sessionCases: { desc: string; got: () => unknown; want: unknown }[] = [
    {
      desc: 'birdc show protocols: BGP rows and their state',
      got: () => parseBirdProtocols(birdProtocols).map((s) => [s.peer, s.state]),
      want: [['n1', 'established'], ['n2', 'active'], ['n3', 'idle']],
    },
    { desc: 'vtysh show bgp neighbors json', got: () => parseFrrNeighbors(frrNeighbors).map((s) => [s.peer, s.state]), want: [['192.0.2.11', 'established'], ['2001:db8::11', 'active'], ['192.0.2.13', 'opensent']] },
    { desc: 'gobgp neighbor -j (numeric states)', got: () => parseGobgpNeighbors(gobgpNeighbors).map((s) => [s.peer, s.state]), want: [['192.0.2.11', 'established'], ['192.0.2.12', 'active'], ['192.0.2.13', 'other']] },
    { desc: 'vtysh table json: the prefixes', got: () => parseFrrTablePrefixes(frrTable), want: ['203.0.113.7/32', '203.0.113.8/32'] },
  ];
  for (const c of sessionCases) it(c.desc, () => assert.deepEqual(c.got(), c.want));

  it('birdc show route all: one entry per BGP path, device routes skipped', () => {
    assert.deepEqual(parseBirdRoutes(birdRoutes), [
      { ...base, prefix: '203.0.113.7/32', nextHops: ['192.0.2.11'], asPath: [64512], localPref: 100, communities: ['64512:7', '64512:8'], largeCommunities: ['4200000000:1:2'], from: 'n1', best: true },
      { ...base, prefix: '203.0.113.7/32', nextHops: ['192.0.2.12'], asPath: [64512, 4200000001], localPref: 250, med: 10, from: 'n2', best: false },
      { ...base, prefix: '2001:db8:5::/64', nextHops: ['2001:db8::11', 'fe80::ff:fe00:b'], asPath: [64512], localPref: 100, from: 'n1v6', best: true },
    ]);
  });

  it('vtysh show bgp <prefix> json: paths with attributes', () => {
    assert.deepEqual(parseFrrPrefixDetail('203.0.113.7/32', frrDetail), [
      { ...base, prefix: '203.0.113.7/32', nextHops: ['192.0.2.12'], asPath: [64512], localPref: 250, communities: ['64512:7'], largeCommunities: ['4200000000:1:2'], from: '192.0.2.12', best: true },
      { ...base, prefix: '203.0.113.7/32', nextHops: ['2001:db8::11', 'fe80::ff:fe00:b'], asPath: [], origin: 'incomplete', med: 5, from: '2001:db8::11', best: false },
    ]);
  });

  it('gobgp global rib -j: attributes by type code', () => {
    assert.deepEqual(parseGobgpRib(gobgpRib), [
      { ...base, prefix: '203.0.113.7/32', nextHops: ['192.0.2.11'], asPath: [64512], localPref: 250, communities: ['64512:7'], largeCommunities: ['4200000000:1:2'], from: '192.0.2.11', best: true },
      { ...base, prefix: '2001:db8:5::/64', nextHops: ['2001:db8::11'], asPath: [], origin: 'incomplete', med: 7, from: '2001:db8::11', best: false },
    ]);
  });

  describe('received capabilities, from real output', () => {
    it('finds its fixtures', () => {
      assert.equal(readdirSync(fixtureDir).filter((f) => /^(bird|frr|gobgp)-caps-/.test(f)).length, 9);
    });

    const cases: { desc: string; parse: (out: string) => string[]; input: string; want: string[] }[] = [
      { desc: 'birdc show protocols all: eBGP, two families, no GR', parse: parseBirdNeighborCapabilities, input: 'bird-caps-e4.txt', want: ['4-octet-as', mp4, mp6, 'route-refresh'] },
      { desc: 'birdc show protocols all: iBGP with graceful restart', parse: parseBirdNeighborCapabilities, input: 'bird-caps-i4-gr.txt', want: ['4-octet-as', 'graceful-restart', mp4, mp6, 'route-refresh'] },
      { desc: 'birdc show protocols all: not up, no capabilities block', parse: parseBirdNeighborCapabilities, input: 'bird-caps-connect.txt', want: [] },
      // FRR advertises GR, LLGR, enhanced refresh, extended message, add-path, hostname: "advertised" alone is not counted.
      { desc: 'vtysh neighbors json: eBGP, two families, no GR', parse: parseFrrNeighborCapabilities, input: 'frr-caps-e4.json', want: ['4-octet-as', mp4, mp6, 'route-refresh'] },
      { desc: 'vtysh neighbors json: iBGP with GR ("gracefulRestart"), IPv6 "received" only', parse: parseFrrNeighborCapabilities, input: 'frr-caps-i4-gr.json', want: ['4-octet-as', 'graceful-restart', mp4, mp6, 'route-refresh'] },
      { desc: 'vtysh neighbors json: not up, no neighborCapabilities', parse: parseFrrNeighborCapabilities, input: 'frr-caps-connect.json', want: [] },
      // GoBGP's local_cap (fqdn, extended-nexthop) is what it sent: not counted.
      { desc: 'gobgp neighbor -j: remote_cap, eBGP, no GR', parse: parseGobgpNeighborCapabilities, input: 'gobgp-caps-e4.json', want: ['4-octet-as', mp4, mp6, 'route-refresh'] },
      { desc: 'gobgp neighbor -j: remote_cap, iBGP with GR', parse: parseGobgpNeighborCapabilities, input: 'gobgp-caps-i4-gr.json', want: ['4-octet-as', 'graceful-restart', mp4, mp6, 'route-refresh'] },
      { desc: 'gobgp neighbor -j: not up, no remote_cap', parse: parseGobgpNeighborCapabilities, input: 'gobgp-caps-connect.json', want: [] },
    ];
    for (const c of cases) it(c.desc, () => assert.deepEqual(c.parse(fixture(c.input)), c.want));

    // Forms the fixtures do not show (from the routers' sources), normalised the same way.
    const forms: { desc: string; parse: (out: string) => string[]; input: string; want: string[] }[] = [
      {
        desc: 'bird: details under a capability are not capabilities; other names in kebab-case',
        parse: parseBirdNeighborCapabilities,
        input: ['    Neighbor capabilities', '      Multiprotocol', '        AF announced: ipv4-mc', '      Graceful restart', '        Restart time: 120', '        AF supported: ipv4', '      Enhanced refresh', '      ADD-PATH', '        RX: ipv4', '      Hostname: r1', '    Session:          internal'].join('\n'),
        want: ['add-path', 'enhanced-route-refresh', 'fqdn', 'graceful-restart', 'mp-ipv4-multicast'],
      },
      {
        desc: 'frr: route refresh old and new, add-path received, hostname received, GR only advertised',
        parse: parseFrrNeighborCapabilities,
        input: JSON.stringify({ '192.0.2.11': { neighborCapabilities: { routeRefresh: 'advertisedAndReceivedOldNew', addPath: { ipv4Unicast: { rxAdvertised: true, txReceived: true } }, hostName: { advHostName: 'r', rcvHostName: 'n1' }, gracefulRestartCapability: 'advertised', dynamic: 'received', multiprotocolExtensions: { ipv4Unicast: { advertised: true } } } } }),
        want: ['add-path', 'dynamic', 'fqdn', 'route-refresh'],
      },
      {
        desc: 'gobgp: other capability types in kebab-case, families decoded',
        parse: parseGobgpNeighborCapabilities,
        input: JSON.stringify({ state: { remote_cap: [{ type_url: 'type.googleapis.com/apipb.EnhancedRouteRefreshCapability' }, { type_url: 'type.googleapis.com/apipb.LongLivedGracefulRestartCapability' }, { type_url: 'type.googleapis.com/apipb.MultiProtocolCapability', value: Buffer.from([0x0a, 0x04, 0x08, 0x01, 0x10, 0x02]).toString('base64') }], local_cap: [{ type_url: 'type.googleapis.com/apipb.GracefulRestartCapability' }] } }),
        want: ['enhanced-route-refresh', 'long-lived-graceful-restart', 'mp-ipv4-multicast'],
      },
    ];
    for (const c of forms) it(c.desc, () => assert.deepEqual(c.parse(c.input), c.want));
  });
});
