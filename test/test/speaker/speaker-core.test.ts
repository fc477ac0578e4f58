// Three speaker cores in one process against the embedded API server, each with a fake L2 sink
// that records what it would announce and a static membership saying all three are live.
import assert from 'node:assert/strict';
import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import { IP, createLogger, createRegistry, mergePatch, systemClock, type EventRecorder } from '@herald/shared';
import { applyObjects, startTestCluster, type TestCluster } from '@herald/lab';
import { Speaker, StaticMembership } from '@herald/speaker';
import { FakeL2 } from '../../src/harness/fake-l2.js';
import { heraldObject, readyNodes } from '../../src/harness/objects.js';
import { waitFor } from '../../src/harness/wait.js';

const NODES = ['node1', 'node2', 'node3'];
const IP1 = '192.0.2.10';
const log = createLogger({ component: 'test', level: 'error' });

const events: { node: string; reason: string; message: string }[] = [];
const recorder = (node: string): EventRecorder => ({ record: (_o, _t, reason, message) => events.push({ node, reason, message }) });

describe('speaker cores against the embedded API server (3 nodes, fake announcers)', function () {
  this.timeout(60_000);
  let cluster: TestCluster;
  let kc: KubeConfig;
  let core: CoreV1Api;
  const sinks = new Map<string, FakeL2>();
  const speakers: Speaker[] = [];
  const registry = createRegistry('speaker', false);

  const owners = (ip: string): string[] => NODES.filter((n) => sinks.get(n)!.has(ip));
  const settle = async (): Promise<void> => {
    for (const s of speakers) s.resync();
    await Promise.all(speakers.map((s) => s.idle()));
  };
  const ownerIs = (ip: string, ok: (o: string[]) => boolean, what: string): Promise<string[]> =>
    waitFor(what, async () => {
      await settle();
      const o = owners(ip);
      return ok(o) ? o : undefined;
    });

  async function setEndpoints(name: string, nodes: string[]): Promise<void> {
    await applyObjects(kc, [
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: `${name}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
        addressType: 'IPv4',
        endpoints: nodes.map((n, i) => ({ addresses: [`198.51.100.${i + 1}`], nodeName: n, conditions: { ready: true } })),
      },
    ]);
  }

  async function service(name: string, ip: string, local: boolean): Promise<void> {
    await applyObjects(kc, [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: 'default' },
        spec: { type: 'LoadBalancer', externalTrafficPolicy: local ? 'Local' : 'Cluster', ports: [{ port: 80, protocol: 'TCP' }], selector: { app: name } },
      },
    ]);
    await core.patchNamespacedServiceStatus({ name, namespace: 'default', body: { status: { loadBalancer: { ingress: [{ ip }] } } } }, mergePatch);
  }

  before(async () => {
    cluster = await startTestCluster({ log });
    kc = cluster.kubeConfig;
    core = kc.makeApiClient(CoreV1Api);
    await applyObjects(kc, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }]);
    await applyObjects(kc, [heraldObject('IPAddressPool', 'prod', { addresses: ['192.0.2.0/24'] }), heraldObject('L2Advertisement', 'l2', { ipAddressPools: ['prod'] })]);
    await readyNodes(kc, NODES);
    await service('web', IP1, false);
    await setEndpoints('web', ['node1']);
    for (const n of NODES) {
      const membership = new StaticMembership(NODES);
      const sink = new FakeL2(n, membership);
      sinks.set(n, sink);
      const s = new Speaker({
        kubeConfig: kc,
        namespace: cluster.namespace,
        node: n,
        lbClass: undefined,
        clock: systemClock,
        log: log.child({ node: n }),
        membership,
        l2: sink,
        sessionFactory: undefined,
        events: recorder(n),
        ...(n === NODES[0] ? { registry } : {}),
      });
      speakers.push(s);
    }
    await Promise.all(speakers.map((s) => s.start()));
  });

  after(async () => {
    await Promise.all(speakers.map((s) => s.stop()));
    await cluster?.close();
  });

  it('a Service with an IP in its status: exactly one speaker owns it', async () => {
    const o = await ownerIs(IP1, (x) => x.length === 1, 'one owner of the IP');
    assert.equal(o.length, 1);
    // Every speaker computed the same owner.
    for (const s of speakers) assert.equal(s.ownerOf(IP.parse(IP1)), o[0]);
  });

  it('a ServiceL2Status object names the owner, and only the owner', async () => {
    const custom = kc.makeApiClient(CustomObjectsApi);
    const list = await waitFor('a ServiceL2Status for default/web', async () => {
      const l = (await custom.listNamespacedCustomObject({ group: 'herald.dev', version: 'v1beta1', namespace: 'herald-system', plural: 'servicel2statuses' })) as {
        items: { status?: { node?: string; serviceName?: string; serviceNamespace?: string; interfaces?: { name: string }[] } }[];
      };
      return l.items.length === 1 && l.items[0]!.status?.node ? l.items : undefined;
    });
    assert.deepEqual(list[0]!.status, { node: owners(IP1)[0], serviceName: 'web', serviceNamespace: 'default', interfaces: [{ name: 'eth0' }] });
  });

  it('ETP Local: ownership moves when the owner loses its last local endpoint, with an Event', async () => {
    await service('local', '192.0.2.20', true);
    await setEndpoints('local', ['node2']);
    await ownerIs('192.0.2.20', (o) => o.length === 1 && o[0] === 'node2', 'node2 owns the ETP Local IP');
    events.length = 0;
    await setEndpoints('local', ['node3']);
    await ownerIs('192.0.2.20', (o) => o.length === 1 && o[0] === 'node3', 'ownership moved to node3');
    const ev = await waitFor('the owner-change Event', () => events.find((e) => e.message.startsWith('192.0.2.20 announced from node3')));
    assert.equal(ev.node, 'node3', 'the new owner writes the Event');
    assert.equal(ev.message, '192.0.2.20 announced from node3 (was node2): node2 has no ready local endpoint (externalTrafficPolicy: Local)');
  });

  it('a node labelled exclude-from-external-load-balancers never owns', async () => {
    const owner = (await ownerIs(IP1, (x) => x.length === 1, 'one owner'))[0]!;
    await core.patchNode({ name: owner, body: { metadata: { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': 'true' } } } }, mergePatch);
    const now = await ownerIs(IP1, (o) => o.length === 1 && o[0] !== owner, `ownership leaves ${owner}`);
    assert.notEqual(now[0], owner);
    await core.patchNode({ name: owner, body: { metadata: { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': null } } } }, mergePatch);
  });

  it('an invalid config keeps the last good announcements', async () => {
    const before = await ownerIs(IP1, (x) => x.length === 1, 'one owner');
    const passes = speakers.map((s) => s.passCount);
    await applyObjects(kc, [heraldObject('IPAddressPool', 'prod', { addresses: ['not-an-address'] })]);
    const custom = kc.makeApiClient(CustomObjectsApi);
    await waitFor('ConfigurationState Invalid for every speaker', async () => {
      const l = (await custom.listNamespacedCustomObject({ group: 'herald.dev', version: 'v1beta1', namespace: 'herald-system', plural: 'configurationstates' })) as {
        items: { metadata?: { name?: string }; status?: { result?: string } }[];
      };
      const bad = l.items.filter((i) => i.metadata?.name?.startsWith('speaker-') && i.status?.result === 'Invalid');
      return bad.length === 3 ? bad : undefined;
    });
    await settle();
    assert.ok(speakers.every((s, i) => s.passCount > passes[i]!), 'each speaker reconciled after the bad config');
    assert.deepEqual(owners(IP1), before);
    await applyObjects(kc, [heraldObject('IPAddressPool', 'prod', { addresses: ['192.0.2.0/24'] })]);
  });

  it('a Service deleted: nobody announces it and its ServiceL2Status goes', async () => {
    await core.deleteNamespacedService({ name: 'web', namespace: 'default' });
    await ownerIs(IP1, (o) => o.length === 0, 'nobody owns the deleted service IP');
    const custom = kc.makeApiClient(CustomObjectsApi);
    await waitFor('only the ETP Local service keeps a ServiceL2Status', async () => {
      const l = (await custom.listNamespacedCustomObject({ group: 'herald.dev', version: 'v1beta1', namespace: 'herald-system', plural: 'servicel2statuses' })) as {
        items: { status?: { serviceName?: string; node?: string } }[];
      };
      return l.items.length === 1 && l.items[0]!.status?.serviceName === 'local' && l.items[0]!.status.node === 'node3' ? true : undefined;
    });
  });

  it('the reconcile-pass histogram counts every pass of the speaker it is registered with', async () => {
    await settle();
    const text = await registry.metrics();
    const count = Number(/^herald_speaker_reconcile_duration_seconds_count(?:\{[^}]*\})? (\d+)$/m.exec(text)?.[1]);
    assert.ok(speakers[0]!.passCount > 0);
    assert.equal(count, speakers[0]!.passCount);
  });

  it('DiscoveryV1Api sees the slices the speakers read (sanity of the fixture)', async () => {
    const l = await kc.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({ namespace: 'default' });
    assert.ok(l.items.some((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === 'local'));
  });
});
