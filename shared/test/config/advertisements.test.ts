import assert from 'node:assert/strict';
import { configOf, errorsOf, obj, pool, type ErrorCase } from './helpers.js';

const peer = (name: string, asn = 64501): unknown => obj(name, { myASN: 64500, peerASN: asn, peerAddress: `192.0.2.${asn - 64400}` });
const B = (name: string, rest: string): string => `BGPAdvertisement herald-system/${name} ${rest}`;
const L = (name: string, rest: string): string => `L2Advertisement herald-system/${name} ${rest}`;
const v4 = pool('v4', '192.0.2.0/24');
const dual = pool('dual', '198.51.100.0/24', '2001:db8::/64');
const range = pool('rng', '203.0.113.10-203.0.113.20');

describe('parseConfig: BGPAdvertisement', () => {
  const cases: ErrorCase[] = [
    { desc: 'defaults', input: { ipAddressPools: [v4], bgpAdvertisements: [obj('a', {})] }, wantError: [] },
    { desc: 'aggregation equal to the pool prefix', input: { ipAddressPools: [v4], bgpAdvertisements: [obj('a', { aggregationLength: 24 })] }, wantError: [] },
    {
      desc: 'aggregation shorter than the pool prefix',
      input: { ipAddressPools: [v4], bgpAdvertisements: [obj('a', { aggregationLength: 16, ipAddressPools: ['v4'] })] },
      wantError: [B('a', 'spec.aggregationLength: 16 is shorter than the prefix 192.0.2.0/24 of IPAddressPool "v4" spec.addresses[0]: it would advertise addresses outside the pool')],
    },
    {
      desc: 'IPv6 aggregation shorter than the pool prefix',
      input: { ipAddressPools: [dual], bgpAdvertisements: [obj('a', { aggregationLength: 24, aggregationLengthV6: 48 })] },
      wantError: [B('a', 'spec.aggregationLengthV6: 48 is shorter than the prefix 2001:db8::/64 of IPAddressPool "dual" spec.addresses[1]: it would advertise addresses outside the pool')],
    },
    { desc: 'range: aggregation at its widest block (/30)', input: { ipAddressPools: [range], bgpAdvertisements: [obj('a', { aggregationLength: 30 })] }, wantError: [] },
    {
      desc: 'range: aggregation wider than its widest block',
      input: { ipAddressPools: [range], bgpAdvertisements: [obj('a', { aggregationLength: 29 })] },
      wantError: [B('a', 'spec.aggregationLength: 29 is shorter than the prefix 203.0.113.12/30 of IPAddressPool "rng" spec.addresses[0]: it would advertise addresses outside the pool')],
    },
    { desc: 'aggregation out of range', input: { bgpAdvertisements: [obj('a', { aggregationLength: 33 })] }, wantError: [B('a', 'spec.aggregationLength: must be between 0 and 32, not 33')] },
    {
      desc: 'aggregation with serviceSelectors',
      input: { ipAddressPools: [v4], bgpAdvertisements: [obj('a', { aggregationLength: 24, serviceSelectors: [{ matchLabels: { app: 'x' } }] })] },
      wantError: [B('a', 'spec.aggregationLength: must be 32 (no aggregation) when serviceSelectors are set')],
    },
    // localPref.
    { desc: 'same localPref twice', input: { ipAddressPools: [v4], bgpAdvertisements: [obj('a', { localPref: 100 }), obj('b', { localPref: 100 })] }, wantError: [] },
    {
      desc: 'conflicting localPref on one pool',
      input: { ipAddressPools: [v4], bgpAdvertisements: [obj('a', { localPref: 100 }), obj('b', { localPref: 200, ipAddressPools: ['v4'] })] },
      wantError: [B('b', 'spec.localPref: localPref 200 conflicts with localPref 100 of BGPAdvertisement "a" for IPAddressPool "v4"')],
    },
    {
      desc: 'localPref set vs unset on one pool',
      input: { ipAddressPools: [v4], bgpAdvertisements: [obj('a', {}), obj('b', { localPref: 50 })] },
      wantError: [B('b', 'spec.localPref: localPref 50 conflicts with localPref unset of BGPAdvertisement "a" for IPAddressPool "v4"')],
    },
    {
      desc: 'different localPref, different aggregation: allowed',
      input: { ipAddressPools: [v4], bgpAdvertisements: [obj('a', { localPref: 100 }), obj('b', { localPref: 200, aggregationLength: 24 })] },
      wantError: [],
    },
    {
      desc: 'different localPref, disjoint peers: allowed',
      input: { ipAddressPools: [v4], bgpPeers: [peer('p1'), peer('p2', 64502)], bgpAdvertisements: [obj('a', { localPref: 100, peers: ['p1'] }), obj('b', { localPref: 200, peers: ['p2'] })] },
      wantError: [],
    },
    {
      desc: 'different localPref, different pools: allowed',
      input: { ipAddressPools: [v4, dual], bgpAdvertisements: [obj('a', { localPref: 100, ipAddressPools: ['v4'] }), obj('b', { localPref: 200, ipAddressPools: ['dual'] })] },
      wantError: [],
    },
    // Communities.
    {
      desc: 'communities: literal, large, well-known and alias',
      input: {
        communities: [obj('c', { communities: [{ name: 'edge', value: '64500:1' }] })],
        bgpAdvertisements: [obj('a', { communities: ['65000:100', 'large:4200000000:1:2', 'no-export', 'edge'] })],
      },
      wantError: [],
    },
    { desc: 'community half too big', input: { bgpAdvertisements: [obj('a', { communities: ['65536:1'] })] }, wantError: [B('a', 'spec.communities[0]: invalid community "65536:1": each half of AA:NN is a number 0..65535')] },
    { desc: 'large community malformed', input: { bgpAdvertisements: [obj('a', { communities: ['large:1:2'] })] }, wantError: [B('a', 'spec.communities[0]: invalid large community "large:1:2": want large:A:B:C')] },
    {
      desc: 'large community part too big',
      input: { bgpAdvertisements: [obj('a', { communities: ['large:4294967296:1:2'] })] },
      wantError: [B('a', 'spec.communities[0]: invalid large community "large:4294967296:1:2": each part is a number 0..4294967295')],
    },
    { desc: 'unknown alias', input: { bgpAdvertisements: [obj('a', { communities: ['edge'] })] }, wantError: [B('a', 'spec.communities[0]: unknown community alias "edge": no Community object defines it')] },
    {
      desc: 'duplicate community by value',
      input: { bgpAdvertisements: [obj('a', { communities: ['65535:65281', 'no-export'] })] },
      wantError: [B('a', 'spec.communities[1]: duplicate community 65535:65281 (also spec.communities[0])')],
    },
    {
      desc: 'duplicate alias across Community objects',
      input: { communities: [obj('c1', { communities: [{ name: 'edge', value: '1:1' }] }), obj('c2', { communities: [{ name: 'edge', value: '1:2' }] })] },
      wantError: ['Community herald-system/c2 spec.communities[0].name: duplicate community alias "edge": also defined in Community herald-system/c1 spec.communities[0]'],
    },
    {
      desc: 'alias with a bad value',
      input: { communities: [obj('c', { communities: [{ name: 'edge', value: 'edge' }] })] },
      wantError: ['Community herald-system/c spec.communities[0].value: invalid community "edge": want AA:NN or large:A:B:C'],
    },
    // weightByLocalEndpoints (weighted ECMP).
    { desc: 'weightByLocalEndpoints true, no aggregation', input: { ipAddressPools: [dual], bgpAdvertisements: [obj('a', { weightByLocalEndpoints: true })] }, wantError: [] },
    { desc: 'weightByLocalEndpoints not a boolean', input: { bgpAdvertisements: [obj('a', { weightByLocalEndpoints: 'yes' })] }, wantError: [B('a', 'spec.weightByLocalEndpoints: must be true or false, not "yes"')] },
    {
      desc: 'weightByLocalEndpoints with IPv4 aggregation',
      input: { ipAddressPools: [v4], bgpAdvertisements: [obj('a', { weightByLocalEndpoints: true, aggregationLength: 24 })] },
      wantError: [B('a', 'spec.aggregationLength: must be 32 (no aggregation) when weightByLocalEndpoints is true')],
    },
    {
      desc: 'weightByLocalEndpoints with IPv6 aggregation',
      input: { ipAddressPools: [dual], bgpAdvertisements: [obj('a', { weightByLocalEndpoints: true, aggregationLengthV6: 64 })] },
      wantError: [B('a', 'spec.aggregationLengthV6: must be 128 (no aggregation) when weightByLocalEndpoints is true')],
    },
    { desc: 'weightByLocalEndpoints false with aggregation: allowed', input: { ipAddressPools: [v4], bgpAdvertisements: [obj('a', { weightByLocalEndpoints: false, aggregationLength: 24 })] }, wantError: [] },
    // References.
    { desc: 'missing pool', input: { bgpAdvertisements: [obj('a', { ipAddressPools: ['nope'] })] }, wantError: [B('a', 'spec.ipAddressPools[0]: IPAddressPool "nope" does not exist')] },
    { desc: 'missing peer', input: { bgpAdvertisements: [obj('a', { peers: ['r9'] })] }, wantError: [B('a', 'spec.peers[0]: BGPPeer "r9" does not exist')] },
    { desc: 'duplicate pool reference', input: { ipAddressPools: [v4], bgpAdvertisements: [obj('a', { ipAddressPools: ['v4', 'v4'] })] }, wantError: [B('a', 'spec.ipAddressPools[1]: duplicate pool "v4" (also spec.ipAddressPools[0])')] },
  ];
  for (const c of cases) it(c.desc, () => assert.deepEqual(errorsOf(c.input), c.wantError));

  it('resolves pools from names and selectors, and communities to values', () => {
    const cfg = configOf({
      ipAddressPools: [obj('a', { addresses: ['192.0.2.0/28'] }, { tier: 'gold' }), obj('b', { addresses: ['192.0.2.16/28'] }), obj('c', { addresses: ['192.0.2.32/28'] })],
      communities: [obj('cm', { communities: [{ name: 'edge', value: 'large:1:2:3' }] })],
      bgpAdvertisements: [
        obj('x', { ipAddressPools: ['b'], ipAddressPoolSelectors: [{ matchLabels: { tier: 'gold' } }], communities: ['edge', 'no-export'], localPref: 10 }),
        obj('y', { ipAddressPools: ['c'], localPref: 10 }),
        obj('all', { ipAddressPools: [], ipAddressPoolSelectors: [], localPref: 10 }),
      ],
    });
    const byName = new Map(cfg.bgpAdvertisements.map((a) => [a.name, a]));
    assert.deepEqual(cfg.bgpAdvertisements.map((a) => a.name), ['all', 'x', 'y']);
    assert.deepEqual([...byName.get('x')!.pools], ['a', 'b']);
    assert.deepEqual([...byName.get('all')!.pools], ['a', 'b', 'c']);
    assert.deepEqual(byName.get('x')!.communities, [
      { type: 'large', global: 1, local1: 2, local2: 3 },
      { type: 'standard', asn: 65535, value: 65281 },
    ]);
    assert.equal(byName.get('x')!.aggregationLength, 32);
    assert.equal(byName.get('x')!.aggregationLengthV6, 128);
    assert.equal(byName.get('x')!.weightByLocalEndpoints, false, 'weighted ECMP is opt-in');
  });

  it('weightByLocalEndpoints: true reaches the model', () => {
    const cfg = configOf({ ipAddressPools: [v4], bgpAdvertisements: [obj('w', { weightByLocalEndpoints: true })] });
    assert.equal(cfg.bgpAdvertisements[0]!.weightByLocalEndpoints, true);
  });
});

