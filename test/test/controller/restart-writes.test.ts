// A controller that starts on 10,000 Services that are already right writes nothing: no status,
// annotation, condition, Event, pool status or ConfigurationState. Writes are counted where they
// land, in the embedded API server (every request it serves, through node:http's diagnostics
// channel), not by the controller's own metrics.
import assert from 'node:assert/strict';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, type V1Service } from '@kubernetes/client-node';
import { Allocator, Controller } from '@herald/controller';
import { IP, PooledKubeConfig, createLogger, createRegistry, mergePatch, parseConfig, systemClock } from '@herald/shared';
import { applyObjects, readStateFile, removeJournal, startApiServer, startTestCluster, type ApiServer } from '@herald/lab';
import { waitFor } from '../../src/harness/wait.js';

const NS = 'herald-system';
const N = 10_000;
const POOL = { apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name: 'big', namespace: NS }, spec: { addresses: ['2001:db8:1::/112'] } };
const log = createLogger({ component: 'test', level: 'error' });

interface Req {
  method: string;
  url: string;
  agent: string;
}

/** Every request the server answers, from the moment this is called. */
function countRequests(): { seen: Req[]; stop: () => void } {
  const seen: Req[] = [];
  const on = (msg: unknown): void => {
    const req = (msg as { request: IncomingMessage }).request;
    seen.push({ method: req.method ?? '', url: req.url ?? '', agent: String(req.headers['user-agent'] ?? '') });
  };
  subscribe('http.server.request.start', on);
  return { seen, stop: () => unsubscribe('http.server.request.start', on) };
}

const ipOf = (i: number): string => IP.parse(`2001:db8:1::${(i + 1).toString(16)}`).toString();

/**
 * A state file holding N Services exactly as the controller leaves them, the pool's status as it
 * would write it, and a Valid ConfigurationState. The objects' shapes come from the server itself
 * (one Service created through the API, then copied).
 */
