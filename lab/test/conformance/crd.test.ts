// Conformance: CRDs and custom resources: Established, validation with causes, defaulting,
// pruning, status subresource and generation, 415 on strategic merge, finalizers.
import { strict as assert } from 'node:assert';
import { ctx, freshNamespace, raw, watchEvents, needsServer } from './harness.js';

const group = 'conformance.herald.dev';
const crd = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${group}` },
  spec: {
    group, scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [{
      name: 'v1', served: true, storage: true, subresources: { status: {} },
      schema: {
        openAPIV3Schema: {
          type: 'object',
          properties: {
            spec: {
              type: 'object', required: ['cidr'],
              properties: {
                cidr: { type: 'string', pattern: '^[0-9./]+$' },
                port: { type: 'integer', minimum: 1, maximum: 65535 },
                mode: { type: 'string', default: 'layer2', enum: ['layer2', 'bgp'] },
                extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
              },
            },
            status: { type: 'object', properties: { ready: { type: 'boolean' } } },
          },
        },
      },
    }],
  },
};

describe('conformance: custom resources', function () {
  let ns = '';
  const base = (): string => `/apis/${group}/v1/namespaces/${ns}/widgets`;
  before(async function () {
    this.timeout(30_000);
    const c = await ctx();
    ns = await freshNamespace('crd');
    const existing = await raw('GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
    if (existing.status === 404) {
      const r = await raw('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
      assert.equal(r.status, 201, r.text);
    }
    for (let i = 0; i < 100; i++) {
      const got = await c.ext.readCustomResourceDefinition({ name: crd.metadata.name });
      if (got.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True')) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('CRD never became Established');
  });

  after(async function () {
    const r = await raw('DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
    assert.ok(r.status === 200 || r.status === 404, r.text);
  });

  it('makes a created CRD Established and serves its resource in discovery', async function () {
    const c = await ctx();
    const got = await c.ext.readCustomResourceDefinition({ name: crd.metadata.name });
    assert.ok(got.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True'));
    const d = await raw('GET', `/apis/${group}/v1`);
    assert.equal(d.status, 200);
    assert.ok(d.body.resources.some((r: any) => r.name === 'widgets' && r.kind === 'Widget'));
    assert.ok(d.body.resources.some((r: any) => r.name === 'widgets/status'));
  });

  it('creates a custom resource through CustomObjectsApi with defaults applied and status dropped', async function () {
    const c = await ctx();
    const w: any = await c.custom.createNamespacedCustomObject({
      group, version: 'v1', namespace: ns, plural: 'widgets',
      body: { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1' }, spec: { cidr: '192.0.2.0/24' }, status: { ready: true } },
    });
    assert.equal(w.spec.mode, 'layer2');
    assert.equal(w.status, undefined);
    assert.equal(w.metadata.generation, 1);
  });

  it('rejects an invalid custom resource with 422 Invalid and causes per field', async function () {
    await needsServer('1.24', this, 'observed on 1.24; 1.20 reports a type error as FieldValueInvalid, not FieldValueTypeInvalid');
    const r = await raw('POST', base(), { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'bad' }, spec: { port: 'eighty', mode: 'x' } });
    assert.equal(r.status, 422);
    assert.equal(r.body.reason, 'Invalid');
    assert.equal(r.body.details.kind, 'Widget');
    assert.equal(r.body.details.group, group);
    const fields = r.body.details.causes.map((x: any) => `${x.field}:${x.reason}`).sort();
    assert.deepEqual(fields, ['spec.cidr:FieldValueRequired', 'spec.mode:FieldValueNotSupported', 'spec.port:FieldValueTypeInvalid']);
    assert.match(r.body.message, /^Widget.conformance.herald.dev "bad" is invalid: \[/);
  });

  it('rejects a pattern violation with a FieldValueInvalid cause', async function () {
    const r = await raw('POST', base(), { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'bad2' }, spec: { cidr: 'abc' } });
    assert.equal(r.status, 422);
    assert.equal(r.body.details.causes[0].field, 'spec.cidr');
    assert.match(r.body.details.causes[0].message, /should match/);
  });

  it('prunes unknown fields but keeps x-kubernetes-preserve-unknown-fields subtrees', async function () {
    const r = await raw('POST', base(), { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'pr' }, spec: { cidr: '1/2', bogus: 1, extra: { any: { thing: 1 } } }, top: 'x' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.spec.bogus, undefined);
    assert.equal(r.body.top, undefined);
    assert.deepEqual(r.body.spec.extra, { any: { thing: 1 } });
  });

  it('increments generation only on spec changes, and /status changes only status', async function () {
    const meta = await raw('PATCH', `${base()}/w1`, { metadata: { labels: { a: 'b' } } }, 'application/merge-patch+json');
    assert.equal(meta.body.metadata.generation, 1);
    const spec = await raw('PATCH', `${base()}/w1`, { spec: { port: 8080 } }, 'application/merge-patch+json');
    assert.equal(spec.body.metadata.generation, 2);
    const st = await raw('PATCH', `${base()}/w1/status`, { status: { ready: true }, spec: { port: 1 } }, 'application/merge-patch+json');
    assert.equal(st.status, 200);
    assert.equal(st.body.status.ready, true);
    assert.equal(st.body.spec.port, 8080);
    assert.equal(st.body.metadata.generation, 2);
    const main = await raw('PATCH', `${base()}/w1`, { status: { ready: false } }, 'application/merge-patch+json');
    assert.equal(main.body.status.ready, true, 'main resource ignores status');
  });

  it('answers a strategic merge patch on a custom resource with 415', async function () {
    const r = await raw('PATCH', `${base()}/w1`, { spec: { port: 1 } }, 'application/strategic-merge-patch+json');
    assert.equal(r.status, 415);
    assert.equal(r.body.reason, 'UnsupportedMediaType');
  });

  it('stops serving the custom resources when the CRD is deleted', async function () {
    const name = `gadgets.${group}`;
    const small = { ...crd, metadata: { name }, spec: { ...crd.spec, names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget', listKind: 'GadgetList' } } };
    assert.equal((await raw('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', small)).status, 201);
    const path = `/apis/${group}/v1/namespaces/${ns}/gadgets`;
    for (let i = 0; i < 50 && (await raw('GET', path)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal((await raw('POST', path, { apiVersion: `${group}/v1`, kind: 'Gadget', metadata: { name: 'g' }, spec: { cidr: '1/2' } })).status, 201);
    assert.equal((await raw('DELETE', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`)).status, 200);
    let status = 200;
    for (let i = 0; i < 100 && status !== 404; i++) {
      status = (await raw('GET', path)).status;
      if (status !== 404) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(status, 404);
  });

  it('requires a resourceVersion on a custom resource PUT', async function () {
    const r = await raw('PUT', `${base()}/w1`, { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'w1' }, spec: { cidr: '1/2' } });
    assert.equal(r.status, 422);
    assert.equal(r.body.details.causes[0].field, 'metadata.resourceVersion');
  });

  it('keeps an object with finalizers after DELETE (deletionTimestamp set) until the last finalizer goes', async function () {
    const created = await raw('POST', base(), { apiVersion: `${group}/v1`, kind: 'Widget', metadata: { name: 'fin', finalizers: ['conformance.herald.dev/hold'] }, spec: { cidr: '1/2' } });
    assert.equal(created.status, 201);
    const del = await raw('DELETE', `${base()}/fin`);
    assert.equal(del.status, 200);
    const still = await raw('GET', `${base()}/fin`);
    assert.equal(still.status, 200);
    assert.ok(still.body.metadata.deletionTimestamp);
    const evs = await watchEvents(`${base()}?watch=true&fieldSelector=metadata.name%3Dfin&resourceVersion=${still.body.metadata.resourceVersion}`, {
      max: 1, ms: 5000,
      onOpen: async () => {
        const r = await raw('PATCH', `${base()}/fin`, { metadata: { finalizers: null } }, 'application/merge-patch+json');
        assert.equal(r.status, 200);
      },
    });
    assert.deepEqual(evs.map((e) => e.type), ['DELETED']);
    assert.equal((await raw('GET', `${base()}/fin`)).status, 404);
  });
});
