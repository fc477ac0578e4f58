import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CoreV1Api, RequestContext, HttpMethod } from '@kubernetes/client-node';
import { PooledKubeConfig } from '../../src/k8s/kubeconfig.js';
import { FakeClock } from '../../src/clock.js';

const yaml = (server: string): string =>
  `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n`;

describe('PooledKubeConfig: a deadline on every request that is not a watch', () => {
  const cases: { desc: string; url: string; want: boolean }[] = [
    { desc: 'a list', url: 'http://192.0.2.1:6443/api/v1/services', want: true },
    { desc: 'a write', url: 'http://192.0.2.1:6443/apis/herald.dev/v1beta1/namespaces/x/servicel2statuses/a/status', want: true },
    { desc: 'a list with a query', url: 'http://192.0.2.1:6443/api/v1/services?labelSelector=a%3Db&watch=false', want: true },
    { desc: 'a watch', url: 'http://192.0.2.1:6443/api/v1/services?watch=true&resourceVersion=5', want: false },
    { desc: 'a watch, parameter not first', url: 'http://192.0.2.1:6443/api/v1/nodes?resourceVersion=5&watch=true', want: false },
  ];
  for (const c of cases) {
    it(`${c.desc}: ${c.want ? 'gets' : 'does not get'} a deadline`, async () => {
      const kc = new PooledKubeConfig();
      kc.loadFromString(yaml('http://192.0.2.1:6443'));
      const ctx = new RequestContext(c.url, HttpMethod.GET);
      await kc.applySecurityAuthentication(ctx);
      assert.equal(ctx.getSignal() !== undefined, c.want);
    });
  }

  describe('against a server that accepts and never answers', () => {
    let server: Server;
    const sockets = new Set<Socket>();
    before(async () => {
      server = createServer(() => undefined);
      server.on('connection', (s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    });
    after(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    });

    it('a request fails at its deadline instead of waiting for TCP to give up', async () => {
      const kc = new PooledKubeConfig({ requestTimeoutMs: 200 });
      kc.loadFromString(yaml(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
      await assert.rejects(kc.makeApiClient(CoreV1Api).listNode(), (err: unknown) => /abort|timeout/i.test(String(err)) || /abort|timeout/i.test(String((err as { cause?: unknown }).cause)));
    });
  });
});

describe('PooledKubeConfig: client-side rate limit', () => {
  const flush = async (): Promise<void> => {
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  const make = (clock: FakeClock, qps = 1, burst = 1): PooledKubeConfig => {
    const kc = new PooledKubeConfig({ qps, burst, clock, userAgent: 'herald-test' });
    kc.loadFromString(yaml('http://192.0.2.1:6443'));
    return kc;
  };
  const ctx = (url: string): RequestContext => new RequestContext(url, HttpMethod.GET);

  it('a watch takes one token when it is established; the next request waits for the refill', async () => {
    const clock = new FakeClock();
    const kc = make(clock);
    await kc.applySecurityAuthentication(ctx('http://192.0.2.1:6443/api/v1/services?watch=true'));
    let sent = false;
    const list = ctx('http://192.0.2.1:6443/api/v1/services');
    void kc.applySecurityAuthentication(list).then(() => (sent = true));
    await flush();
    assert.equal(sent, false);
    assert.equal(list.getSignal(), undefined, 'no deadline runs while the request waits for its token');
    clock.advance(1000);
    await flush();
    assert.equal(sent, true);
    assert.ok(list.getSignal(), 'the deadline starts once it may go');
    assert.equal(list.getHeaders()['User-Agent'], 'herald-test');
  });

  it('a waiting request honours its abort signal', async () => {
    const clock = new FakeClock();
    const kc = make(clock);
    await kc.applySecurityAuthentication(ctx('http://192.0.2.1:6443/api/v1/nodes'));
    const c = ctx('http://192.0.2.1:6443/api/v1/nodes');
    const ac = new AbortController();
    c.setSignal(ac.signal);
    const p = kc.applySecurityAuthentication(c);
    ac.abort(new Error('shutting down'));
    await assert.rejects(p, /shutting down/);
    assert.equal(kc.limiter.waiting, 0);
  });

  it('a fork has its own limiter: a Lease renewal never queues behind bulk writes', async () => {
    const clock = new FakeClock();
    const kc = make(clock);
    const lease = kc.fork();
    await kc.applySecurityAuthentication(ctx('http://192.0.2.1:6443/api/v1/nodes'));
    for (let i = 0; i < 5; i++) void kc.applySecurityAuthentication(ctx('http://192.0.2.1:6443/api/v1/nodes'));
    await flush();
    assert.equal(kc.limiter.waiting, 5);
    let renewed = false;
    void lease.applySecurityAuthentication(ctx('http://192.0.2.1:6443/apis/coordination.k8s.io/v1/namespaces/x/leases/y')).then(() => (renewed = true));
    await flush();
    assert.equal(renewed, true);
    assert.equal(lease.getCurrentCluster()?.server, 'http://192.0.2.1:6443');
  });

  it('refuses --kube-api-qps 0', () => {
    assert.throws(() => new PooledKubeConfig({ qps: 0 }), /qps must be > 0, or negative/);
  });
});
