// The controller against the embedded API server, through real HTTP and @kubernetes/client-node.
import assert from 'node:assert/strict';
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import { Controller } from '@herald/controller';
import { createLogger, createRegistry, systemClock } from '@herald/shared';
import { applyObjects, startTestCluster, type TestCluster } from '@herald/lab';
import { waitFor } from '../../src/harness/wait.js';

const NS = 'herald-system';
const log = createLogger({ component: 'controller', level: 'error' });

function pool(name: string, addresses: string[], extra: Record<string, unknown> = {}) {
  return { apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace: NS }, spec: { addresses, ...extra } };
}

function service(name: string, extra: { annotations?: Record<string, string>; v6?: boolean } = {}): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'demo', annotations: extra.annotations },
    spec: {
      type: 'LoadBalancer',
      selector: { app: name },
      ports: [{ port: 80, protocol: 'TCP' }],
      ...(extra.v6 ? { ipFamilies: ['IPv6'], ipFamilyPolicy: 'SingleStack' } : {}),
    },
  };
}

function startController(kc: KubeConfig, identity: string, leaderElection = false): Controller {
  const c = new Controller({
    kubeConfig: kc,
    namespace: NS,
    lbClass: undefined,
    identity,
    clock: systemClock,
    log: log.child({ identity }),
    registry: createRegistry('controller', false),
    leaderElection,
    leaseDurationSeconds: 3,
    renewDeadlineMs: 2000,
    retryPeriodMs: 300,
  });
  return c;
}

