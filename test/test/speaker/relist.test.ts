// A relist changes nothing on the wire or in the API: three speakers with 300 Services (L2 and
// BGP) settle; then every connection to the API server is cut and, while the speakers cannot
// reconnect, more writes land than the server keeps watch history for (historyWindow 5), so
// every informer's resourceVersion is too old: each watch gets 410 and lists again, as after an
// API-server restart. The speakers must send no L2 ranking, no route change and no status write
// for state that did not change. Then one Service changes: exactly that one is recomputed.
import assert from 'node:assert/strict';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { IP, PooledKubeConfig, createLogger, mergePatch, systemClock } from '@herald/shared';
import { applyObjects, startTestCluster, type AnyObject, type TestCluster } from '@herald/lab';
import { Speaker, StaticMembership, type Advertisement, type BgpSessionLike, type L2Slot, type SessionStatus } from '@herald/speaker';
import { FakeL2 } from '../../src/harness/fake-l2.js';
import { heraldObject, readyNodes } from '../../src/harness/objects.js';
import { cuttableProxy, type CuttableProxy } from '../../src/harness/tcp-proxy.js';
import { waitFor } from '../../src/harness/wait.js';

const NODES = ['node1', 'node2', 'node3'];
const N = 300;

/** Counts what would go on the wire: L2 rankings sent to the packet thread, route changes to sessions. */
class CountingL2 extends FakeL2 {
  calls = 0;
  slots = 0;
  override setL2(upserts: readonly L2Slot[], removes: readonly string[], reset = false): void {
    this.calls++;
    this.slots += upserts.length + removes.length;
    super.setL2(upserts, removes, reset);
  }
}

class CountingSession implements BgpSessionLike {
  changes = 0;
  readonly table = new Map<string, Advertisement>();
  start(): void {}
  stop(): void {}
  setAdvertised(want: ReadonlyMap<string, Advertisement>): void {
    this.table.clear();
    for (const [k, a] of want) this.table.set(k, a);
  }
  updateAdvertised(changes: ReadonlyMap<string, Advertisement | undefined>): void {
    this.changes += changes.size;
    for (const [k, a] of changes) {
      if (a) this.table.set(k, a);
      else this.table.delete(k);
    }
  }
  status(): SessionStatus {
    return { state: 'established', establishedAt: 0, prefixesSent: this.table.size, updatesSent: 0, updatesReceived: 0, prefixesReceived: 0, lastError: undefined, negotiated: undefined };
  }
}

