import { strict as assert } from 'node:assert';
import { FakeClock } from '@herald/shared';
import { SortedMap } from '../../src/apiserver/btree.js';
import { decodeContinue, encodeContinue } from '../../src/apiserver/continue-token.js';
import type { JsonObject } from '../../src/apiserver/json.js';
import { prefixEnd, readPage } from '../../src/apiserver/list-page.js';
import { SnapshotSet } from '../../src/apiserver/snapshots.js';
import { Store } from '../../src/apiserver/store.js';

const obj = (ns: string, name: string, labels: Record<string, string> = {}): JsonObject => ({ metadata: { namespace: ns, name, labels } });

function tree(keys: readonly string[]): SortedMap<string, JsonObject> {
  const t = new SortedMap<string, JsonObject>();
  for (const k of keys) {
    const [ns = '', name = ''] = k.split('/');
    t.set(k, obj(ns, name, { odd: String(Number(name.slice(1)) % 2 === 1) }));
  }
  return t;
}

describe('apiserver/continue-token', function () {
  it('writes kube-apiserver\'s format: base64url JSON {v, rv, start}, no padding', function () {
    const s = encodeContinue({ rv: 42, start: 'ns/b\u0000' });
    assert.doesNotMatch(s, /[=+/]/);
    assert.deepEqual(JSON.parse(Buffer.from(s, 'base64url').toString()), { v: 'meta.k8s.io/v1', rv: 42, start: 'ns/b\u0000' });
    assert.deepEqual(decodeContinue(s), { type: 'ok', token: { rv: 42, start: 'ns/b\u0000' } });
  });
  const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  const cases: { desc: string; input: string; want: string }[] = [
    { desc: 'garbage', input: 'garbage!', want: 'not-base64-json' },
    { desc: 'base64 of not JSON', input: Buffer.from('nope').toString('base64url'), want: 'not-base64-json' },
    { desc: 'another version', input: b64({ v: 'meta.k8s.io/v2', rv: 1, start: 'a' }), want: 'unknown-version' },
    { desc: 'rv 0', input: b64({ v: 'meta.k8s.io/v1', rv: 0, start: 'a' }), want: 'bad-resource-version' },
    { desc: 'rv a string', input: b64({ v: 'meta.k8s.io/v1', rv: '5', start: 'a' }), want: 'bad-resource-version' },
    { desc: 'empty start', input: b64({ v: 'meta.k8s.io/v1', rv: 5, start: '' }), want: 'empty-start-key' },
  ];
  for (const c of cases) {
    it(`refuses ${c.desc} (${c.want})`, function () {
      const d = decodeContinue(c.input);
      assert.equal(d.type, 'invalid');
      if (d.type === 'invalid') {
        assert.equal(d.why, c.want);
        assert.match(d.detail, /^continue key is not valid/);
      }
    });
  }
  it('accepts rv -1 (the inconsistent token of a 410)', function () {
    assert.deepEqual(decodeContinue(encodeContinue({ rv: -1, start: 'x' })), { type: 'ok', token: { rv: -1, start: 'x' } });
  });
});