const ingress = (s: V1Service | undefined): string[] => (s?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');

describe('controller against the embedded API server', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;

  beforeEach(async () => {
    cluster = await startTestCluster();
    core = cluster.kubeConfig.makeApiClient(CoreV1Api);
    custom = cluster.kubeConfig.makeApiClient(CustomObjectsApi);
    await applyObjects(cluster.kubeConfig, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } }]);
  });
  afterEach(async () => {
    await cluster.close();
  });

  const get = (name: string) => core.readNamespacedService({ name, namespace: 'demo' });

  it('allocates, writes status, the pool annotation, a condition, an Event and pool status', async () => {
    await applyObjects(cluster.kubeConfig, [pool('small', ['192.0.2.10-192.0.2.11'])]);
    const c = startController(cluster.kubeConfig, 'c1');
    await c.start();
    try {
      await core.createNamespacedService({ namespace: 'demo', body: service('a') });
      const a = await waitFor('status of a', async () => {
        const s = await get('a');
        return ingress(s).length ? s : undefined;
      });
      assert.deepEqual(ingress(a), ['192.0.2.10']);
      const a2 = await waitFor('pool annotation', async () => {
        const s = await get('a');
        return s.metadata?.annotations?.['herald.dev/ip-allocated-from-pool'] ? s : undefined;
      });
      assert.equal(a2.metadata?.annotations?.['herald.dev/ip-allocated-from-pool'], 'small');
      const cond = a2.status?.conditions?.find((x) => x.type === 'herald.dev/IPAllocated');
      assert.equal(cond?.status, 'True');
      assert.equal(cond?.reason, 'Allocated');
      const events = await waitFor('IPAllocated event', async () => {
        const l = await core.listNamespacedEvent({ namespace: 'demo', fieldSelector: 'involvedObject.name=a' });
        return l.items.some((e) => e.reason === 'IPAllocated') ? l.items : undefined;
      });
      assert.match(events.find((e) => e.reason === 'IPAllocated')!.message!, /Assigned 192\.0\.2\.10 from pool small/);

      // Exhaust the pool: the third Service stays pending, with a reason in a condition and an Event.
      await core.createNamespacedService({ namespace: 'demo', body: service('b') });
      await core.createNamespacedService({ namespace: 'demo', body: service('c') });
      const pending = await waitFor('pending condition on c', async () => {
        const s = await get('c');
        const k = s.status?.conditions?.find((x) => x.type === 'herald.dev/IPAllocated');
        return k?.status === 'False' ? k : undefined;
      });
      assert.equal(pending.reason, 'PoolExhausted');
      const poolObj = await waitFor('pool status', async () => {
        const p = (await custom.getNamespacedCustomObject({ group: 'herald.dev', version: 'v1beta1', namespace: NS, plural: 'ipaddresspools', name: 'small' })) as { status?: { assignedIPv4?: number; availableIPv4?: number } };
        return p.status?.assignedIPv4 === 2 ? p : undefined;
      });
      assert.equal(poolObj.status?.availableIPv4, 0);

      // Deleting a holder frees its IP, and the pending Service gets it.
      await core.deleteNamespacedService({ name: 'a', namespace: 'demo' });
      const c2 = await waitFor('c gets the freed IP', async () => {
        const s = await get('c');
        return ingress(s).length ? s : undefined;
      });
      assert.deepEqual(ingress(c2), ['192.0.2.10']);
    } finally {
      await c.stop();
    }
  });

  it('an invalid pool edit is reported by object and field, and assignments stay put', async () => {
    await applyObjects(cluster.kubeConfig, [pool('main', ['192.0.2.0/28'])]);
    const c = startController(cluster.kubeConfig, 'c1');
    await c.start();
    try {
      for (const n of ['x', 'y']) await core.createNamespacedService({ namespace: 'demo', body: service(n) });
      const before = await waitFor('both allocated', async () => {
        const ips = [ingress(await get('x')), ingress(await get('y'))];
        return ips.every((i) => i.length === 1) ? ips : undefined;
      });
      // A second pool overlapping the first: the whole config is invalid.
      await applyObjects(cluster.kubeConfig, [pool('clash', ['192.0.2.8/29'])]);
      const state = await waitFor('ConfigurationState Invalid', async () => {
        const s = (await custom.getNamespacedCustomObject({ group: 'herald.dev', version: 'v1beta1', namespace: NS, plural: 'configurationstates', name: 'controller' })) as { status?: { result?: string; errorSummary?: string } };
        return s.status?.result === 'Invalid' ? s.status : undefined;
      });
      assert.match(state.errorSummary ?? '', /IPAddressPool herald-system\/\w+ spec\.addresses\[0\]: .*overlap/);
      // New Services still work under the last good config, and nothing moved.
      await core.createNamespacedService({ namespace: 'demo', body: service('z') });
      await waitFor('z allocated under the last good config', async () => (ingress(await get('z')).length ? true : undefined));
      assert.deepEqual([ingress(await get('x')), ingress(await get('y'))], before);
    } finally {
      await c.stop();
    }
  });

  it('restarted in the middle of 1,000 Service creations, it moves nothing', async () => {
    await applyObjects(cluster.kubeConfig, [pool('big', ['2001:db8:1::/112'])]);
    let c = startController(cluster.kubeConfig, 'c1');
    await c.start();
    const seen = new Map<string, string>();
    const snapshot = async (): Promise<void> => {
      const l = await core.listNamespacedService({ namespace: 'demo' });
      for (const s of l.items) {
        const ip = ingress(s)[0];
        const name = s.metadata!.name!;
        if (ip === undefined) continue;
        const prev = seen.get(name);
        assert.ok(prev === undefined || prev === ip, `${name} moved from ${prev} to ${ip}`);
        seen.set(name, ip);
      }
    };
    try {
      for (let i = 0; i < 1000; i++) {
        await core.createNamespacedService({ namespace: 'demo', body: service(`s${i}`, { v6: true }) });
        if (i === 500) {
          await snapshot();
          await c.stop();
          c = startController(cluster.kubeConfig, 'c2');
          await c.start();
        }
      }
      await waitFor(
        'all 1,000 allocated',
        async () => {
          const l = await core.listNamespacedService({ namespace: 'demo' });
          return l.items.filter((s) => ingress(s).length === 1).length === 1000 ? true : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      await snapshot();
      assert.ok(seen.size === 1000);
      assert.equal(new Set(seen.values()).size, 1000, 'every Service has its own IP');
    } finally {
      await c.stop();
    }
  });

  it('two replicas never both write; the survivor takes over within the lease', async () => {
    await applyObjects(cluster.kubeConfig, [pool('main', ['192.0.2.0/26'])]);
    const r1 = startController(cluster.kubeConfig, 'r1', true);
    const r2 = startController(cluster.kubeConfig, 'r2', true);
    await Promise.all([r1.start(), r2.start()]);
    let both = 0;
    const watch = setInterval(() => {
      if (r1.isLeader() && r2.isLeader()) both++;
    }, 5);
    try {
      const leader = await waitFor('a leader', () => (r1.isLeader() ? r1 : r2.isLeader() ? r2 : undefined));
      const follower = leader === r1 ? r2 : r1;
      for (let i = 0; i < 10; i++) await core.createNamespacedService({ namespace: 'demo', body: service(`p${i}`) });
      await waitFor('10 allocated', async () => {
        const l = await core.listNamespacedService({ namespace: 'demo' });
        return l.items.filter((s) => ingress(s).length === 1).length === 10 ? true : undefined;
      });
      const writes = async (c: Controller) => (await c.apiWrites.get()).values.reduce((a, v) => a + v.value, 0);
      assert.ok((await writes(leader)) >= 10);
      assert.equal(await writes(follower), 0, 'the follower wrote nothing');
      // The leader goes away (releasing its Lease); the follower takes over and serves new Services.
      await leader.stop();
      await waitFor('follower leads', () => (follower.isLeader() ? true : undefined), { timeoutMs: 5000 });
      await core.createNamespacedService({ namespace: 'demo', body: service('after') });
      await waitFor('after allocated by the new leader', async () => (ingress(await get('after')).length ? true : undefined));
      assert.equal(both, 0, 'never two leaders at once');
    } finally {
      clearInterval(watch);
      await r1.stop();
      await r2.stop();
    }
  });
});
