import { strict as assert } from 'node:assert';
import { request } from 'node:http';
import { KubeConfig, CoreV1Api, type V1Service } from '@kubernetes/client-node';
import { createLogger, ResilientInformer, systemClock } from '@herald/shared';
import { restartApiServer, startApiServer, type ApiServer, type ApiServerOptions } from '../../src/apiserver/index.js';

const quiet = createLogger({ component: 'apiserver', level: 'error' });

async function until(ms: number, ok: () => boolean): Promise<boolean> {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return ok();
}

async function post(url: string, body: unknown): Promise<number> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  await r.text();
  return r.status;
}

/** A raw watch; says whether its stream ended cleanly or was cut. */
function rawWatch(url: string): Promise<{ ended: () => boolean; cut: () => boolean }> {
  return new Promise((resolve, reject) => {
    let ended = false;
    let cut = false;
    const req = request(url, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => { ended = true; });
      res.on('aborted', () => { cut = true; });
      res.on('error', () => { cut = true; });
      resolve({ ended: () => ended, cut: () => cut });
    });
    req.on('error', () => { cut = true; });
    req.once('error', reject);
    req.end();
  });
}

describe('apiserver: restart (kill -9, stall, start over the same storage)', function () {
  this.timeout(60_000);
  let server: ApiServer | undefined;
  let informer: ResilientInformer<V1Service> | undefined;
  afterEach(async function () {
    await informer?.stop();
    await server?.close();
  });

  it('keeps address, objects and resourceVersions; cuts watches; an informer sees no spurious add, update or delete', async function () {
    const opts: ApiServerOptions = { logger: quiet };
    server = await startApiServer(opts);
    const base = server.url;
    assert.equal(await post(`${base}/api/v1/namespaces`, { metadata: { name: 'r' } }), 201);
    for (let i = 0; i < 50; i++) {
      assert.equal(await post(`${base}/api/v1/namespaces/r/services`, { metadata: { name: `s${i}` }, spec: { ipFamilies: ['IPv6'], ports: [{ port: 80 }] } }), 201);
    }
    const kc = new KubeConfig();
    kc.loadFromString(server.kubeconfigYaml());
    const core = kc.makeApiClient(CoreV1Api);
    informer = new ResilientInformer<V1Service>({
      name: 'services', kubeConfig: kc, path: '/api/v1/services', list: () => core.listServiceForAllNamespaces(),
      clock: systemClock, log: quiet, minBackoffMs: 20, maxBackoffMs: 200,
    });
    const seen = { add: [] as string[], update: [] as string[], delete: [] as string[] };
    await informer.start();
    assert.equal(informer.list('r').length, 50);
    for (const ev of ['add', 'update', 'delete'] as const) informer.on(ev, (o) => seen[ev].push(o.metadata?.name ?? ''));
    // Writes elsewhere move the cluster's resourceVersion past the informer's: after the restart
    // its watch is too old for the new (empty) watch window, so it gets 410 and relists.
    for (let i = 0; i < 5; i++) assert.equal(await post(`${base}/api/v1/namespaces/r/configmaps`, { metadata: { name: `c${i}` } }), 201);
    const watch = await rawWatch(`${base}/api/v1/namespaces/r/configmaps?watch=true`);
    const rvBefore = server.currentResourceVersion();
    const before = (await core.readNamespacedService({ name: 's7', namespace: 'r' })).metadata?.resourceVersion;

    const r = await restartApiServer(server, opts, 200);
    server = r.server;
    assert.equal(server.url, base, 'same address');
    assert.ok(r.downMs >= 200, `down ${r.downMs} ms, stall included`);
    assert.equal(server.currentResourceVersion(), rvBefore, 'resourceVersions carry on');
    assert.equal(watch.cut(), true, 'the open watch was cut');
    assert.equal(watch.ended(), false, 'not ended cleanly');
    const after = await core.readNamespacedService({ name: 's7', namespace: 'r' });
    assert.equal(after.metadata?.resourceVersion, before, 'an unchanged object keeps its resourceVersion');

    // One real change after the restart: the informer is live again and sees exactly that.
    await core.patchNamespacedService({ name: 's7', namespace: 'r', body: [{ op: 'add', path: '/metadata/labels', value: { changed: 'yes' } }] });
    assert.ok(await until(20_000, () => seen.update.length > 0), 'the informer came back and saw the change');
    await new Promise((res) => setTimeout(res, 200));
    assert.deepEqual(seen, { add: [], update: ['s7'], delete: [] });
    assert.equal(informer.list('r').length, 50);
    const next = await post(`${base}/api/v1/namespaces/r/configmaps`, { metadata: { name: 'after' } });
    assert.equal(next, 201);
    assert.equal(server.currentResourceVersion(), rvBefore + 2, 'new writes continue the resourceVersion sequence');
  });

  it('restarts over a state file as well, and journals on after the restart', async function () {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'herald-restart-'));
    try {
      const opts: ApiServerOptions = { logger: quiet, stateFile: join(dir, 'state.json') };
      server = await startApiServer(opts);
      assert.equal(await post(`${server.url}/api/v1/namespaces/default/configmaps`, { metadata: { name: 'a' } }), 201);
      server = (await restartApiServer(server, opts)).server;
      assert.equal(await post(`${server.url}/api/v1/namespaces/default/configmaps`, { metadata: { name: 'b' } }), 201);
      const rv = server.currentResourceVersion();
      await server.close();
      server = await startApiServer(opts);
      assert.equal(server.currentResourceVersion(), rv);
      const names = ((await (await fetch(`${server.url}/api/v1/namespaces/default/configmaps`)).json()) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name);
      assert.deepEqual(names, ['a', 'b']);
    } finally {
      await server?.close();
      server = undefined;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
