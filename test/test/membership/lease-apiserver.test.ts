// Speaker Leases against the embedded API server over HTTP, through the real client-node: the
// LeaseKeeper creates and renews `herald-speaker-<node>` (MicroTime with 6 digits, as the real
// server demands), the K8sMemberSource informers turn Leases and Nodes into the member set, our
// own renewal's echo makes the view fresh, and a peer whose renewals stop is dead by its Lease
// (two members: lease mode). No root needed.
import assert from 'node:assert/strict';
import { CoordinationV1Api, CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';
import { startApiServer, type ApiServer } from '@herald/lab';
import { ResilientInformer, createLogger, systemClock } from '@herald/shared';
import { waitFor } from '../../src/harness/wait.js';
import { membership } from '../../src/membership/speaker-membership.js';

const NS = 'herald-system';
const log = createLogger({ component: 'test', level: 'error' });

describe('speaker Leases against the embedded API server', function () {
  this.timeout(60_000);
  let server: ApiServer | undefined;
  let kc: KubeConfig;
  const keepers: InstanceType<typeof membership.LeaseKeeper>[] = [];
  let source: InstanceType<typeof membership.K8sMemberSource> | undefined;
  let nodeInformer: ResilientInformer<V1Node> | undefined;

  before(async () => {
    server = await startApiServer({ host: '127.0.0.1', port: 0, logger: log });
    kc = new KubeConfig();
    kc.loadFromString(server.kubeconfigYaml());
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } }).catch(() => undefined);
    for (const name of ['node1', 'node2']) {
      await core.createNode({ body: { metadata: { name } } });
      const n = await core.readNode({ name });
      await core.replaceNodeStatus({
        name,
        body: { ...n, status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: name === 'node1' ? '192.0.2.11' : '192.0.2.12' }] } },
      });
    }
  });

  after(async () => {
    for (const k of keepers) k.stop();
    await source?.stop();
    await nodeInformer?.stop();
    await server?.close();
  });

  it('keeps Leases, sees them through informers, and a silent peer whose renewals stop dies by its Lease', async () => {
    const coord = kc.makeApiClient(CoordinationV1Api);
    const lv = new membership.Liveness('node1', { renewDeadlineMs: 1500, k8sGraceMs: 2000, apiStaleAfterMs: 1000, rejoinAfterLeaseFenceMs: 1000 });
    let last: InstanceType<typeof membership.K8sMemberSource> extends { current(): infer M } ? M : never;
    // The speaker hands the member source the Nodes of its own informer; here, one of the test's.
    nodeInformer = new ResilientInformer<V1Node>({ name: 'nodes', kubeConfig: kc, path: '/api/v1/nodes', list: (page) => kc.makeApiClient(CoreV1Api).listNode(page), clock: systemClock, log });
    const src = new membership.K8sMemberSource({
      kubeConfig: kc, namespace: NS, nodes: () => nodeInformer!.list(), clock: systemClock, log,
      onMembers: (m) => {
        last = m;
        lv.setMembers(m.facts, systemClock.now());
      },
    });
    source = src;
    for (const ev of ['add', 'update', 'delete'] as const) nodeInformer.on(ev, () => src.nodesChanged());
    await nodeInformer.start();
    await src.start();
    for (const node of ['node1', 'node2']) {
      const k = new membership.LeaseKeeper({
        api: coord, namespace: NS, node, clock: systemClock, log, leaseDurationSeconds: 2, renewPeriodMs: 200,
        onRenewed: (sentAt, key) => {
          if (node === 'node1') lv.ownLeaseRenewed(sentAt, key, systemClock.now());
        },
      });
      keepers.push(k);
      k.start();
    }

    // The informer delivers both members; the server accepted our MicroTime.
    await waitFor('both members with Leases', () => (last?.facts.get('node2')?.lease && last.facts.get('node1')?.lease ? true : undefined));
    const raw = await coord.readNamespacedLease({ name: 'herald-speaker-node1', namespace: NS });
    assert.equal(raw.spec?.holderIdentity, 'node1');
    assert.ok(raw.spec?.renewTime, 'no renewTime stored');
    const wire = (await (await fetch(`${server!.url}/apis/coordination.k8s.io/v1/namespaces/${NS}/leases/herald-speaker-node1`)).json()) as { spec: { renewTime: string } };
    assert.match(wire.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.deepEqual(last!.addresses.get('node2'), ['192.0.2.12']);
    assert.equal(last!.facts.get('node2')?.nodeReady, true);

    // node1 is unfenced once its renewals echo back (lease mode: after the lease rejoin delay).
    await waitFor('node1 unfenced', () => (lv.view(systemClock.now()).fence.fenced ? undefined : true), { timeoutMs: 10_000 });
    const view = lv.view(systemClock.now());
    assert.equal(view.mode, 'lease');
    assert.equal(membership.statusText(view.members.get('node2')!), 'suspect:heartbeat-silent-lease-mode');

    // node2's speaker stops renewing: once its Lease is 2 s old as of a fresh view, it is dead.
    keepers[1]!.stop();
    const t0 = Date.now();
    await waitFor('node2 dead by Lease', () => (membership.statusText(lv.view(systemClock.now()).members.get('node2')!) === 'dead:lease-expired' ? true : undefined), { timeoutMs: 10_000 });
    assert.ok(Date.now() - t0 >= 1500, 'declared dead before the Lease could have expired');
    assert.equal(lv.view(systemClock.now()).fence.fenced, false, 'node1 fenced itself');

    // A Node change reaches the member set through the Nodes handed in (no Lease event needed).
    const core = kc.makeApiClient(CoreV1Api);
    const n2 = await core.readNode({ name: 'node2' });
    await core.replaceNodeStatus({ name: 'node2', body: { ...n2, status: { ...n2.status, conditions: [{ type: 'Ready', status: 'False' }] } } });
    await waitFor('node2 NotReady in the member set', () => (last?.facts.get('node2')?.nodeReady === false ? true : undefined));
  });
});
