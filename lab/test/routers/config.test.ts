import assert from 'node:assert/strict';
import { birdConfig, frrBgpdConfig, gobgpConfig, type RouterSpec } from '../../src/routers/index.js';

const spec: RouterSpec = {
  ns: 'unused',
  routerId: '192.0.2.1',
  asn: 64500,
  kernel: true,
  originate: ['198.51.100.128/25'],
  peers: [
    { name: 'n1', address: '192.0.2.11', asn: 4200000001, password: 'pw', ttlSecurity: true, families: [4, 6] },
    { name: 'n2', address: '2001:db8::12', asn: 64500, multihop: true, localAddress: '2001:db8::1' },
  ],
};

describe('router config generators', () => {
  const cases: { desc: string; text: () => string; want: string[] }[] = [
    {
      desc: 'BIRD: peers, short timers, MD5, multihop, ECMP kernel export, static origination',
      text: () => birdConfig(spec),
      want: ['router id 192.0.2.1;', 'neighbor 192.0.2.11 as 4200000001;', 'password "pw";', 'multihop;', 'local 2001:db8::1 as 64500;', 'merge paths on;', 'error wait time 1, 5; connect delay time 1;', 'hold time 3; keepalive time 1;', 'route 198.51.100.128/25 blackhole;', '  ipv6 { import all; export filter', 'ttl security on;'],
    },
    {
      desc: 'FRR: no eBGP policy requirement, multipath, per-family activation, password, multihop',
      text: () => frrBgpdConfig(spec),
      want: [' no bgp ebgp-requires-policy', ' no bgp default ipv4-unicast', '  maximum-paths 8', ' neighbor 192.0.2.11 password pw', ' neighbor 2001:db8::12 ebgp-multihop 255', ' neighbor 2001:db8::12 update-source 2001:db8::1', ' timers bgp 1 3', '  network 198.51.100.128/25 route-map HERALD-ORIGINATE', ' neighbor 192.0.2.11 ttl-security hops 1'],
    },
    {
      desc: 'GoBGP: neighbors with timers, password, multihop and families',
      text: () => gobgpConfig(spec),
      want: ['  as = 64500', '    neighbor-address = "192.0.2.11"', '    auth-password = "pw"', '    hold-time = 3', '    multihop-ttl = 255', '      afi-safi-name = "ipv6-unicast"', '    local-address = "2001:db8::1"', '    ttl-min = 255'],
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const t = c.text();
      for (const w of c.want) assert.ok(t.includes(w), `missing ${JSON.stringify(w)} in:\n${t}`);
    });
  }

  it('FRR: a peer with families [4, 6] is activated in both address families', () => {
    const t = frrBgpdConfig(spec);
    const v6 = t.slice(t.indexOf('address-family ipv6 unicast'));
    assert.ok(v6.includes('  neighbor 192.0.2.11 activate'), t);
  });

  it('FRR: the route-map is defined before router bgp uses it', () => {
    const t = frrBgpdConfig(spec);
    assert.ok(t.indexOf('route-map HERALD-ORIGINATE permit 10') < t.indexOf('router bgp'));
  });
});
