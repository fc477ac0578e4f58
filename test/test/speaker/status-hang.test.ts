// A speaker whose status writes never return (the API server answers reads but holds every
// ServiceL2Status write: a control plane that is overloaded, or half-reachable) must still move
// an IP when membership says its owner died. Before status writes moved out of the reconcile
// pass, the first pass waited on its write forever and no later pass ever ran.
import assert from 'node:assert/strict';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { createLogger, mergePatch, PooledKubeConfig, systemClock } from '@herald/shared';
import { applyObjects, startTestCluster, type TestCluster } from '@herald/lab';
import { Speaker, StaticMembership } from '@herald/speaker';
import { FakeL2 } from '../../src/harness/fake-l2.js';
import { heraldObject, readyNodes } from '../../src/harness/objects.js';
import { waitFor } from '../../src/harness/wait.js';

const NODES = ['node1', 'node2', 'node3'];
/** Twelve Services, so every node owns some IP and every speaker has a status write held. */
const SERVICES = Array.from({ length: 12 }, (_, i) => ({ name: `web${i}`, ip: `192.0.2.${20 + i}` }));
const log = createLogger({ component: 'test', level: 'error' });

/** Forwards to the API server, except writes to servicel2statuses: those are held, unanswered. */
async function holdingProxy(target: URL): Promise<{ server: Server; url: string; held: () => number; close: () => Promise<void> }> {
  let held = 0;
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' && req.url?.includes('/servicel2statuses')) {
      held++;
      return; // never answered
    }
    const up = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      res.flushHeaders(); // a watch sends its headers before any event
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://127.0.0.1:${port}`,
    held: () => held,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

describe('speaker: a status write that never returns does not hold back failover', function () {
  this.timeout(60_000);
  let cluster: TestCluster;
  let proxy: Awaited<ReturnType<typeof holdingProxy>>;
  const sinks = new Map<string, FakeL2>();
  const members = new Map<string, StaticMembership>();
  const speakers: Speaker[] = [];

  before(async () => {
    cluster = await startTestCluster({ log });
    const kc: KubeConfig = cluster.kubeConfig;
    const core = kc.makeApiClient(CoreV1Api);
    await applyObjects(kc, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }, heraldObject('IPAddressPool', 'prod', { addresses: ['192.0.2.0/24'] }), heraldObject('L2Advertisement', 'l2', { ipAddressPools: ['prod'] })]);
    await readyNodes(kc, NODES);
    for (const { name, ip } of SERVICES) {
      await applyObjects(kc, [
        { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], selector: { app: name } } },
        {
          apiVersion: 'discovery.k8s.io/v1',
          kind: 'EndpointSlice',
          metadata: { name: `${name}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
          addressType: 'IPv4',
          endpoints: NODES.map((n, i) => ({ addresses: [`198.51.100.${i + 1}`], nodeName: n, conditions: { ready: true } })),
        },
      ]);
      await core.patchNamespacedServiceStatus({ name, namespace: 'default', body: { status: { loadBalancer: { ingress: [{ ip }] } } } }, mergePatch);
    }

    proxy = await holdingProxy(new URL(cluster.server.url));
    const viaProxy = new PooledKubeConfig();
    viaProxy.loadFromString(cluster.server.kubeconfigYaml().replace(cluster.server.url, proxy.url));
    for (const n of NODES) {
      const m = new StaticMembership(NODES);
      const sink = new FakeL2(n, m);
      sinks.set(n, sink);
      members.set(n, m);
      speakers.push(
        new Speaker({
          kubeConfig: viaProxy,
          namespace: cluster.namespace,
          node: n,
          lbClass: undefined,
          clock: systemClock,
          log: log.child({ node: n }),
          membership: m,
          l2: sink,
          sessionFactory: undefined,
          events: { record: () => undefined },
        }),
      );
    }
    await Promise.all(speakers.map((s) => s.start()));
  });

  after(async () => {
    // stop() tries to remove this node's status objects once; the proxy is closed first so
    // those writes fail at once instead of hanging.
    await proxy?.close();
    await Promise.all(speakers.map((s) => s.stop()));
    await cluster?.close();
  });

  it('a node dies while every speaker has a status write hanging: its IPs move to survivors', async () => {
    const ownersOf = (ip: string): string[] => NODES.filter((n) => sinks.get(n)!.has(ip));
    await waitFor('one owner for every IP', () => (SERVICES.every((s) => ownersOf(s.ip).length === 1) ? true : undefined));
    for (const n of NODES) assert.ok(sinks.get(n)!.owned.length > 0, `${n} owns no IP: the test needs every speaker to have a status write to hang on`);
    await waitFor('a status write held for every speaker', () => (proxy.held() >= NODES.length ? true : undefined));
    const dead = NODES[0]!;
    const moved = SERVICES.filter((s) => ownersOf(s.ip)[0] === dead);
    assert.ok(moved.length > 0);
    const rest = NODES.filter((n) => n !== dead);
    for (const n of rest) members.get(n)!.set(rest);
    await waitFor(`every IP of ${dead} owned by exactly one survivor`, () =>
      moved.every((s) => ownersOf(s.ip).filter((n) => n !== dead).length === 1) ? true : undefined,
    );
    for (const s of SERVICES) assert.equal(ownersOf(s.ip).filter((n) => n !== dead).length, 1, `${s.ip}: one survivor owns it`);
  });
});