describe('speaker: a relist of every informer changes nothing', function () {
  this.timeout(120_000);
  let cluster: TestCluster;
  let proxy: CuttableProxy;
  const sinks = new Map<string, CountingL2>();
  const sessions = new Map<string, CountingSession>();
  const speakers: Speaker[] = [];
  const log = createLogger({ component: 'test', level: 'error' });

  const settle = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) await Promise.all(speakers.map((s) => s.idle()));
  };
  const writes = (): number => speakers.reduce((a, s) => a + s.statusWrites(), 0);
  const snapshot = (): { l2: number; routes: number; writes: number } => ({
    l2: [...sinks.values()].reduce((a, s) => a + s.slots, 0),
    routes: [...sessions.values()].reduce((a, s) => a + s.changes, 0),
    writes: writes(),
  });

  before(async () => {
    cluster = await startTestCluster({ historyWindow: 5, log: createLogger({ component: 'apiserver', level: 'error' }) });
    const kc: KubeConfig = cluster.kubeConfig;
    const core = kc.makeApiClient(CoreV1Api);
    await applyObjects(kc, [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
      heraldObject('IPAddressPool', 'l2', { addresses: ['2001:db8:10::/112'] }),
      heraldObject('IPAddressPool', 'bgp', { addresses: ['2001:db8:20::/112'] }),
      heraldObject('L2Advertisement', 'l2', { ipAddressPools: ['l2'] }),
      heraldObject('BGPAdvertisement', 'bgp', { ipAddressPools: ['bgp'] }),
      heraldObject('BGPPeer', 'router', { myASN: 64512, peerASN: 64500, peerAddress: '192.0.2.1' }),
    ]);
    await readyNodes(kc, NODES);
    const objs: AnyObject[] = [];
    for (let i = 0; i < N; i++) {
      objs.push({ apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}`, namespace: 'default' }, spec: { type: 'LoadBalancer', ipFamilies: ['IPv6'], ipFamilyPolicy: 'SingleStack', ports: [{ port: 80, protocol: 'TCP' }], selector: { app: `s${i}` } } });
      objs.push({
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `s${i}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': `s${i}` } },
        addressType: 'IPv6',
        endpoints: NODES.map((n, k) => ({ addresses: [`2001:db8:99::${k + 1}`], nodeName: n, conditions: { ready: true } })),
      });
    }
    await applyObjects(kc, objs);
    for (let i = 0; i < N; i++) {
      const ip = `2001:db8:${i % 2 ? '20' : '10'}::${(i + 1).toString(16)}`;
      await core.patchNamespacedServiceStatus({ name: `s${i}`, namespace: 'default', body: { status: { loadBalancer: { ingress: [{ ip }] } } } }, mergePatch);
    }
    proxy = await cuttableProxy(new URL(cluster.server.url));
    const viaProxy = new PooledKubeConfig();
    viaProxy.loadFromString(cluster.server.kubeconfigYaml().replace(cluster.server.url, proxy.url));
    for (const n of NODES) {
      const membership = new StaticMembership(NODES);
      const sink = new CountingL2(n, membership);
      sinks.set(n, sink);
      speakers.push(
        new Speaker({
          kubeConfig: viaProxy,
          namespace: cluster.namespace,
          node: n,
          lbClass: undefined,
          clock: systemClock,
          log: log.child({ node: n }),
          membership,
          l2: sink,
          sessionFactory: () => {
            const s = new CountingSession();
            sessions.set(n, s);
            return s;
          },
          events: { record: () => undefined },
        }),
      );
    }
    await Promise.all(speakers.map((s) => s.start()));
  });

  after(async () => {
    await Promise.all(speakers.map((s) => s.stop()));
    await proxy?.close();
    await cluster?.close();
  });

  it('settles: every L2 IP has one owner, every node advertises every BGP IP, statuses written', async () => {
    await waitFor('every L2 IP owned once, every BGP route on every node', async () => {
      await settle();
      const l2 = Array.from({ length: N / 2 }, (_, j) => `2001:db8:10::${(2 * j + 1).toString(16)}`);
      const owned = l2.every((ip) => NODES.filter((n) => sinks.get(n)!.has(ip)).length === 1);
      const routes = [...sessions.values()].every((s) => s.table.size === N / 2);
      return owned && routes && sessions.size === 3 ? true : undefined;
    }, { timeoutMs: 60_000 });
    await waitFor('status writes settle', async () => {
      const before = writes();
      await new Promise((r) => setTimeout(r, 300));
      await settle();
      return writes() === before && before >= N ? true : undefined;
    }, { timeoutMs: 60_000 });
  });

  it('every watch cut and expired, every informer relists: no ranking, no route change, no status write', async () => {
    const before = snapshot();
    const kc = cluster.kubeConfig;
    proxy.pause();
    assert.ok(proxy.cut() > 0, 'connections were open to cut');
    // Six writes to every watched kind (the server keeps five events each): changes that touch
    // nothing the speakers announce (a ClusterIP Service, a slice of it, a Node annotation, a
    // Community nobody references, a Secret).
    for (let i = 0; i < 6; i++) {
      await applyObjects(kc, [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'other', namespace: 'default', annotations: { n: String(i) } }, spec: { ipFamilies: ['IPv6'], ipFamilyPolicy: 'SingleStack', ports: [{ port: 80, protocol: 'TCP' }] } },
        { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'other-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 'other' }, annotations: { n: String(i) } }, addressType: 'IPv6', endpoints: [] },
        { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node1', labels: { 'kubernetes.io/hostname': 'node1' }, annotations: { n: String(i) } } },
        heraldObject('Community', 'unused', { communities: [{ name: 'x', value: `64512:${i}` }] }),
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'unused', namespace: cluster.namespace }, data: { n: Buffer.from(String(i)).toString('base64') } },
      ]);
    }
    const from = proxy.requests.length;
    proxy.resume();
    const lists = (path: string): number => proxy.requests.slice(from).filter((r) => r.startsWith(`GET ${path}`) && !r.includes('watch=true')).length;
    await waitFor('every speaker listed Services, EndpointSlices and Nodes again', () => (lists('/api/v1/services') >= 3 && lists('/apis/discovery.k8s.io/v1/endpointslices') >= 3 && lists('/api/v1/nodes') >= 3 ? true : undefined), { timeoutMs: 30_000 });
    // Let the relists land and anything they trigger run.
    await new Promise((r) => setTimeout(r, 3000));
    await settle();
    assert.deepEqual(snapshot(), before);
  });

  it('after the relist, one Service changed: one IP recomputed and its status written', async () => {
    const before = snapshot();
    // s0 (L2) loses its endpoints: no node is eligible, so its IP is ranked by nobody.
    await applyObjects(cluster.kubeConfig, [{ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 's0-x', namespace: 'default', labels: { 'kubernetes.io/service-name': 's0' } }, addressType: 'IPv6', endpoints: [] }]);
    await waitFor('nobody owns s0', async () => {
      await settle();
      return NODES.every((n) => !sinks.get(n)!.has('2001:db8:10::1')) ? true : undefined;
    });
    await settle();
    const after = snapshot();
    assert.equal(after.l2 - before.l2, 3, 'one slot change per speaker');
    assert.equal(after.routes - before.routes, 0);
    assert.equal(after.writes - before.writes, 1, "the old owner's ServiceL2Status deleted");
    assert.equal(speakers[0]!.ownerOf(IP.parse('2001:db8:10::1')), undefined);
  });
});
