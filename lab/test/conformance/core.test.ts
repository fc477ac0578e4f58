// Conformance: discovery, create/read/update, resourceVersions, optimistic concurrency, errors.
import { strict as assert } from 'node:assert';
import { ctx, expectApiError, freshNamespace, raw, rv, watchEvents, needsServer } from './harness.js';

describe('conformance: discovery and core semantics', function () {
  let ns = '';
  before(async function () {
    await ctx();
    ns = await freshNamespace('core');
  });

  it('serves /version with major, minor and gitVersion', async function () {
    const r = await raw('GET', '/version');
    assert.equal(r.status, 200);
    assert.match(r.body.major, /^\d+$/);
    assert.match(r.body.gitVersion, /^v1\./);
  });

  it('serves /api, /apis and group/version resource lists with subresources', async function () {
    const api = await raw('GET', '/api');
    assert.equal(api.body.kind, 'APIVersions');
    assert.ok(api.body.versions.includes('v1'));
    const apis = await raw('GET', '/apis');
    const names = apis.body.groups.map((g: any) => g.name);
    for (const g of ['coordination.k8s.io', 'discovery.k8s.io', 'events.k8s.io', 'apiextensions.k8s.io']) assert.ok(names.includes(g), g);
    const v1 = await raw('GET', '/api/v1');
    const res = v1.body.resources.map((r: any) => r.name);
    for (const r of ['services', 'services/status', 'pods', 'nodes/status', 'secrets', 'configmaps', 'events', 'namespaces']) assert.ok(res.includes(r), r);
    const coord = await raw('GET', '/apis/coordination.k8s.io/v1');
    assert.ok(coord.body.resources.some((r: any) => r.name === 'leases' && r.namespaced === true && r.kind === 'Lease'));
  });

  it('answers a resource of an unknown group (a CRD not installed) with a plain-text 404, not a Status', async function () {
    const r = await raw('GET', '/apis/nonexistent.example.com/v1/widgets');
    assert.equal(r.status, 404);
    assert.match(r.contentType, /^text\/plain\b/);
    assert.equal(r.text, '404 page not found\n');
    assert.equal(r.body, undefined, 'not JSON');
  });

  it('answers an unknown resource of a built-in group/version with a 404 NotFound Status', async function () {
    const r = await raw('GET', '/apis/coordination.k8s.io/v1/widgets');
    assert.equal(r.status, 404);
    assert.equal(r.body.kind, 'Status');
    assert.equal(r.body.apiVersion, 'v1');
    assert.equal(r.body.status, 'Failure');
    assert.equal(r.body.reason, 'NotFound');
    assert.equal(r.body.code, 404);
  });

  it('stamps uid, creationTimestamp and a cluster-wide increasing resourceVersion', async function () {
    const c = await ctx();
    const a = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'a' }, data: { x: '1' } } });
    const b = await c.coord.createNamespacedLease({ namespace: ns, body: { metadata: { name: 'b' }, spec: {} } });
    assert.ok(a.metadata?.uid);
    assert.ok(a.metadata?.creationTimestamp);
    assert.ok(rv(b) > rv(a), 'RV increases across resources');
    const list = await c.core.listNamespacedConfigMap({ namespace: ns });
    assert.ok(BigInt(list.metadata?.resourceVersion ?? '0') >= rv(b), 'list RV is at least the newest write');
  });

  it('answers get of a missing object with 404 and details {name, kind}', async function () {
    const r = await raw('GET', `/api/v1/namespaces/${ns}/services/missing`);
    assert.equal(r.status, 404);
    assert.equal(r.body.message, 'services "missing" not found');
    assert.deepEqual(r.body.details, { name: 'missing', kind: 'services' });
  });

  it('answers a duplicate create with 409 AlreadyExists', async function () {
    const c = await ctx();
    await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'dup' } } });
    const body = await expectApiError(c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'dup' } } }), 409);
    assert.equal(body.reason, 'AlreadyExists');
    assert.equal(body.message, 'configmaps "dup" already exists');
    assert.deepEqual(body.details, { name: 'dup', kind: 'configmaps' });
  });

  it('answers a PUT with a stale resourceVersion with 409 Conflict and the exact message', async function () {
    const c = await ctx();
    const s = await c.core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'web' }, spec: { ports: [{ port: 80 }] } } });
    await c.core.patchNamespacedService({ name: 'web', namespace: ns, body: [{ op: 'add', path: '/metadata/labels', value: { a: 'b' } }] });
    const r = await raw('PUT', `/api/v1/namespaces/${ns}/services/web`, { ...s, metadata: { ...s.metadata } });
    assert.equal(r.status, 409);
    assert.equal(r.body.reason, 'Conflict');
    assert.equal(r.body.message, 'Operation cannot be fulfilled on services "web": the object has been modified; please apply your changes to the latest version and try again');
    assert.deepEqual(r.body.details, { name: 'web', kind: 'services' });
  });

  it('accepts a Service PUT without resourceVersion', async function () {
    await needsServer('1.24', this, 'observed on 1.24; 1.20 answers 422 "metadata.resourceVersion: must be specified for an update"');
    const c = await ctx();
    const s = await c.core.readNamespacedService({ name: 'web', namespace: ns });
    const body = { ...s, metadata: { ...s.metadata, resourceVersion: undefined, labels: { a: 'c' } } };
    const r = await raw('PUT', `/api/v1/namespaces/${ns}/services/web`, body);
    assert.equal(r.status, 200);
    assert.equal(r.body.metadata.labels.a, 'c');
  });

  it('rejects a Lease PUT without resourceVersion with 422', async function () {
    const c = await ctx();
    await c.coord.createNamespacedLease({ namespace: ns, body: { metadata: { name: 'l1' }, spec: { holderIdentity: 'x' } } });
    const r = await raw('PUT', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases/l1`, { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: 'l1' }, spec: { holderIdentity: 'y' } });
    assert.equal(r.status, 422);
    assert.equal(r.body.reason, 'Invalid');
    assert.equal(r.body.message, 'leases.coordination.k8s.io "l1" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update');
    assert.equal(r.body.details.kind, 'leases', 'the plural resource, not the Kind');
    assert.equal(r.body.details.group, 'coordination.k8s.io');
    assert.equal(r.body.details.name, 'l1');
    assert.equal(r.body.details.causes[0].field, 'metadata.resourceVersion');
  });

  it('does not bump the resourceVersion or emit an event for a no-op update', async function () {
    const c = await ctx();
    const cm = await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'noop' }, data: { k: 'v' } } });
    const events = await watchEvents(`/api/v1/namespaces/${ns}/configmaps?watch=true&fieldSelector=metadata.name%3Dnoop&resourceVersion=${cm.metadata?.resourceVersion}`, {
      ms: 1500,
      onOpen: async () => {
        const same = await c.core.replaceNamespacedConfigMap({ name: 'noop', namespace: ns, body: cm });
        assert.equal(same.metadata?.resourceVersion, cm.metadata?.resourceVersion);
      },
    });
    assert.deepEqual(events, []);
  });

  it('rejects a body whose namespace differs from the URL with 400', async function () {
    const r = await raw('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'x', namespace: 'other' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.reason, 'BadRequest');
    assert.match(r.body.message, /namespace/);
  });

  it('rejects a create in a namespace that does not exist with 404', async function () {
    const r = await raw('POST', `/api/v1/namespaces/conf-missing-${process.pid}/configmaps`, { metadata: { name: 'x' } });
    assert.equal(r.status, 404);
    assert.equal(r.body.reason, 'NotFound');
    assert.equal(r.body.details.kind, 'namespaces');
  });

  it('pages a list with limit and continue', async function () {
    const c = await ctx();
    for (const n of ['p1', 'p2', 'p3']) await c.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: n }, stringData: { k: n } } });
    const first = await raw('GET', `/api/v1/namespaces/${ns}/secrets?limit=2`);
    assert.equal(first.status, 200);
    assert.equal(first.body.items.length, 2);
    assert.ok(first.body.metadata.continue, 'a continue token');
    const rest = await raw('GET', `/api/v1/namespaces/${ns}/secrets?limit=2&continue=${encodeURIComponent(first.body.metadata.continue)}`);
    const names = [...first.body.items, ...rest.body.items].map((i: any) => i.metadata.name).filter((n: string) => /^p\d$/.test(n)).sort();
    assert.deepEqual(names, ['p1', 'p2', 'p3']);
    assert.equal(rest.body.metadata.continue ?? '', '');
    const p1 = await c.core.readNamespacedSecret({ name: 'p1', namespace: ns });
    assert.equal(Buffer.from(p1.data?.['k'] ?? '', 'base64').toString(), 'p1', 'stringData folded into data');
    const bad = await raw('GET', `/api/v1/namespaces/${ns}/secrets?limit=2&continue=garbage`);
    assert.equal(bad.status, 400);
  });

  it('starts with the default, kube-system, kube-public and kube-node-lease namespaces', async function () {
    const c = await ctx();
    const l = await c.core.listNamespace();
    const names = l.items.map((n) => n.metadata?.name);
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(names.includes(n), n);
  });

  it('answers Accept: as=Table with a meta.k8s.io/v1 Table (what kubectl get prints)', async function () {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
    const r = await raw('GET', `/api/v1/namespaces/${ns}/services`, undefined, 'application/json', accept);
    assert.equal(r.status, 200);
    assert.equal(r.body.kind, 'Table');
    assert.equal(r.body.apiVersion, 'meta.k8s.io/v1');
    const cols = r.body.columnDefinitions.map((c: any) => c.name);
    for (const n of ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age']) assert.ok(cols.includes(n), n);
    const row = r.body.rows.find((x: any) => x.object.metadata.name === 'web');
    assert.equal(row.cells[0], 'web');
    assert.equal(row.object.kind, 'PartialObjectMetadata');
  });

  it('rejects an invalid object name with 422 and a metadata.name cause', async function () {
    const r = await raw('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'Bad_Name' } });
    assert.equal(r.status, 422);
    assert.equal(r.body.details.causes[0].field, 'metadata.name');
    assert.match(r.body.message, /^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"/);
  });
});
