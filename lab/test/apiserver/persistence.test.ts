import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@herald/shared';
import { startApiServer } from '../../src/apiserver/index.js';

const quiet = createLogger({ component: 'apiserver', level: 'error' });

async function req(url: string, method: string, body?: unknown, ct = 'application/json'): Promise<any> {
  const r = await fetch(url, { method, headers: { 'content-type': ct }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
}

describe('apiserver: persistence to a state file', function () {
  let dir = '';
  before(function () { dir = mkdtempSync(join(tmpdir(), 'herald-apiserver-')); });
  after(function () { rmSync(dir, { recursive: true, force: true }); });

  it('keeps objects, CRDs and custom resources across a restart, and resourceVersions keep increasing', async function () {
    const stateFile = join(dir, 'state.json');
    const a = await startApiServer({ stateFile, logger: quiet });
    await req(`${a.url}/api/v1/namespaces`, 'POST', { metadata: { name: 'p' } });
    const svc = await req(`${a.url}/api/v1/namespaces/p/services`, 'POST', { metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } });
    await req(`${a.url}/apis/apiextensions.k8s.io/v1/customresourcedefinitions`, 'POST', {
      metadata: { name: 'things.t.herald.dev' },
      spec: { group: 't.herald.dev', scope: 'Namespaced', names: { plural: 'things', kind: 'Thing' },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } } } }] },
    });
    const cr = await req(`${a.url}/apis/t.herald.dev/v1/namespaces/p/things`, 'POST', { apiVersion: 't.herald.dev/v1', kind: 'Thing', metadata: { name: 'x' }, spec: { a: 1 } });
    assert.equal(cr.status, 201);
    const lastRv = a.currentResourceVersion();
    await a.close();

    const b = await startApiServer({ stateFile, logger: quiet });
    try {
      const got = await req(`${b.url}/api/v1/namespaces/p/services/s`, 'GET');
      assert.equal(got.status, 200);
      assert.equal(got.body.spec.clusterIP, svc.body.spec.clusterIP);
      const thing = await req(`${b.url}/apis/t.herald.dev/v1/namespaces/p/things/x`, 'GET');
      assert.equal(thing.status, 200, 'the CRD is served again after restart');
      assert.deepEqual(thing.body.spec, { a: 1 });
      const next = await req(`${b.url}/api/v1/namespaces/p/configmaps`, 'POST', { metadata: { name: 'after' } });
      assert.ok(Number(next.body.metadata.resourceVersion) > lastRv);
      const dup = await req(`${b.url}/api/v1/namespaces/p/services`, 'POST', { metadata: { name: 's2' }, spec: { clusterIP: svc.body.spec.clusterIP, ports: [{ port: 80 }] } });
      assert.equal(dup.status, 422, 'allocations survive the restart');
    } finally {
      await b.close();
    }
  });
});
