import assert from 'node:assert/strict';
import { Prefix, type Community } from '@herald/shared';
import type { Advertisement } from '../../src/bgp/advertisement.js';
import { DesiredRoutes } from '../../src/bgp/desired-routes.js';

const std = (value: number): Community => ({ type: 'standard', asn: 64512, value });
const a = (p: string, extra: Partial<Advertisement> = {}): Advertisement => ({ prefix: Prefix.parse(p), ...extra });
const P = '203.0.113.1/32';

/** Applies `first`, then `then`; returns the keys reported changed by `then`. */
function changedBy(ibgp: boolean, first: [string, Advertisement | undefined][], then: [string, Advertisement | undefined][]): string[] {
  const d = new DesiredRoutes(ibgp);
  d.apply(new Map(first), () => undefined);
  const got: string[] = [];
  const n = d.apply(new Map(then), (k) => got.push(k));
  assert.equal(n, got.length, 'the count returned is the number of calls');
  return got;
}

const cases: { desc: string; ibgp?: boolean; first: [string, Advertisement | undefined][]; then: [string, Advertisement | undefined][]; want: string[] }[] = [
  { desc: 'a new key', first: [], then: [[P, a(P)]], want: [P] },
  { desc: 'the same route again, as a new object', first: [[P, a(P, { communities: [std(1)] })]], then: [[P, a(P, { communities: [std(1)] })]], want: [] },
  { desc: 'a community added', first: [[P, a(P)]], then: [[P, a(P, { communities: [std(1)] })]], want: [P] },
  { desc: 'communities reordered (the wire order changes)', first: [[P, a(P, { communities: [std(1), std(2)] })]], then: [[P, a(P, { communities: [std(2), std(1)] })]], want: [P] },
  { desc: 'no communities and an empty list are the same', first: [[P, a(P)]], then: [[P, a(P, { communities: [] })]], want: [] },
  { desc: 'eBGP: LOCAL_PREF is not sent, so a change of it is none', first: [[P, a(P, { localPref: 100 })]], then: [[P, a(P, { localPref: 200 })]], want: [] },
  { desc: 'iBGP: a LOCAL_PREF change', ibgp: true, first: [[P, a(P, { localPref: 100 })]], then: [[P, a(P, { localPref: 200 })]], want: [P] },
  { desc: 'iBGP: no LOCAL_PREF is the default 100', ibgp: true, first: [[P, a(P)]], then: [[P, a(P, { localPref: 100 })]], want: [] },
  { desc: 'a withdrawal of a held key', first: [[P, a(P)]], then: [[P, undefined]], want: [P] },
  { desc: 'a withdrawal of an unknown key', first: [], then: [[P, undefined]], want: [] },
  { desc: 'the prefix under a key changed', first: [['k', a(P)]], then: [['k', a('203.0.113.2/32')]], want: ['k'] },
];

describe('bgp desired routes', () => {
  for (const c of cases) {
    it(`apply: ${c.desc} -> ${c.want.length ? 'changed' : 'unchanged'}`, () => {
      assert.deepEqual(changedBy(c.ibgp ?? false, c.first, c.then), c.want);
    });
  }

  const table = (n: number, community = 1) => new Map(Array.from({ length: n }, (_, i) => `198.51.100.${i}/32`).map((p) => [p, a(p, { communities: [std(community)] })]));

  it('replace with an identical table (fresh objects) reports nothing', () => {
    const d = new DesiredRoutes(false);
    assert.equal(d.replace(table(200), () => undefined), 200);
    const got: string[] = [];
    assert.equal(d.replace(table(200), (k) => got.push(k)), 0);
    assert.deepEqual(got, []);
    assert.equal(d.size, 200);
  });

  it('replace reports exactly the added, removed and changed keys', () => {
    const d = new DesiredRoutes(false);
    d.replace(table(10), () => undefined);
    const want = table(10);
    want.delete('198.51.100.3/32');
    want.set('198.51.100.5/32', a('198.51.100.5/32', { communities: [std(2)] }));
    want.set('203.0.113.9/32', a('203.0.113.9/32'));
    const got: string[] = [];
    d.replace(want, (k) => got.push(k));
    assert.deepEqual(got.sort(), ['198.51.100.3/32', '198.51.100.5/32', '203.0.113.9/32']);
    assert.equal(d.get('198.51.100.3/32'), undefined);
    assert.deepEqual(d.get('198.51.100.5/32')?.adv.communities, [std(2)]);
    assert.equal(d.size, 10);
  });

  it('equal attributes share one signature string; different ones do not', () => {
    const d = new DesiredRoutes(false);
    d.replace(table(3), () => undefined);
    d.apply(new Map([['203.0.113.1/32', a('203.0.113.1/32')]]), () => undefined);
    const sig = (k: string) => d.get(k)!.sig;
    assert.equal(sig('198.51.100.0/32'), sig('198.51.100.2/32'));
    assert.notEqual(sig('198.51.100.0/32'), sig('203.0.113.1/32'));
  });
});
