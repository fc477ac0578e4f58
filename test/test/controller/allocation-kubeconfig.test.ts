// The controller's basic allocation, against the server in KUBECONFIG (a real kube-apiserver: see
// `make conformance-real`), or without KUBECONFIG against a fresh embedded one. A real server is
// shared and keeps what earlier cases left (1.20 alone has no namespace controller), so this case
// uses namespaces of its own, pins its pool to its own Service namespace (other LoadBalancer
// Services cannot take its IPs) and deletes what it made.
import assert from 'node:assert/strict';
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, type V1Service } from '@kubernetes/client-node';
import { Controller } from '@herald/controller';
import { createLogger, createRegistry, systemClock } from '@herald/shared';
import { applyObjects, heraldCrds, startTestCluster, type TestCluster } from '@herald/lab';
import { waitFor } from '../../src/harness/wait.js';

const HERALD_NS = `herald-kc-${process.pid}`;
const SVC_NS = `demo-kc-${process.pid}`;
const log = createLogger({ component: 'controller', level: 'error' });
const ingress = (s: V1Service | undefined): string[] => (s?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');

function lbService(name: string): V1Service {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: SVC_NS },
    spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80, protocol: 'TCP' }] },
  };
}

describe(`controller allocation against ${process.env['KUBECONFIG'] ? 'the KUBECONFIG server' : 'the embedded API server'}`, function () {
  this.timeout(120_000);
  let kc: KubeConfig;
  let embedded: TestCluster | undefined;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;

  before(async () => {
    if (process.env['KUBECONFIG']) {
      kc = new KubeConfig();
      kc.loadFromDefault();
      // The CRDs are the operator's to install (make conformance-real does); say so if missing.
      const ext = kc.makeApiClient(ApiextensionsV1Api);
      for (const crd of heraldCrds()) {
        const cur = await ext.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' }).catch(() => undefined);
        assert.ok(cur?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'), `CRD ${crd.metadata?.name} is not installed and Established on ${kc.getCurrentCluster()?.server}`);
      }
    } else {
      embedded = await startTestCluster({ namespace: HERALD_NS });
      kc = embedded.kubeConfig;
    }
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    await applyObjects(kc, [HERALD_NS, SVC_NS].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
  });
  after(async function () {
    this.timeout(60_000);
    if (embedded) { await embedded.close(); return; }
    if (core === undefined) return;
    // Delete what this file made: on a server without kube-controller-manager, deleting a
    // namespace does not delete its contents.
    const svcs = await core.listNamespacedService({ namespace: SVC_NS });
    for (const s of svcs.items) await core.deleteNamespacedService({ name: s.metadata!.name!, namespace: SVC_NS });
    await custom.deleteNamespacedCustomObject({ group: 'herald.dev', version: 'v1beta1', namespace: HERALD_NS, plural: 'ipaddresspools', name: 'small' }).catch(() => undefined);
    for (const name of [SVC_NS, HERALD_NS]) await core.deleteNamespace({ name }).catch(() => undefined);
  });

  const get = (name: string) => core.readNamespacedService({ name, namespace: SVC_NS });

  it('a pool and a Service: its IP, the pool annotation, a condition, an Event, pool status; exhaustion; a freed IP moves', async () => {
    await applyObjects(kc, [{
      apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name: 'small', namespace: HERALD_NS },
      spec: { addresses: ['192.0.2.10-192.0.2.11'], serviceAllocation: { namespaces: [SVC_NS] } },
    }]);
    const c = new Controller({
      kubeConfig: kc, namespace: HERALD_NS, lbClass: undefined, identity: 'kc1', clock: systemClock,
      log, registry: createRegistry('controller', false), leaderElection: false,
    });
    await c.start();
    try {
      await core.createNamespacedService({ namespace: SVC_NS, body: lbService('a') });
      const a = await waitFor('a has its IP and the pool annotation', async () => {
        const s = await get('a');
        return ingress(s).length && s.metadata?.annotations?.['herald.dev/ip-allocated-from-pool'] ? s : undefined;
      });
      assert.deepEqual(ingress(a), ['192.0.2.10']);
      assert.equal(a.metadata?.annotations?.['herald.dev/ip-allocated-from-pool'], 'small');
      const cond = a.status?.conditions?.find((x) => x.type === 'herald.dev/IPAllocated');
      assert.equal(cond?.status, 'True');
      assert.equal(cond?.reason, 'Allocated');
      const events = await waitFor('IPAllocated event', async () => {
        const l = await core.listNamespacedEvent({ namespace: SVC_NS, fieldSelector: 'involvedObject.name=a' });
        return l.items.some((e) => e.reason === 'IPAllocated') ? l.items : undefined;
      });
      assert.match(events.find((e) => e.reason === 'IPAllocated')!.message!, /Assigned 192\.0\.2\.10 from pool small/);

      await core.createNamespacedService({ namespace: SVC_NS, body: lbService('b') });
      await core.createNamespacedService({ namespace: SVC_NS, body: lbService('c') });
      const pending = await waitFor('pending condition on c', async () => {
        const k = (await get('c')).status?.conditions?.find((x) => x.type === 'herald.dev/IPAllocated');
        return k?.status === 'False' ? k : undefined;
      });
      assert.equal(pending.reason, 'PoolExhausted');
      const poolObj = await waitFor('pool status', async () => {
        const p = (await custom.getNamespacedCustomObject({ group: 'herald.dev', version: 'v1beta1', namespace: HERALD_NS, plural: 'ipaddresspools', name: 'small' })) as { status?: { assignedIPv4?: number; availableIPv4?: number } };
        return p.status?.assignedIPv4 === 2 ? p : undefined;
      });
      assert.equal(poolObj.status?.availableIPv4, 0);

      await core.deleteNamespacedService({ name: 'a', namespace: SVC_NS });
      const c2 = await waitFor('c gets the freed IP', async () => {
        const s = await get('c');
        return ingress(s).length ? s : undefined;
      });
      assert.deepEqual(ingress(c2), ['192.0.2.10']);
    } finally {
      await c.stop();
    }
  });
});
