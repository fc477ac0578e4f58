import assert from 'node:assert/strict';
import { parseDuration } from '../../src/config/duration.js';
import { parseConfig } from '../../src/config/parse-config.js';
import { parseLabelSelector } from '../../src/config/selector.js';
import { errorsOf, obj, pool } from './helpers.js';

describe('parseDuration', () => {
  const cases: { desc: string; input: string; want: number | undefined }[] = [
    { desc: '90s', input: '90s', want: 90_000 },
    { desc: '1m30s', input: '1m30s', want: 90_000 },
    { desc: '500ms', input: '500ms', want: 500 },
    { desc: '1.5h', input: '1.5h', want: 5_400_000 },
    { desc: 'bare 0', input: '0', want: 0 },
    { desc: 'no unit', input: '90', want: undefined },
    { desc: 'negative', input: '-1s', want: undefined },
    { desc: 'unknown unit', input: '1d', want: undefined },
    { desc: 'trailing junk', input: '1s ', want: undefined },
    { desc: 'empty', input: '', want: undefined },
  ];
  for (const c of cases) it(c.desc, () => assert.equal(parseDuration(c.input), c.want));
});

describe('parseLabelSelector', () => {
  const cases: { desc: string; input: unknown; want?: { text: string; yes: Record<string, string>[]; no: Record<string, string>[] }; wantError?: string[] }[] = [
    { desc: 'empty matches everything', input: {}, want: { text: '', yes: [{}, { a: 'b' }], no: [] } },
    { desc: 'matchLabels', input: { matchLabels: { zone: 'a', 'k8s.io/role': 'edge' } }, want: { text: 'k8s.io/role=edge,zone=a', yes: [{ zone: 'a', 'k8s.io/role': 'edge' }], no: [{ zone: 'a' }] } },
    {
      desc: 'In / NotIn / Exists / DoesNotExist',
      input: {
        matchExpressions: [
          { key: 'zone', operator: 'In', values: ['b', 'a'] },
          { key: 'tier', operator: 'NotIn', values: ['x'] },
          { key: 'ssd', operator: 'Exists' },
          { key: 'legacy', operator: 'DoesNotExist' },
        ],
      },
      want: { text: '!legacy,ssd,tier notin (x),zone in (a,b)', yes: [{ zone: 'a', ssd: '' }, { zone: 'b', ssd: '1', tier: 'y' }], no: [{ zone: 'c', ssd: '' }, { zone: 'a' }, { zone: 'a', ssd: '', legacy: '1' }, { zone: 'a', ssd: '', tier: 'x' }] },
    },
    { desc: 'not an object', input: 'zone=a', wantError: [': must be a label selector object, not "zone=a"'] },
    { desc: 'bad key prefix', input: { matchLabels: { 'Bad_/x': 'a' } }, wantError: ['matchLabels["Bad_/x"]: invalid label key "Bad_/x": the prefix must be a DNS subdomain'] },
    { desc: 'bad value', input: { matchLabels: { a: '-x' } }, wantError: [`matchLabels["a"]: invalid label value "-x": at most 63 alphanumerics, '-', '_' or '.', starting and ending alphanumeric`] },
    { desc: 'value not a string', input: { matchLabels: { a: 1 } }, wantError: ['matchLabels["a"]: must be a string, not 1'] },
    { desc: 'Exists with values', input: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] }, wantError: ['matchExpressions[0].values: must be empty for operator Exists'] },
    { desc: 'unknown field', input: { matchLabel: { a: 'b' } }, wantError: ['matchLabel: unknown field of a label selector'] },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const r = parseLabelSelector(c.input);
      if (c.wantError) {
        assert.equal(r.ok, false);
        if (!r.ok) assert.deepEqual(r.errors.map((e) => `${e.field}: ${e.message}`), c.wantError);
        return;
      }
      assert.ok(r.ok);
      assert.equal(r.selector.text, c.want!.text);
      for (const l of c.want!.yes) assert.ok(r.selector.matches(l), JSON.stringify(l));
      for (const l of c.want!.no) assert.ok(!r.selector.matches(l), JSON.stringify(l));
    });
  }
});

describe('parseConfig: garbage in, errors out', () => {
  const garbage: { desc: string; input: unknown[]; wantError: string[] }[] = [
    { desc: 'a number as an object', input: [7], wantError: ['IPAddressPool herald-system/#0 : must be an object, not 7'] },
    { desc: 'no name', input: [{ metadata: {}, spec: {} }], wantError: ['IPAddressPool herald-system/#0 metadata.name: must be a non-empty string, not nothing'] },
    { desc: 'spec a string', input: [{ metadata: { name: 'a' }, spec: 'x' }], wantError: ['IPAddressPool herald-system/a spec: must be an object, not "x"'] },
    { desc: 'duplicate name', input: [pool('a', '192.0.2.0/28'), pool('a', '192.0.2.16/28')], wantError: ['IPAddressPool herald-system/a metadata.name: duplicate name'] },
    { desc: 'null entries everywhere', input: [obj('a', { addresses: [null], autoAssign: null, serviceAllocation: 3 })], wantError: ['IPAddressPool herald-system/a spec.addresses[0]: must be a string, not null', 'IPAddressPool herald-system/a spec.serviceAllocation: must be an object, not 3'] },
  ];
  for (const c of garbage) it(c.desc, () => assert.deepEqual(errorsOf({ ipAddressPools: c.input }), c.wantError));

  it('never throws on arbitrary junk in any list', () => {
    const junk: unknown[] = [null, undefined, 1, 'x', [], {}, { metadata: 5 }, { metadata: { name: 'n' }, spec: { addresses: {}, myASN: [], communities: 'x', nodeSelectors: [1], interfaces: {}, peers: [{}] } }];
    for (const key of ['ipAddressPools', 'l2Advertisements', 'bgpAdvertisements', 'bgpPeers', 'bfdProfiles', 'communities', 'secrets'] as const) {
      const r = parseConfig({ [key]: junk });
      assert.ok(r.ok || r.errors.length > 0, key);
    }
  });

  it('ignores objects in other namespaces', () => {
    assert.deepEqual(errorsOf({ ipAddressPools: [{ metadata: { name: 'x', namespace: 'other' }, spec: { addresses: ['nope'] } }] }), []);
  });

  it('is deterministic whatever the input order, and sorted by name', () => {
    const pools = [pool('c', '192.0.2.32/28'), pool('a', '192.0.2.0/28'), pool('b', '192.0.2.16/28')];
    const a = parseConfig({ ipAddressPools: pools });
    const b = parseConfig({ ipAddressPools: [...pools].reverse() });
    assert.ok(a.ok && b.ok);
    assert.deepEqual([...a.config.pools.keys()], ['a', 'b', 'c']);
    assert.deepEqual([...b.config.pools.keys()], ['a', 'b', 'c']);
  });

  it('the result is frozen', () => {
    const r = parseConfig({ ipAddressPools: [pool('a', '192.0.2.0/28')] });
    assert.ok(r.ok && Object.isFrozen(r) && Object.isFrozen(r.config) && Object.isFrozen(r.config.l2Advertisements));
  });
});