describe('parseConfig: L2Advertisement', () => {
  const cases: ErrorCase[] = [
    { desc: 'empty: every pool', input: { ipAddressPools: [v4], l2Advertisements: [obj('a', {})] }, wantError: [] },
    { desc: 'interfaces', input: { l2Advertisements: [obj('a', { interfaces: ['eth0', 'bond0.100'] })] }, wantError: [] },
    { desc: 'bad interface name', input: { l2Advertisements: [obj('a', { interfaces: ['eth0/1'] })] }, wantError: [L('a', 'spec.interfaces[0]: invalid interface name "eth0/1"')] },
    { desc: 'interface name too long', input: { l2Advertisements: [obj('a', { interfaces: ['a234567890123456'] })] }, wantError: [L('a', 'spec.interfaces[0]: invalid interface name "a234567890123456"')] },
    { desc: 'missing pool', input: { l2Advertisements: [obj('a', { ipAddressPools: ['x'] })] }, wantError: [L('a', 'spec.ipAddressPools[0]: IPAddressPool "x" does not exist')] },
    {
      desc: 'reference to an invalid pool is not also "missing"',
      input: { ipAddressPools: [pool('bad', 'x')], l2Advertisements: [obj('a', { ipAddressPools: ['bad'] })] },
      wantError: ['IPAddressPool herald-system/bad spec.addresses[0]: invalid address range "x": want a CIDR or start-end'],
    },
    {
      desc: 'preferredNodeSelectors weight out of range',
      input: { l2Advertisements: [obj('a', { preferredNodeSelectors: [{ weight: 101, preference: { matchLabels: { zone: 'a' } } }] })] },
      wantError: [L('a', 'spec.preferredNodeSelectors[0].weight: must be between 1 and 100, not 101')],
    },
    {
      desc: 'bad serviceSelectors',
      input: { l2Advertisements: [obj('a', { serviceSelectors: [{ matchExpressions: [{ key: 'app', operator: 'In' }] }] })] },
      wantError: [L('a', 'spec.serviceSelectors[0].matchExpressions[0].values: must not be empty for operator In')],
    },
  ];
  for (const c of cases) it(c.desc, () => assert.deepEqual(errorsOf(c.input), c.wantError));

  it('builds the model', () => {
    const cfg = configOf({
      ipAddressPools: [v4, dual],
      l2Advertisements: [
        obj('a', {
          ipAddressPools: ['v4'],
          nodeSelectors: [{ matchLabels: { zone: 'a' } }],
          interfaces: ['eth0'],
          preferredNodeSelectors: [{ weight: 50, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } }],
        }),
      ],
    });
    const a = cfg.l2Advertisements[0]!;
    assert.deepEqual([...a.pools], ['v4']);
    assert.equal(a.nodeSelectors[0]!.text, 'zone=a');
    assert.ok(a.nodeSelectors[0]!.matches({ zone: 'a' }));
    assert.ok(!a.nodeSelectors[0]!.matches({ zone: 'b' }));
    assert.deepEqual(a.interfaces, ['eth0']);
    assert.equal(a.preferredNodeSelectors[0]!.text, 'ssd');
    assert.deepEqual(a.preferredNodeWeights, [50]);
  });
});