describe('apiserver/list-page', function () {
  const t = tree(['a/s0', 'a/s1', 'a/s2', 'b/s0', 'b/s1', 'c/s0']);
  const all = (): boolean => true;
  const names = (items: JsonObject[]): string[] => items.map((o) => {
    const md = o['metadata'] as { namespace: string; name: string };
    return `${md.namespace}/${md.name}`;
  });
  const cases: { desc: string; prefix: string; start?: string; limit?: number; odd?: boolean; want: { items: string[]; next?: string; remaining?: number } }[] = [
    { desc: 'everything, no limit', prefix: '', want: { items: ['a/s0', 'a/s1', 'a/s2', 'b/s0', 'b/s1', 'c/s0'] } },
    { desc: 'first page of 2', prefix: '', limit: 2, want: { items: ['a/s0', 'a/s1'], next: 'a/s1\u0000', remaining: 4 } },
    { desc: 'a middle page', prefix: '', start: 'a/s1\u0000', limit: 2, want: { items: ['a/s2', 'b/s0'], next: 'b/s0\u0000', remaining: 2 } },
    { desc: 'a last page exactly full has no next', prefix: '', start: 'b/s0\u0000', limit: 2, want: { items: ['b/s1', 'c/s0'] } },
    { desc: 'one namespace, keys relative to it', prefix: 'a/', limit: 2, want: { items: ['a/s0', 'a/s1'], next: 's1\u0000', remaining: 1 } },
    { desc: 'one namespace, continued', prefix: 'a/', start: 's1\u0000', limit: 2, want: { items: ['a/s2'] } },
    { desc: 'a namespace that sorts before another with the same stem', prefix: 'b/', want: { items: ['b/s0', 'b/s1'] } },
    { desc: 'filtered: no remaining count', prefix: '', limit: 1, odd: true, want: { items: ['a/s1'], next: 'a/s1\u0000' } },
    { desc: 'filtered, continued: scans on until the page fills', prefix: '', start: 'a/s1\u0000', limit: 1, odd: true, want: { items: ['b/s1'], next: 'b/s1\u0000' } },
  ];
  for (const c of cases) {
    it(c.desc, function () {
      const match = c.odd === true ? (o: JsonObject): boolean => ((o['metadata'] as JsonObject)['labels'] as JsonObject)['odd'] === 'true' : all;
      const p = readPage(t, { prefix: c.prefix, start: c.start, limit: c.limit, match, filtered: c.odd === true });
      assert.deepEqual({ items: names(p.items), ...(p.next === undefined ? {} : { next: p.next }), ...(p.remaining === undefined ? {} : { remaining: p.remaining }) }, c.want);
    });
  }
  it('prefixEnd bounds a prefix', function () {
    assert.equal(prefixEnd('a/'), 'a0');
    assert.equal(prefixEnd(''), undefined);
  });
});

describe('apiserver/snapshots', function () {
  const limits = { ttlMs: 1000, maxCount: 2, maxBytesAfter: 100 };
  it('keeps a snapshot until its age passes the TTL (FakeClock)', function () {
    const clock = new FakeClock();
    const s = new SnapshotSet(limits);
    s.keep('k', 5, () => tree(['a/s0']), clock.now(), 0);
    clock.advance(1000);
    assert.ok(s.find('k', 5, clock.now(), 0), 'still there at the TTL');
    clock.advance(1);
    assert.equal(s.find('k', 5, clock.now(), 0), undefined);
    assert.equal(s.evictions.age, 1);
  });
  it('drops a snapshot once more than maxBytesAfter were written after it', function () {
    const s = new SnapshotSet(limits);
    s.keep('k', 5, () => tree(['a/s0']), 0, 1000);
    assert.ok(s.find('k', 5, 0, 1100));
    assert.equal(s.find('k', 5, 0, 1101), undefined);
    assert.equal(s.evictions.bytes, 1);
  });
  it('keeps at most maxCount, dropping the oldest', function () {
    const s = new SnapshotSet(limits);
    for (const rv of [1, 2, 3]) s.keep('k', rv, () => tree([]), 0, 0);
    assert.equal(s.size, 2);
    assert.equal(s.find('k', 1, 0, 0), undefined);
    assert.ok(s.find('k', 3, 0, 0));
    assert.equal(s.evictions.count, 1);
  });
  it('a store snapshot is a copy-on-write clone: later commits do not change it', function () {
    const clock = new FakeClock();
    const st = new Store(10, 0, { clock });
    st.commit('/configmaps', 'a/x', 'ADDED', obj('a', 'x'));
    const rv = st.keepSnapshot('/configmaps');
    st.commit('/configmaps', 'a/y', 'ADDED', obj('a', 'y'));
    st.commit('/configmaps', 'a/x', 'DELETED', obj('a', 'x'));
    const snap = st.snapshotAt('/configmaps', rv);
    assert.deepEqual([...(snap?.keys() ?? [])], ['a/x']);
    assert.deepEqual([...st.current('/configmaps').keys()], ['a/y']);
    clock.advance(5 * 60_000 + 1);
    assert.equal(st.snapshotAt('/configmaps', rv), undefined, 'gone after 5 minutes, like an etcd compaction');
  });
  it('a store restored at RV R refuses a watch from before R (410), since it has no events from then', function () {
    const st = new Store(10, 50);
    const sink = { namespace: undefined, matches: () => true, send: () => true, close: () => undefined };
    assert.equal(st.watch('/configmaps', sink, 49), 50);
    assert.equal(st.watch('/configmaps', sink, 50), undefined);
  });
});
