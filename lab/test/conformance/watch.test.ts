// Conformance: list and watch: initial ADDED, watch from a version, 410 Expired, bookmarks,
// timeoutSeconds, and selector transitions.
import { strict as assert } from 'node:assert';
import { ctx, freshNamespace, HISTORY_WINDOW, raw, watchEvents } from './harness.js';

describe('conformance: watch', function () {
  let ns = '';
  before(async function () {
    await ctx();
    ns = await freshNamespace('watch');
  });

  it('sends synthetic ADDED events for existing objects when watching without a resourceVersion', async function () {
    const c = await ctx();
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'w1' } } });
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'w2' } } });
    const evs = await watchEvents(`/api/v1/namespaces/${ns}/configmaps?watch=true`, { max: 2, ms: 5000 });
    assert.deepEqual(evs.map((e) => e.type), ['ADDED', 'ADDED']);
    assert.deepEqual(evs.map((e) => e.object.metadata.name).sort(), ['w1', 'w2']);
  });

  it('sends only later changes, in order, when watching from a resourceVersion', async function () {
    const c = await ctx();
    const list = await c.core.listNamespacedConfigMap({ namespace: ns });
    const from = list.metadata?.resourceVersion ?? '';
    const evs = await watchEvents(`/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${from}`, {
      max: 3, ms: 5000,
      onOpen: async () => {
        await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'w3' } } });
        await c.core.patchNamespacedConfigMap({ name: 'w3', namespace: ns, body: [{ op: 'add', path: '/data', value: { a: 'b' } }] });
        await c.core.deleteNamespacedConfigMap({ name: 'w3', namespace: ns });
      },
    });
    assert.deepEqual(evs.map((e) => `${e.type}:${e.object.metadata.name}`), ['ADDED:w3', 'MODIFIED:w3', 'DELETED:w3']);
    const rvs = evs.map((e) => BigInt(e.object.metadata.resourceVersion));
    assert.ok(rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!, 'event RVs increase');
  });

  it('answers a too-old resourceVersion with HTTP 200 and one ERROR 410 Expired event', async function () {
    this.timeout(60_000);
    const c = await ctx();
    const first = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'churn' }, data: { i: '0' } } });
    for (let i = 1; i <= HISTORY_WINDOW + 20; i++) {
      await c.core.patchNamespacedConfigMap({ name: 'churn', namespace: ns, body: [{ op: 'replace', path: '/data/i', value: String(i) }] });
    }
    const old = c.real ? '1' : first.metadata?.resourceVersion ?? '1';
    const evs = await watchEvents(`/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${old}`, { ms: 5000 });
    assert.equal(evs.length, 1);
    assert.equal(evs[0].type, 'ERROR');
    assert.equal(evs[0].object.kind, 'Status');
    assert.equal(evs[0].object.code, 410);
    assert.equal(evs[0].object.reason, 'Expired');
    assert.match(evs[0].object.message, /^too old resource version: \d+ \(\d+\)$/);
  });

  it('sends BOOKMARK events carrying only kind, apiVersion and metadata.resourceVersion when allowed', async function () {
    this.timeout(20_000);
    const evs = await watchEvents(`/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=0&allowWatchBookmarks=true&timeoutSeconds=4&fieldSelector=metadata.name%3Dnone`, { ms: 10_000 });
    const bms = evs.filter((e) => e.type === 'BOOKMARK');
    assert.ok(bms.length >= 1, `want a bookmark, got ${JSON.stringify(evs)}`);
    assert.deepEqual(Object.keys(bms[0].object).sort(), ['apiVersion', 'kind', 'metadata']);
    assert.deepEqual(Object.keys(bms[0].object.metadata), ['resourceVersion']);
    assert.equal(bms[0].object.kind, 'ConfigMap');
  });

  it('closes the stream when timeoutSeconds passes', async function () {
    this.timeout(20_000);
    let ended = false;
    const evs = await watchEvents(`/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=0&timeoutSeconds=1&fieldSelector=metadata.name%3Dnone`, { ms: 10_000 });
    ended = true;
    assert.ok(ended);
    assert.deepEqual(evs.filter((e) => e.type !== 'BOOKMARK'), []);
  });

  it('sends DELETED with the old object when an object stops matching the label selector', async function () {
    const c = await ctx();
    const cm = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'sel', labels: { app: 'x' } } } });
    const evs = await watchEvents(`/api/v1/namespaces/${ns}/configmaps?watch=true&labelSelector=app%3Dx&resourceVersion=${cm.metadata?.resourceVersion}`, {
      max: 1, ms: 5000,
      onOpen: async () => {
        await c.core.patchNamespacedConfigMap({ name: 'sel', namespace: ns, body: [{ op: 'replace', path: '/metadata/labels/app', value: 'y' }] });
      },
    });
    assert.equal(evs.length, 1);
    assert.equal(evs[0].type, 'DELETED');
    assert.equal(evs[0].object.metadata.labels.app, 'x', 'the old object');
    assert.ok(BigInt(evs[0].object.metadata.resourceVersion) > BigInt(cm.metadata?.resourceVersion ?? '0'));
  });

  it('filters a watch by field selector metadata.name', async function () {
    const c = await ctx();
    const list = await c.core.listNamespacedConfigMap({ namespace: ns });
    const evs = await watchEvents(`/api/v1/namespaces/${ns}/configmaps?watch=true&fieldSelector=metadata.name%3Dpick&resourceVersion=${list.metadata?.resourceVersion}`, {
      max: 1, ms: 5000,
      onOpen: async () => {
        await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'skip' } } });
        await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'pick' } } });
      },
    });
    assert.deepEqual(evs.map((e) => `${e.type}:${e.object.metadata.name}`), ['ADDED:pick']);
  });

  it('rejects a watch with a malformed label selector with 400 before streaming', async function () {
    const r = await raw('GET', `/api/v1/namespaces/${ns}/configmaps?watch=true&labelSelector=a%20in%20(b`);
    assert.equal(r.status, 400);
    assert.match(r.body.message, /unable to parse requirement/);
  });
});
