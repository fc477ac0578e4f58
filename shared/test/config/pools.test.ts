import assert from 'node:assert/strict';
import { configOf, errorsOf, obj, pool, type ErrorCase } from './helpers.js';

describe('parseConfig: IPAddressPool', () => {
  const cases: ErrorCase[] = [
    { desc: 'IPv4 CIDR', input: { ipAddressPools: [pool('a', '192.0.2.0/24')] }, wantError: [] },
    { desc: 'IPv6 CIDR', input: { ipAddressPools: [pool('a', '2001:db8::/64')] }, wantError: [] },
    { desc: 'range, with spaces', input: { ipAddressPools: [pool('a', '192.0.2.10 - 192.0.2.20')] }, wantError: [] },
    { desc: 'IPv6 range', input: { ipAddressPools: [pool('a', '2001:db8::10-2001:db8::ff')] }, wantError: [] },
    { desc: 'dual-stack pool', input: { ipAddressPools: [pool('a', '192.0.2.0/28', '2001:db8::/120')] }, wantError: [] },
    { desc: 'single address', input: { ipAddressPools: [pool('a', '192.0.2.7')] }, wantError: [] },
    { desc: 'adjacent ranges do not overlap', input: { ipAddressPools: [pool('a', '192.0.2.0/25'), pool('b', '192.0.2.128/25')] }, wantError: [] },
    { desc: 'same numbers in v4 and v6 do not overlap', input: { ipAddressPools: [pool('a', '0.0.0.0/30', '::/126')] }, wantError: [] },
    {
      desc: 'prefix too long',
      input: { ipAddressPools: [pool('prod', '192.0.2.0/24', '198.51.100.0/24', '192.0.2.0/33')] },
      wantError: ['IPAddressPool herald-system/prod spec.addresses[2]: invalid CIDR "192.0.2.0/33"'],
    },
    { desc: 'garbage address', input: { ipAddressPools: [pool('a', 'banana')] }, wantError: ['IPAddressPool herald-system/a spec.addresses[0]: invalid address range "banana": want a CIDR or start-end'] },
    { desc: 'bad range start', input: { ipAddressPools: [pool('a', '192.0.2.300-192.0.2.1')] }, wantError: ['IPAddressPool herald-system/a spec.addresses[0]: invalid range start in "192.0.2.300-192.0.2.1"'] },
    { desc: 'backwards range', input: { ipAddressPools: [pool('a', '192.0.2.9-192.0.2.1')] }, wantError: ['IPAddressPool herald-system/a spec.addresses[0]: range "192.0.2.9-192.0.2.1" starts after it ends'] },
    { desc: 'mixed-family range', input: { ipAddressPools: [pool('a', '192.0.2.1-2001:db8::1')] }, wantError: ['IPAddressPool herald-system/a spec.addresses[0]: range "192.0.2.1-2001:db8::1" mixes IPv4 and IPv6'] },
    { desc: 'a number instead of a string', input: { ipAddressPools: [pool('a', 42)] }, wantError: ['IPAddressPool herald-system/a spec.addresses[0]: must be a string, not 42'] },
    { desc: 'no addresses', input: { ipAddressPools: [pool('a')] }, wantError: ['IPAddressPool herald-system/a spec.addresses: must list at least one CIDR or range'] },
    { desc: 'addresses not a list', input: { ipAddressPools: [obj('a', { addresses: '192.0.2.0/24' })] }, wantError: ['IPAddressPool herald-system/a spec.addresses: must be a list, not "192.0.2.0/24"'] },
    {
      desc: 'overlap within a pool',
      input: { ipAddressPools: [pool('a', '192.0.2.0/24', '192.0.2.10-192.0.2.20')] },
      wantError: ['IPAddressPool herald-system/a spec.addresses[1]: 192.0.2.10-192.0.2.20 overlaps 192.0.2.0/24 in spec.addresses[0] of this pool'],
    },
    {
      desc: 'overlap across pools names both',
      input: { ipAddressPools: [pool('b', '192.0.2.128/25'), pool('a', '198.51.100.0/24', '192.0.2.0/24')] },
      wantError: ['IPAddressPool herald-system/b spec.addresses[0]: 192.0.2.128/25 overlaps 192.0.2.0/24 in IPAddressPool "a" spec.addresses[1]'],
    },
    {
      desc: 'IPv6 overlap of /64s (nothing materialised)',
      input: { ipAddressPools: [pool('a', '2001:db8::/64'), pool('b', '2001:db8::ffff:0:0:1-2001:db8::ffff:0:0:9')] },
      wantError: ['IPAddressPool herald-system/b spec.addresses[0]: 2001:db8::ffff:0:0:1-2001:db8::ffff:0:0:9 overlaps 2001:db8::/64 in IPAddressPool "a" spec.addresses[0]'],
    },
    {
      desc: 'a pool with a bad entry still takes part in the overlap check',
      input: { ipAddressPools: [pool('a', 'x', '192.0.2.0/24'), pool('b', '192.0.2.1')] },
      wantError: [
        'IPAddressPool herald-system/a spec.addresses[0]: invalid address range "x": want a CIDR or start-end',
        'IPAddressPool herald-system/b spec.addresses[0]: 192.0.2.1 overlaps 192.0.2.0/24 in IPAddressPool "a" spec.addresses[1]',
      ],
    },
    { desc: 'autoAssign not a bool', input: { ipAddressPools: [obj('a', { addresses: ['192.0.2.0/24'], autoAssign: 'yes' })] }, wantError: ['IPAddressPool herald-system/a spec.autoAssign: must be true or false, not "yes"'] },
    {
      desc: 'serviceAllocation: valid',
      input: { ipAddressPools: [obj('a', { addresses: ['192.0.2.0/24'], serviceAllocation: { priority: 1, namespaces: ['web'], serviceSelectors: [{ matchLabels: { app: 'x' } }] } })] },
      wantError: [],
    },
    {
      desc: 'serviceAllocation: bad priority, namespace and duplicate namespace',
      input: { ipAddressPools: [obj('a', { addresses: ['192.0.2.0/24'], serviceAllocation: { priority: -1, namespaces: ['web', 'Web!', 'web'] } })] },
      wantError: [
        'IPAddressPool herald-system/a spec.serviceAllocation.priority: must be between 0 and 2147483647, not -1',
        'IPAddressPool herald-system/a spec.serviceAllocation.namespaces[2]: duplicate namespace "web" (also spec.serviceAllocation.namespaces[0])',
        'IPAddressPool herald-system/a spec.serviceAllocation.namespaces[1]: invalid namespace name "Web!"',
      ],
    },
    {
      desc: 'serviceAllocation: bad selector',
      input: { ipAddressPools: [obj('a', { addresses: ['192.0.2.0/24'], serviceAllocation: { namespaceSelectors: [{ matchLabels: { 'a b': 'x' } }] } })] },
      wantError: [
        `IPAddressPool herald-system/a spec.serviceAllocation.namespaceSelectors[0].matchLabels["a b"]: invalid label key "a b": the name must be 1-63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric`,
      ],
    },
  ];
  for (const c of cases) it(c.desc, () => assert.deepEqual(errorsOf(c.input), c.wantError));

  it('builds the model: ranges, defaults, families', () => {
    const cfg = configOf({ ipAddressPools: [obj('a', { addresses: ['192.0.2.0/28', '2001:db8::/64'], autoAssign: false })] });
    const p = cfg.pools.get('a')!;
    assert.deepEqual(p.ranges.map(String), ['192.0.2.0/28', '2001:db8::/64']);
    assert.equal(p.autoAssign, false);
    assert.equal(p.avoidBuggyIPs, false);
    assert.equal(p.serviceAllocation, undefined);
    assert.deepEqual([...p.families].sort(), [4, 6]);
    assert.equal(p.ranges[1]!.size, 1n << 64n);
    assert.ok(Object.isFrozen(p) && Object.isFrozen(p.ranges));
  });
});