describe('parseConfig: BFDProfile', () => {
  const F = (rest: string): string => `BFDProfile herald-system/f ${rest}`;
  const cases: ErrorCase[] = [
    { desc: 'defaults', input: { bfdProfiles: [obj('f', {})] }, wantError: [] },
    { desc: 'edges', input: { bfdProfiles: [obj('f', { receiveInterval: 10, transmitInterval: 60000, detectMultiplier: 255, minimumTtl: 1 })] }, wantError: [] },
    { desc: 'interval too short', input: { bfdProfiles: [obj('f', { receiveInterval: 9 })] }, wantError: [F('spec.receiveInterval: must be between 10 and 60000, not 9')] },
    { desc: 'multiplier 1', input: { bfdProfiles: [obj('f', { detectMultiplier: 1 })] }, wantError: [F('spec.detectMultiplier: must be between 2 and 255, not 1')] },
    { desc: 'ttl 255', input: { bfdProfiles: [obj('f', { minimumTtl: 255 })] }, wantError: [F('spec.minimumTtl: must be between 1 and 254, not 255')] },
    { desc: 'echo mode asked for', input: { bfdProfiles: [obj('f', { echoMode: true })] }, wantError: [F('spec.echoMode: echo mode is not supported (Herald runs BFD in asynchronous mode only); remove it or set it to false')] },
    { desc: 'echo mode off, echo interval checked', input: { bfdProfiles: [obj('f', { echoMode: false, echoInterval: 5 })] }, wantError: [F('spec.echoInterval: must be between 10 and 60000, not 5')] },
    { desc: 'detect multiplier 0', input: { bfdProfiles: [obj('f', { detectMultiplier: 0 })] }, wantError: [F('spec.detectMultiplier: must be between 2 and 255, not 0')] },
    { desc: 'transmit interval too long', input: { bfdProfiles: [obj('f', { transmitInterval: 60001 })] }, wantError: [F('spec.transmitInterval: must be between 10 and 60000, not 60001')] },
    { desc: 'passiveMode not a bool', input: { bfdProfiles: [obj('f', { passiveMode: 1 })] }, wantError: [F('spec.passiveMode: must be true or false, not 1')] },
  ];
  for (const c of cases) it(c.desc, () => assert.deepEqual(errorsOf(c.input), c.wantError));
  it('defaults', () => {
    assert.deepEqual(configOf({ bfdProfiles: [obj('f', {})] }).bfdProfiles.get('f'), {
      name: 'f',
      receiveInterval: 300,
      transmitInterval: 300,
      detectMultiplier: 3,
      passiveMode: false,
      minimumTtl: 254,
    });
  });
});
