// 429 and Retry-After against a real HTTP server, through the real client-node API classes.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { ApiException, CoreV1Api, PatchStrategy, setHeaderOptions, type V1ConfigMap } from '@kubernetes/client-node';
import { PooledKubeConfig, type KubeClientOptions } from '../../src/k8s/kubeconfig.js';
import { kubeClientMetrics } from '../../src/k8s/client-metrics.js';
import { createRegistry } from '../../src/metrics.js';
import { kubeconfigFor, startFakeApiServer, type FakeApiServer, type Reply } from './fake-api-server.js';

const cm = (name: string): V1ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'demo' }, data: { a: 'b' } });
const tooMany = (after?: string): Reply => {
  const headers: Record<string, string> = after === undefined ? {} : { 'Retry-After': after };
  return { status: 429, headers, body: { kind: 'Status', apiVersion: 'v1', code: 429, reason: 'TooManyRequests' } };
};

/** The parts of undici 8 this test uses (the root's @types may be another major). */
interface Undici8 {
  Agent: new () => { compose(i: unknown): { close(): Promise<void> } };
  interceptors: { retry(o: Record<string, unknown>): unknown };
  fetch(url: string, init: Record<string, unknown>): Promise<{ status: number; text(): Promise<string> }>;
}

describe('429 / 503 + Retry-After: requests are sent again', function () {
  this.timeout(20_000);
  let srv: FakeApiServer;
  beforeEach(async () => (srv = await startFakeApiServer()));
  afterEach(async () => srv.close());

  const client = (o: KubeClientOptions = {}) => {
    const registry = createRegistry('test', false);
    const metrics = kubeClientMetrics(registry);
    const kc = new PooledKubeConfig({ retry: { maxDelayMs: 40 }, metrics, ...o });
    kc.loadFromString(kubeconfigFor(srv.url));
    return { kc, core: kc.makeApiClient(CoreV1Api), metrics };
  };

  it('a POST refused twice with 429 is sent again, with the same body, and succeeds', async () => {
    const { core, metrics } = client();
    srv.script(tooMany('1'), tooMany('1'), { status: 201, body: cm('x') });
    const got = await core.createNamespacedConfigMap({ namespace: 'demo', body: cm('x') });
    assert.equal(got.metadata?.name, 'x');
    assert.equal(srv.seen.length, 3);
    assert.ok(srv.seen.every((s) => s.method === 'POST' && s.body === srv.seen[0]!.body && s.body.includes('"name":"x"')));
    assert.equal((await metrics.retries.get()).values.find((v) => v.labels['code'] === '429' && v.labels['method'] === 'POST')?.value, 2);
  });

  it('a PATCH keeps its content type and body on the repeat', async () => {
    const { core } = client();
    srv.script(tooMany(), { status: 200, body: cm('x') });
    await core.patchNamespacedConfigMap({ name: 'x', namespace: 'demo', body: { data: { a: 'c' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    assert.deepEqual(srv.seen.map((s) => [s.method, s.headers['content-type'], s.body]), [
      ['PATCH', 'application/merge-patch+json', '{"data":{"a":"c"}}'],
      ['PATCH', 'application/merge-patch+json', '{"data":{"a":"c"}}'],
    ]);
  });

  it('waits the Retry-After the server asked for (1 s), not the backoff', async () => {
    const { core } = client({ retry: {} });
    srv.script(tooMany('1'), { status: 200, body: { kind: 'NodeList', apiVersion: 'v1', metadata: {}, items: [] } });
    await core.listNode();
    const gap = srv.seen[1]!.at - srv.seen[0]!.at;
    assert.ok(gap >= 990 && gap < 1200 + 500, `${gap.toFixed(0)} ms between the attempts`);
  });

  it('a 503 with Retry-After is retried; a bare 503 is not', async () => {
    const { core } = client();
    srv.script({ status: 503, headers: { 'Retry-After': '1' } }, { status: 200, body: cm('x') });
    await core.readNamespacedConfigMap({ name: 'x', namespace: 'demo' });
    assert.equal(srv.seen.length, 2);
    srv.script({ status: 503 });
    await assert.rejects(core.readNamespacedConfigMap({ name: 'x', namespace: 'demo' }), (e) => e instanceof ApiException && e.code === 503);
    assert.equal(srv.seen.length, 3);
  });

  it('gives up after 5 repeats: the caller gets the 429, and it is counted', async () => {
    const { core, metrics } = client();
    srv.fallback = tooMany('1');
    await assert.rejects(core.createNamespacedConfigMap({ namespace: 'demo', body: cm('x') }), (e) => e instanceof ApiException && e.code === 429);
    assert.equal(srv.seen.length, 6);
    assert.equal((await metrics.gaveUp.get()).values[0]?.value, 1);
  });

  it('the request deadline covers the waits: no retry outlives it', async () => {
    const { core } = client({ retry: {}, requestTimeoutMs: 300 });
    srv.fallback = tooMany('5');
    const t0 = performance.now();
    await assert.rejects(core.listNode(), (e: unknown) => /abort|timeout/i.test(String(e)) || /abort|timeout/i.test(String((e as { cause?: unknown }).cause)));
    const took = performance.now() - t0;
    assert.ok(took < 2000, `${took.toFixed(0)} ms`);
    assert.equal(srv.seen.length, 1);
  });

  it('why not undici\'s retry interceptor: under fetch it repeats a GET, but cannot repeat a POST with its body', async () => {
    // client-node's own undici (the one its fetch uses), not whichever the root has.
    const req = createRequire(createRequire(import.meta.url).resolve('@kubernetes/client-node'));
    const undici = req('undici') as Undici8;
    const agent = new undici.Agent().compose(undici.interceptors.retry({ maxRetries: 3, minTimeout: 10, methods: ['GET', 'POST'], statusCodes: [429], throwOnError: false }));
    try {
      srv.script(tooMany('0'), { status: 200 });
      const get = await undici.fetch(`${srv.url}/x`, { dispatcher: agent });
      assert.equal(get.status, 200, 'the GET was repeated');
      await get.text();
      srv.script(tooMany('0'), { status: 200 });
      // The POST never gets its 200: undici 8.12 replays the body iterator fetch handed it,
      // which the first attempt used up, so the repeat carries no body under the old
      // Content-Length and fetch fails (an older undici passes the 429 through instead).
      const post = await undici.fetch(`${srv.url}/x`, { method: 'POST', body: '{"a":1}', dispatcher: agent }).then(
        async (r) => `HTTP ${r.status} ${await r.text()}`,
        (e: unknown) => `failed: ${String((e as { cause?: { name?: string } }).cause?.name ?? e)}`,
      );
      assert.ok(!post.startsWith('HTTP 200'), post);
      assert.ok(srv.seen.filter((s) => s.method === 'POST' && s.body === '{"a":1}').length === 1, 'the body reached the server once');
    } finally {
      await agent.close();
    }
  });
});
