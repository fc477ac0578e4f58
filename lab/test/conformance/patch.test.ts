// Conformance: patch content types, server-side apply, and the /status subresource rules.
import { strict as assert } from 'node:assert';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { ctx, freshNamespace, raw, needsServer } from './harness.js';

describe('conformance: patches, apply and status', function () {
  let ns = '';
  before(async function () {
    await ctx();
    ns = await freshNamespace('patch');
    const c = await ctx();
    await c.core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'svc' }, spec: { ports: [{ port: 80, name: 'http' }] } } });
  });

  it('applies a merge patch through client-node with the MergePatch header', async function () {
    const c = await ctx();
    const s = await c.core.patchNamespacedService({ name: 'svc', namespace: ns, body: { metadata: { labels: { tier: 'web' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    assert.equal(s.metadata?.labels?.['tier'], 'web');
  });

  it('applies a JSON patch (client-node default) and rejects an object body with 400', async function () {
    const c = await ctx();
    const s = await c.core.patchNamespacedService({ name: 'svc', namespace: ns, body: [{ op: 'add', path: '/metadata/annotations', value: { a: '1' } }] });
    assert.equal(s.metadata?.annotations?.['a'], '1');
    const r = await raw('PATCH', `/api/v1/namespaces/${ns}/services/svc`, { metadata: { labels: { x: 'y' } } }, 'application/json-patch+json');
    assert.equal(r.status, 400);
    assert.match(r.body.message, /cannot unmarshal object into Go value of type jsonpatch.Patch/);
  });

  it('merges Service ports by port with a strategic merge patch', async function () {
    const r = await raw('PATCH', `/api/v1/namespaces/${ns}/services/svc`, { spec: { ports: [{ port: 443, name: 'https' }] } }, 'application/strategic-merge-patch+json');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.spec.ports.map((p: any) => p.port).sort(), [443, 80]);
  });

  it('rejects a patch carrying a stale metadata.resourceVersion with 409 Conflict', async function () {
    const r = await raw('PATCH', `/api/v1/namespaces/${ns}/services/svc`, { metadata: { resourceVersion: '1', labels: { z: 'z' } } }, 'application/merge-patch+json');
    assert.equal(r.status, 409);
    assert.equal(r.body.reason, 'Conflict');
  });

  it('rejects server-side apply without fieldManager with 422', async function () {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa0' }, data: { a: '1' } };
    const r = await raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/ssa0`, body, 'application/apply-patch+yaml');
    assert.equal(r.status, 422);
    assert.match(r.body.message, /fieldManager/);
  });

  it('creates with server-side apply and records the manager in managedFields', async function () {
    const body = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa1\ndata:\n  a: "1"\n';
    const r = await raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/ssa1?fieldManager=alice`, body, 'application/apply-patch+yaml');
    assert.equal(r.status, 201);
    assert.equal(r.body.data.a, '1');
    const mf = r.body.metadata.managedFields.find((m: any) => m.manager === 'alice');
    assert.equal(mf.operation, 'Apply');
    assert.ok(mf.fieldsV1['f:data']['f:a']);
  });

  it('answers a conflicting apply by another manager with 409 FieldManagerConflict, and force=true takes ownership', async function () {
    const body = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa1\ndata:\n  a: "2"\n';
    const r = await raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/ssa1?fieldManager=bob`, body, 'application/apply-patch+yaml');
    assert.equal(r.status, 409);
    assert.equal(r.body.reason, 'Conflict');
    assert.equal(r.body.details.causes[0].reason, 'FieldManagerConflict');
    assert.equal(r.body.details.causes[0].field, '.data.a');
    assert.match(r.body.message, /conflict with "alice"/);
    const f = await raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/ssa1?fieldManager=bob&force=true`, body, 'application/apply-patch+yaml');
    assert.equal(f.status, 200);
    assert.equal(f.body.data.a, '2');
    const owners = f.body.metadata.managedFields.filter((m: any) => m.fieldsV1?.['f:data']?.['f:a']).map((m: any) => m.manager);
    assert.deepEqual(owners, ['bob']);
  });

  it('records a new applier of unchanged values as a co-owner (a write), and a repeat apply as a no-op', async function () {
    const body = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa3\ndata:\n  a: "1"\n';
    const first = await raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/ssa3?fieldManager=dave`, body, 'application/apply-patch+yaml');
    const second = await raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/ssa3?fieldManager=erin`, body, 'application/apply-patch+yaml');
    assert.equal(second.status, 200);
    assert.notEqual(second.body.metadata.resourceVersion, first.body.metadata.resourceVersion);
    const owners = second.body.metadata.managedFields.filter((m: any) => m.fieldsV1?.['f:data']?.['f:a']).map((m: any) => m.manager).sort();
    assert.deepEqual(owners, ['dave', 'erin']);
    const again = await raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/ssa3?fieldManager=erin`, body, 'application/apply-patch+yaml');
    assert.equal(again.body.metadata.resourceVersion, second.body.metadata.resourceVersion);
  });

  it('removes a field an applier stops applying', async function () {
    const one = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa2\ndata:\n  keep: "1"\n  drop: "1"\n';
    const two = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa2\ndata:\n  keep: "1"\n';
    assert.equal((await raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/ssa2?fieldManager=carol`, one, 'application/apply-patch+yaml')).status, 201);
    const r = await raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/ssa2?fieldManager=carol`, two, 'application/apply-patch+yaml');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.data, { keep: '1' });
  });

  it('ignores status on a Service main-resource update and spec on /status', async function () {
    await needsServer('1.24', this, 'observed on 1.24; 1.20 records status in managedFields on a main-resource patch, so the RV moves');
    const c = await ctx();
    const s = await c.core.readNamespacedService({ name: 'svc', namespace: ns });
    const main = await raw('PATCH', `/api/v1/namespaces/${ns}/services/svc`, { status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } } }, 'application/merge-patch+json');
    assert.equal(main.status, 200);
    assert.deepEqual(main.body.status.loadBalancer, {});
    assert.equal(main.body.metadata.resourceVersion, s.metadata?.resourceVersion, 'status-only main patch is a no-op');
    const st = await raw('PATCH', `/api/v1/namespaces/${ns}/services/svc/status`, { spec: { sessionAffinity: 'ClientIP' }, status: { loadBalancer: { ingress: [{ ip: '203.0.113.7' }] } } }, 'application/merge-patch+json');
    assert.equal(st.status, 200);
    assert.equal(st.body.status.loadBalancer.ingress[0].ip, '203.0.113.7');
    assert.equal(st.body.spec.sessionAffinity, 'None');
  });

  it('gives Services no metadata.generation', async function () {
    const r = await raw('GET', `/api/v1/namespaces/${ns}/services/svc`);
    assert.equal(r.body.metadata.generation, undefined);
  });

  it('rejects a strategic merge patch on a Service status ingress with a bad IP with 422', async function () {
    const r = await raw('PATCH', `/api/v1/namespaces/${ns}/services/svc/status`, { status: { loadBalancer: { ingress: [{ ip: 'not-an-ip' }] } } }, 'application/merge-patch+json');
    assert.equal(r.status, 422);
    assert.equal(r.body.details.causes[0].field, 'status.loadBalancer.ingress[0].ip');
  });

  it('answers an unknown patch content type with 415', async function () {
    const r = await raw('PATCH', `/api/v1/namespaces/${ns}/services/svc`, { a: 1 }, 'text/plain');
    assert.equal(r.status, 415);
    assert.equal(r.body.reason, 'UnsupportedMediaType');
  });
});