async function settledState(dir: string): Promise<string> {
  const file = join(dir, 'state.json');
  const c = await startTestCluster({ stateFile: file, log });
  const kc = c.kubeConfig;
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  await applyObjects(kc, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } }, POOL]);
  const template = await core.createNamespacedService({ namespace: 'demo', body: { metadata: { name: 'template' }, spec: { type: 'LoadBalancer', ipFamilies: ['IPv6'], ports: [{ port: 80, protocol: 'TCP' }] } } });
  const cs = { group: 'herald.dev', version: 'v1beta1', namespace: NS, plural: 'configurationstates' };
  await custom.createNamespacedCustomObject({ ...cs, body: { apiVersion: 'herald.dev/v1beta1', kind: 'ConfigurationState', metadata: { name: 'controller', namespace: NS } } });
  await custom.patchNamespacedCustomObjectStatus({ ...cs, name: 'controller', body: { status: { result: 'Valid', errorSummary: '', component: 'controller', lastTransitionTime: '2026-01-01T00:00:00Z' } } }, mergePatch);
  await core.deleteNamespacedService({ name: 'template', namespace: 'demo' });
  // What the controller would say about the pool with these N assignments.
  const parsed = parseConfig({ ipAddressPools: [POOL] });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const alloc = new Allocator(parsed.config.pools.values());
  await c.close();

  // The base file plus its journal, as one base file (the server journals writes after its base).
  const state = readStateFile(file) as unknown as { resourceVersion: number; objects: Record<string, Record<string, unknown>[]> };
  removeJournal(file);
  let rv = state.resourceVersion;
  const t = JSON.parse(JSON.stringify(template)) as V1Service & Record<string, unknown>;
  const services: Record<string, unknown>[] = [];
  for (let i = 0; i < N; i++) {
    const ip = ipOf(i);
    const name = `s${i}`;
    const r = alloc.assign({ key: `demo/${name}`, namespace: 'demo', labels: {}, namespaceLabels: {}, requestedIPs: [], requestedPool: undefined, sharingKey: undefined, ports: [{ protocol: 'TCP', port: 80 }], externalTrafficPolicy: 'Cluster', selector: {}, ipFamilyPolicy: 'SingleStack', ipFamilies: [6] }, [IP.parse(ip)]);
    if (!r.ok) throw new Error(`assign ${ip}: ${JSON.stringify(r.reason)}`);
    services.push({
      ...t,
      metadata: { ...t.metadata, name, uid: `00000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, resourceVersion: String(++rv), annotations: { 'herald.dev/ip-allocated-from-pool': 'big' }, managedFields: undefined },
      status: {
        loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] },
        conditions: [{ type: 'herald.dev/IPAllocated', status: 'True', reason: 'Allocated', message: `Assigned ${ip} from pool big`, lastTransitionTime: '2026-01-01T00:00:00Z' }],
      },
    });
  }
  state.objects['/services'] = services;
  const n = alloc.poolStats('big')!.numbers;
  for (const p of state.objects['herald.dev/ipaddresspools'] ?? []) {
    p['status'] = { assignedIPv4: n.assignedIPv4, assignedIPv6: n.assignedIPv6, availableIPv4: n.availableIPv4, availableIPv6: n.availableIPv6 };
  }
  state.resourceVersion = rv;
  writeFileSync(file, JSON.stringify(state));
  return file;
}

describe('controller restart on 10,000 Services that are already right', function () {
  this.timeout(180_000);
  let dir: string;
  let server: ApiServer;
  let kc: PooledKubeConfig;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'herald-restart-'));
    const file = await settledState(dir);
    server = await startApiServer({ stateFile: file, logger: log });
    kc = new PooledKubeConfig({ userAgent: 'herald-controller' });
    kc.loadFromString(server.kubeconfigYaml());
  });
  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes nothing (and proves it could see a write)', async () => {
    const count = countRequests();
    const ctl = new Controller({ kubeConfig: kc, namespace: NS, lbClass: undefined, identity: 'restarted', clock: systemClock, log, registry: createRegistry('controller', false), leaderElection: false });
    try {
      await ctl.start();
      await waitFor('ready', () => (ctl.ready() ? true : undefined), { timeoutMs: 60_000 });
      await ctl.idle();
      // Pool status is written at most once a second, and the config watcher is debounced too:
      // give them time to act.
      await new Promise((r) => setTimeout(r, 2500));
      await ctl.idle();
      const mine = count.seen.filter((r) => r.agent === 'herald-controller');
      const writes = mine.filter((r) => r.method !== 'GET');
      assert.deepEqual(writes.map((w) => `${w.method} ${w.url}`), [], 'no writes');
      const lists = mine.filter((r) => r.method === 'GET' && r.url.startsWith('/api/v1/services?') && !r.url.includes('watch=true'));
      assert.ok(lists.length >= 2 * (N / 500), `the Services were listed in pages of 500 (informer and re-learn): ${lists.length} list requests`);

      // The same counter sees a write when one is due: a Service that lost its annotation gets it back, once.
      const other = new PooledKubeConfig({ userAgent: 'test' });
      other.loadFromString(server.kubeconfigYaml());
      const core = other.makeApiClient(CoreV1Api);
      await core.patchNamespacedService({ name: 's42', namespace: 'demo', body: { metadata: { annotations: { 'herald.dev/ip-allocated-from-pool': null } } } }, mergePatch);
      await waitFor('annotation restored', async () => ((await core.readNamespacedService({ name: 's42', namespace: 'demo' })).metadata?.annotations?.['herald.dev/ip-allocated-from-pool'] === 'big' ? true : undefined));
      await ctl.idle();
      const after = count.seen.filter((r) => r.agent === 'herald-controller' && r.method !== 'GET');
      assert.deepEqual(after.map((w) => `${w.method} ${w.url.split('?')[0]}`), ['PATCH /api/v1/namespaces/demo/services/s42']);
    } finally {
      count.stop();
      await ctl.stop();
    }
  });
});
