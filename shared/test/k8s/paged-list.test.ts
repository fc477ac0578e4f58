import assert from 'node:assert/strict';
import { ApiException, CoreV1Api, type KubernetesListObject, type V1Service } from '@kubernetes/client-node';
import { listAllPages, PagingError, type ListPage } from '../../src/k8s/paged-list.js';
import { ResilientInformer } from '../../src/k8s/informer.js';
import { PooledKubeConfig } from '../../src/k8s/kubeconfig.js';
import { systemClock } from '../../src/clock.js';
import { createLogger } from '../../src/log.js';
import { kubeconfigFor, startFakeApiServer, type FakeApiServer } from './fake-api-server.js';

type Obj = { metadata: { name: string } };
const objs = (n: number, from = 0): Obj[] => Array.from({ length: n }, (_, i) => ({ metadata: { name: `o${from + i}` } }));

/**
 * A stub server of `total` items at resourceVersion `rv`. `pages`: whether it honours limit.
 * `expireAt`: continue tokens handed out before this many calls are answered 410 once.
 */
function stub(total: number, o: { pages?: boolean; rv?: string; expire?: (call: number, page: ListPage) => boolean } = {}) {
  const calls: ListPage[] = [];
  const fn = async (p: ListPage): Promise<KubernetesListObject<Obj>> => {
    calls.push(p);
    if (o.expire?.(calls.length, p)) throw new ApiException(410, 'Gone', { kind: 'Status', code: 410, reason: 'Expired' }, {});
    const from = p._continue === undefined ? 0 : Number(p._continue.slice(1));
    const n = o.pages === false || p.limit === undefined ? total - from : Math.min(p.limit, total - from);
    const next = from + n < total ? `c${from + n}` : undefined;
    return { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: o.rv ?? '42', ...(next ? { _continue: next, remainingItemCount: total - from - n } : {}) }, items: objs(n, from) };
  };
  return { fn, calls };
}

describe('listAllPages', () => {
  const cases: { desc: string; total: number; limit?: number; pages?: boolean; wantCalls: ListPage[] }[] = [
    { desc: 'follows continue until done, 500 per page by default', total: 1200, wantCalls: [{ limit: 500 }, { limit: 500, _continue: 'c500' }, { limit: 500, _continue: 'c1000' }] },
    { desc: 'one page when it all fits', total: 3, limit: 10, wantCalls: [{ limit: 10 }] },
    { desc: 'an exact multiple ends on the empty token', total: 20, limit: 10, wantCalls: [{ limit: 10 }, { limit: 10, _continue: 'c10' }] },
    { desc: 'a server that does not page returns everything at once', total: 1200, pages: false, wantCalls: [{ limit: 500 }] },
    { desc: 'an empty list', total: 0, wantCalls: [{ limit: 500 }] },
  ];
  for (const c of cases) {
    it(c.desc, async () => {
      const s = stub(c.total, { pages: c.pages });
      const got = await listAllPages(s.fn, { limit: c.limit });
      assert.deepEqual(got.items.map((x) => x.metadata.name), objs(c.total).map((x) => x.metadata.name));
      assert.deepEqual(s.calls, c.wantCalls);
      assert.equal(got.metadata?.resourceVersion, '42');
      assert.equal(got.metadata?._continue, undefined);
    });
  }

  it('a continue token that expires mid-list (410) restarts the list from scratch', async () => {
    const restarts: number[] = [];
    const s = stub(25, { expire: (call) => call === 2 });
    const got = await listAllPages(s.fn, { limit: 10, onRestart: (n) => restarts.push(n) });
    assert.equal(got.items.length, 25, 'nothing twice, nothing missing');
    assert.equal(new Set(got.items.map((x) => x.metadata.name)).size, 25);
    assert.deepEqual(s.calls, [{ limit: 10 }, { limit: 10, _continue: 'c10' }, { limit: 10 }, { limit: 10, _continue: 'c10' }, { limit: 10, _continue: 'c20' }]);
    assert.deepEqual(restarts, [1]);
  });

  it('after 3 expiries in a row it lists once unpaged, as client-go', async () => {
    const s = stub(25, { expire: (_call, p) => p._continue !== undefined });
    const got = await listAllPages(s.fn, { limit: 10 });
    assert.equal(got.items.length, 25);
    assert.deepEqual(s.calls.at(-1), {});
    assert.equal(s.calls.length, 3 * 2 + 1);
  });

  it('a 410 on the first page is not a paging problem: it is thrown', async () => {
    const s = stub(25, { expire: () => true });
    await assert.rejects(listAllPages(s.fn), (e) => e instanceof ApiException && e.code === 410);
    assert.equal(s.calls.length, 1);
  });

  it('a server that repeats the token it was given stops the loop', async () => {
    const fn = async (): Promise<KubernetesListObject<Obj>> => ({ metadata: { _continue: 'same' }, items: objs(1) });
    await assert.rejects(listAllPages(fn), PagingError);
  });
});

describe('ResilientInformer lists in pages', function () {
  this.timeout(20_000);
  let srv: FakeApiServer;
  before(async () => (srv = await startFakeApiServer()));
  after(async () => srv.close());

  it('follows metadata.continue against an HTTP server, then watches from the list\'s resourceVersion', async () => {
    const total = 1234;
    const svc = (i: number) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, namespace: 'demo', resourceVersion: '7' } });
    srv.fallback = (req, res) => {
      const u = new URL(req.url, 'http://x');
      if (u.searchParams.get('watch') === 'true') {
        // Hold the watch open (no events).
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('');
        return;
      }
      const limit = Number(u.searchParams.get('limit'));
      const from = Number(u.searchParams.get('continue') ?? '0');
      const n = Math.min(limit, total - from);
      const next = from + n < total ? String(from + n) : undefined;
      const body = JSON.stringify({ apiVersion: 'v1', kind: 'ServiceList', metadata: { resourceVersion: '99', ...(next ? { continue: next } : {}) }, items: Array.from({ length: n }, (_, i) => svc(from + i)) });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(body);
    };
    const kc = new PooledKubeConfig();
    kc.loadFromString(kubeconfigFor(srv.url));
    const core = kc.makeApiClient(CoreV1Api);
    const inf = new ResilientInformer<V1Service>({
      name: 'services',
      kubeConfig: kc,
      path: '/api/v1/services',
      list: (p) => core.listServiceForAllNamespaces(p),
      clock: systemClock,
      log: createLogger({ component: 'test', level: 'error' }),
    });
    await inf.start();
    try {
      assert.equal(inf.list().length, total);
      const lists = srv.seen.filter((s) => !s.url.includes('watch=true')).map((s) => new URL(s.url, 'http://x').searchParams);
      assert.deepEqual(lists.map((q) => [q.get('limit'), q.get('continue')]), [['500', null], ['500', '500'], ['500', '1000']]);
      const watch = srv.seen.find((s) => s.url.includes('watch=true'));
      assert.equal(new URL(watch!.url, 'http://x').searchParams.get('resourceVersion'), '99');
    } finally {
      await inf.stop();
    }
  });
});
