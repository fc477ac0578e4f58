// Conformance: label and field selectors, Leases (MicroTime, RV-guarded updates), Events.
import { strict as assert } from 'node:assert';
import { V1MicroTime } from '@kubernetes/client-node';
import { ctx, expectApiError, freshNamespace, raw } from './harness.js';

describe('conformance: selectors, leases and events', function () {
  let ns = '';
  before(async function () {
    const c = await ctx();
    ns = await freshNamespace('misc');
    const mk = (name: string, labels: Record<string, string>): Promise<unknown> =>
      c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels } } });
    await mk('a', { app: 'web', tier: 'front' });
    await mk('b', { app: 'db' });
    await mk('c', { tier: 'back' });
  });

  const selCases: { desc: string; input: string; want: string[] }[] = [
    { desc: 'equality with =', input: 'app=web', want: ['a'] },
    { desc: 'equality with ==', input: 'app==db', want: ['b'] },
    { desc: 'inequality (matches missing keys too)', input: 'app!=web', want: ['b', 'c'] },
    { desc: 'set membership in', input: 'app in (web,db)', want: ['a', 'b'] },
    { desc: 'set exclusion notin', input: 'tier notin (front)', want: ['b', 'c'] },
    { desc: 'existence', input: 'tier', want: ['a', 'c'] },
    { desc: 'non-existence', input: '!tier', want: ['b'] },
    { desc: 'conjunction', input: 'app,tier=front', want: ['a'] },
  ];
  for (const tc of selCases) {
    it(`label selector: ${tc.desc}`, async function () {
      const c = await ctx();
      const l = await c.core.listNamespacedConfigMap({ namespace: ns, labelSelector: tc.input });
      assert.deepEqual(l.items.map((i) => i.metadata?.name).filter((n) => n !== 'kube-root-ca.crt').sort(), tc.want);
    });
  }

  it('rejects a malformed label selector with 400 "unable to parse requirement"', async function () {
    const r = await raw('GET', `/api/v1/namespaces/${ns}/configmaps?labelSelector=${encodeURIComponent('app=(x')}`);
    assert.equal(r.status, 400);
    assert.equal(r.body.reason, 'BadRequest');
    assert.match(r.body.message, /unable to parse requirement/);
  });

  it('filters by field selector metadata.name and rejects unknown fields with 400', async function () {
    const ok = await raw('GET', `/api/v1/namespaces/${ns}/configmaps?fieldSelector=metadata.name%3Db`);
    assert.deepEqual(ok.body.items.map((i: any) => i.metadata.name), ['b']);
    const bad = await raw('GET', `/api/v1/namespaces/${ns}/services?fieldSelector=spec.type%3DLoadBalancer`);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.reason, 'BadRequest');
    assert.match(bad.body.message, /spec\.type/);
  });

  it('accepts a Lease with client-node V1MicroTime and rejects a 3-digit fraction with 400', async function () {
    const c = await ctx();
    const now = new V1MicroTime();
    const l = await c.coord.createNamespacedLease({ namespace: ns, body: { metadata: { name: 'mt' }, spec: { holderIdentity: 'a', acquireTime: now, renewTime: now, leaseDurationSeconds: 10 } } });
    assert.equal(l.spec?.holderIdentity, 'a');
    const r = await raw('POST', `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`, { metadata: { name: 'mt2' }, spec: { renewTime: '2024-05-01T10:00:00.679Z' } });
    assert.equal(r.status, 400);
    assert.equal(r.body.reason, 'BadRequest');
    assert.match(r.body.message, /parsing time "2024-05-01T10:00:00.679Z"/);
  });

  it('lets only the first of two Lease writers holding the same resourceVersion win', async function () {
    const c = await ctx();
    const l = await c.coord.createNamespacedLease({ namespace: ns, body: { metadata: { name: 'race' }, spec: { holderIdentity: 'none' } } });
    const one = { ...l, spec: { ...l.spec, holderIdentity: 'one' } };
    const two = { ...l, spec: { ...l.spec, holderIdentity: 'two' } };
    await c.coord.replaceNamespacedLease({ name: 'race', namespace: ns, body: one });
    const body = await expectApiError(c.coord.replaceNamespacedLease({ name: 'race', namespace: ns, body: two }), 409);
    assert.equal(body.reason, 'Conflict');
    const now = await c.coord.readNamespacedLease({ name: 'race', namespace: ns });
    assert.equal(now.spec?.holderIdentity, 'one');
  });

  it('rejects a core/v1 Event whose involvedObject.namespace differs with 422', async function () {
    const r = await raw('POST', `/api/v1/namespaces/${ns}/events`, {
      metadata: { name: 'ev1' }, involvedObject: { kind: 'Service', name: 'x', namespace: 'elsewhere' }, reason: 'Test', message: 'm', type: 'Normal',
    });
    assert.equal(r.status, 422);
    assert.equal(r.body.details.causes[0].field, 'involvedObject.namespace');
  });

  it('filters core/v1 Events by involvedObject.name and reason', async function () {
    const c = await ctx();
    const mk = (name: string, obj: string, reason: string): Promise<unknown> => c.core.createNamespacedEvent({
      namespace: ns, body: { metadata: { name }, involvedObject: { kind: 'Service', name: obj, namespace: ns }, reason, message: 'm', type: 'Normal', source: { component: 'conf' } },
    });
    await mk('e1', 'svc-a', 'Allocated');
    await mk('e2', 'svc-a', 'Failed');
    await mk('e3', 'svc-b', 'Allocated');
    const l = await c.core.listNamespacedEvent({ namespace: ns, fieldSelector: 'involvedObject.name=svc-a,reason=Allocated' });
    assert.deepEqual(l.items.map((e) => e.metadata?.name), ['e1']);
    const bySource = await c.core.listNamespacedEvent({ namespace: ns, fieldSelector: 'source=conf,type=Normal' });
    assert.equal(bySource.items.length, 3);
  });

  it('asks an events.k8s.io/v1 Event without eventTime only for involvedObject.namespace and eventTime', async function () {
    const r = await raw('POST', `/apis/events.k8s.io/v1/namespaces/${ns}/events`, { metadata: { name: 'ev2' }, reason: 'R', type: 'Normal', note: 'n' });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.body.reason, 'Invalid');
    assert.deepEqual(r.body.details.causes.map((x: any) => x.field), ['involvedObject.namespace', 'eventTime']);
    assert.match(r.body.message, /"ev2" is invalid: \[involvedObject\.namespace: Invalid value: "": does not match event\.namespace, eventTime: Required value\]$/);
  });

  it('asks for reportingController, reportingInstance and action once eventTime is set on events.k8s.io/v1', async function () {
    const r = await raw('POST', `/apis/events.k8s.io/v1/namespaces/${ns}/events`, {
      metadata: { name: 'ev4' }, eventTime: new V1MicroTime().toISOString(), reason: 'R', type: 'Normal', note: 'n', regarding: { kind: 'Service', name: 'x', namespace: ns },
    });
    assert.equal(r.status, 422, r.text);
    const fields: string[] = r.body.details.causes.map((x: any) => x.field);
    for (const f of ['reportingController', 'reportingInstance', 'action']) assert.ok(fields.includes(f), `${f} in ${fields.join(', ')}`);
    assert.ok(!fields.includes('eventTime'), 'eventTime is set');
    assert.ok(!fields.includes('involvedObject.namespace'), 'regarding.namespace is the Event\'s');
    const c = await ctx();
    const ok = await c.events.createNamespacedEvent({ namespace: ns, body: {
      metadata: { name: 'ev3' }, eventTime: new V1MicroTime(), reportingController: 'herald.dev/controller', reportingInstance: 'c-1', action: 'Allocate', reason: 'Allocated', type: 'Normal', note: 'ok',
      regarding: { kind: 'Service', name: 'x', namespace: ns },
    } });
    assert.equal(ok.metadata?.name, 'ev3');
  });

  it('serves one Event storage through core/v1 and events.k8s.io/v1', async function () {
    const c = await ctx();
    await c.events.createNamespacedEvent({ namespace: ns, body: {
      metadata: { name: 'both' }, eventTime: new V1MicroTime(), reportingController: 'herald.dev/controller', reportingInstance: 'c-1',
      action: 'Allocate', reason: 'IPAllocated', type: 'Normal', note: 'assigned 203.0.113.5', regarding: { kind: 'Service', name: 'web', namespace: ns },
    } });
    const core = await c.core.readNamespacedEvent({ name: 'both', namespace: ns });
    assert.equal(core.message, 'assigned 203.0.113.5');
    assert.equal(core.involvedObject.name, 'web');
    assert.equal(core.reportingComponent, 'herald.dev/controller');
    const sel = await c.events.listNamespacedEvent({ namespace: ns, fieldSelector: 'regarding.name=web' });
    assert.deepEqual(sel.items.map((e) => e.metadata?.name), ['both']);
    assert.equal(sel.items[0]?.note, 'assigned 203.0.113.5');
  });
});
