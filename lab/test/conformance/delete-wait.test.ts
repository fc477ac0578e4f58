// Conformance: what `kubectl delete` (default --wait) asks after each DELETE, answered as
// kube-apiserver answers it. kubectl GETs the object: a 404 ends the wait at once. If the object is
// still there (a finalizer holds it), it lists with fieldSelector=metadata.name=X, limit=500,
// resourceVersion=0 and watches from that list's version with allowWatchBookmarks and
// timeoutSeconds, until DELETED. (Each of those GETs goes through kubectl's own client-side rate
// limiter, 5/s: that, not the server, is what makes `kubectl delete -f` of 2,000 objects take
// ~400 s; see test/src/bench/apiserver-delete.ts.) Cases filter by the names they made.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { missingTools } from '@herald/testkit';
import { ctx, freshNamespace, raw, watchEvents } from './harness.js';

const run = promisify(execFile);
const held = (name: string): unknown => ({ metadata: { name, finalizers: ['example.com/hold'] }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } });
const release = { metadata: { finalizers: null } };

describe('conformance: the requests kubectl delete --wait makes', function () {
  let ns = '';
  before(async function () {
    await ctx();
    ns = await freshNamespace('delwait');
  });

  it('answers the GET after a delete with 404 NotFound and details {name, kind}', async function () {
    assert.equal((await raw('POST', `/api/v1/namespaces/${ns}/services`, { metadata: { name: 'gone' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } })).status, 201);
    const del = await raw('DELETE', `/api/v1/namespaces/${ns}/services/gone`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
    assert.equal(del.status, 200, del.text);
    const got = await raw('GET', `/api/v1/namespaces/${ns}/services/gone`);
    assert.equal(got.status, 404);
    assert.equal(got.body.reason, 'NotFound');
    assert.deepEqual({ name: got.body.details.name, kind: got.body.details.kind }, { name: 'gone', kind: 'services' });
  });

  it('serves the list and watch of an object a finalizer holds, and sends DELETED once the finalizer goes', async function () {
    assert.equal((await raw('POST', `/api/v1/namespaces/${ns}/services`, held('held'))).status, 201);
    assert.equal((await raw('POST', `/api/v1/namespaces/${ns}/services`, held('other'))).status, 201);
    const del = await raw('DELETE', `/api/v1/namespaces/${ns}/services/held`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' });
    assert.equal(del.status, 200, del.text);
    const still = await raw('GET', `/api/v1/namespaces/${ns}/services/held`);
    assert.equal(still.status, 200, 'a finalizer keeps it');
    assert.ok(still.body.metadata.deletionTimestamp, 'with a deletionTimestamp');
    const sel = encodeURIComponent('metadata.name=held');
    const list = await raw('GET', `/api/v1/namespaces/${ns}/services?fieldSelector=${sel}&limit=500&resourceVersion=0`);
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.items.map((i: any) => i.metadata.name), ['held']);
    const evs = await watchEvents(`/api/v1/namespaces/${ns}/services?allowWatchBookmarks=true&fieldSelector=${sel}&resourceVersion=${list.body.metadata.resourceVersion}&timeoutSeconds=60&watch=true`, {
      ms: 10_000,
      max: 1,
      onOpen: async () => {
        await raw('PATCH', `/api/v1/namespaces/${ns}/services/other`, release, 'application/merge-patch+json');
        await raw('PATCH', `/api/v1/namespaces/${ns}/services/held`, release, 'application/merge-patch+json');
      },
    });
    assert.deepEqual(evs.map((e) => `${e.type}:${e.object.metadata.name}`), ['DELETED:held']);
    assert.equal((await raw('GET', `/api/v1/namespaces/${ns}/services/held`)).status, 404);
  });

  it('lets kubectl delete --wait return as soon as the finalizer is removed', async function () {
    this.timeout(60_000);
    if (missingTools(['kubectl']).length > 0) {
      process.stderr.write('\n!!! SKIPPED "kubectl delete --wait": kubectl is not installed\n\n');
      this.skip();
    }
    const c = await ctx();
    assert.equal((await raw('POST', `/api/v1/namespaces/${ns}/services`, held('kept'))).status, 201);
    const dir = mkdtempSync(join(tmpdir(), 'conf-delwait-'));
    try {
      const kc = join(dir, 'kubeconfig');
      writeFileSync(kc, c.kc.exportConfig());
      const t0 = Date.now();
      const deleting = run('kubectl', ['--kubeconfig', kc, '-n', ns, 'delete', 'service', 'kept', '--timeout=30s'], { timeout: 45_000 });
      // Once kubectl's DELETE has landed, release the object.
      for (let i = 0; i < 200; i++) {
        const g = await raw('GET', `/api/v1/namespaces/${ns}/services/kept`);
        if (g.body?.metadata?.deletionTimestamp) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await new Promise((r) => setTimeout(r, 500));
      await raw('PATCH', `/api/v1/namespaces/${ns}/services/kept`, release, 'application/merge-patch+json');
      const { stdout } = await deleting;
      assert.match(stdout, /service "kept" deleted/);
      assert.ok(Date.now() - t0 < 20_000, `kubectl returned after ${Date.now() - t0} ms`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
