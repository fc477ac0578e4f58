// Resident memory (DESIGN §8, issue 6): the lab's speakers and controller as real processes,
// VmRSS from /proc/<pid>/status, at 1,000 and 10,000 LoadBalancer Services. Each Service is
// IPv6 (a /128 from 2001:db8:5::/112) with an EndpointSlice putting a ready backend on every
// node, so every speaker announces every Service: the realistic heavy case (informer caches,
// announcements, Adj-RIB-Out, status objects). Four BGP peers per speaker (issue 6): four
// BGPPeers, to four router addresses, each a separate BIRD protocol; a count is reached only when
// BIRD's RIB holds every prefix from every node on every session. The lab runs without its
// kube-proxy stand-in (no traffic is needed). Created through the API in parallel batches of 50; bounded by a time budget.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, DiscoveryV1Api, type V1EndpointSlice, type V1Service } from '@kubernetes/client-node';
import { createLogger } from '@herald/shared';
import { whyCannotRun } from '@herald/testkit';
import { applyObjects, BirdRouter, Lab, sitePlan, type SitePlan } from '@herald/lab';

import { waitFor } from '../harness/wait.js';

interface Row {
  what: string;
  value: string;
  target: string;
}

const NS = 'mem';
const SESSIONS = 4;

/** VmRSS of a pid in MB (from /proc), after checking it is a node process (not `ip netns exec`). */
export function rssMb(pid: number): number {
  const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
  if (!argv0.endsWith('node')) throw new Error(`pid ${pid} is ${argv0}, not the node process`);
  const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) / 1024;
}

/** BIRD's "N of M routes for K networks in table master6". */
async function ribCount(router: BirdRouter): Promise<{ routes: number; networks: number }> {
  const out = await router.birdc('show route count table master6');
  const m = /(\d+) of (\d+) routes for (\d+) networks/.exec(out);
  return m ? { routes: Number(m[2]), networks: Number(m[3]) } : { routes: 0, networks: 0 };
}

function service(i: number): V1Service {
  return {
    metadata: { name: `m${i}`, namespace: NS, annotations: { 'herald.dev/address-pool': 'mem' } },
    spec: { type: 'LoadBalancer', ipFamilies: ['IPv6'], ipFamilyPolicy: 'SingleStack', selector: { app: `m${i}` }, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }] },
  };
}

function slice(plan: SitePlan, i: number): V1EndpointSlice {
  return {
    metadata: { name: `m${i}-1`, namespace: NS, labels: { 'kubernetes.io/service-name': `m${i}` } },
    addressType: 'IPv6',
    ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
    endpoints: plan.nodes.map((n) => ({ addresses: [n.ip6], nodeName: n.name, conditions: { ready: true, serving: true, terminating: false } })),
  };
}

interface Sample {
  readonly services: number;
  readonly reachedMs: number | undefined;
  readonly speakers: number[];
  readonly controller: number;
  readonly rib: { routes: number; networks: number };
}

export async function benchMemory(opts: { counts?: readonly number[]; budgetMs?: number } = {}): Promise<{ rows: Row[] }> {
  const why = whyCannotRun({ root: true, tools: ['bird', 'birdc'] });
  if (why) return { rows: [{ what: 'speaker / controller resident memory', value: `SKIPPED: ${why}`, target: '< 80 MB / < 120 MB' }] };
  const counts = opts.counts ?? [1000, 5000];
  const deadline = Date.now() + (opts.budgetMs ?? 6 * 60_000);
  const plan = sitePlan({ prefix: `hlm${process.pid % 100000}`, router: 'bird', nodes: 3, ipv6Routes: true, kubeProxy: false, bgpSessions: SESSIONS });
  const dir = mkdtempSync(join(tmpdir(), 'herald-mem-'));
  const lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'error' }), { persist: false });
  const samples: Sample[] = [];
  const progress = createLogger({ component: 'bench-memory', level: 'info' });
  let note = '';
  const measure = async (n: number, reachedMs: number | undefined, router: BirdRouter): Promise<void> => {
    // Three samples a second apart after a short settle (status writes trail the routes); the peak.
    await new Promise((r) => setTimeout(r, 3000));
    const speakers = plan.nodes.map(() => 0);
    let controller = 0;
    for (let k = 0; k < 3; k++) {
      plan.nodes.forEach((node, j) => (speakers[j] = Math.max(speakers[j]!, rssMb(lab.pid(`speaker-${node.name}`) ?? -1))));
      controller = Math.max(controller, rssMb(lab.pid('controller') ?? -1));
      await new Promise((r) => setTimeout(r, 1000));
    }
    const sample = { services: n, reachedMs, speakers, controller, rib: await ribCount(router) };
    samples.push(sample);
    // On stderr as it is taken, so a long run shows progress (and a hung teardown loses nothing).
    progress.info('memory-sample', sample);
  };
  try {
    const router = lab.routerDriver();
    if (!(router instanceof BirdRouter)) throw new Error('the memory bench needs BIRD as the router');
    const kc = lab.kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    await applyObjects(kc, [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
      { apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name: 'mem', namespace: plan.namespace }, spec: { addresses: ['2001:db8:5::/112'], autoAssign: false } },
      { apiVersion: 'herald.dev/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'mem', namespace: plan.namespace }, spec: { ipAddressPools: ['mem'] } },
    ]);
    const sessions = plan.nodes.length * SESSIONS;
    await waitFor(`${sessions} BGP sessions established`, async () => ((await router.sessions()).filter((s) => s.state === 'established').length === sessions ? true : undefined), { timeoutMs: 60_000, intervalMs: 500 });
    await measure(0, undefined, router);
    let made = 0;
    for (const n of counts) {
      const t0 = Date.now();
      for (; made < n && Date.now() < deadline; made += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, n - made) }, async (_, j) => {
            await discovery.createNamespacedEndpointSlice({ namespace: NS, body: slice(plan, made + j) });
            await core.createNamespacedService({ namespace: NS, body: service(made + j) });
          }),
        );
      }
      made = Math.min(made, n);
      // Reached when BIRD holds every prefix, from every node on every session.
      let reached: number | undefined;
      for (let k = 0; k < 100_000 && Date.now() < deadline; k++) {
        const c = await ribCount(router);
        if (c.networks >= made && c.routes >= made * sessions) {
          reached = Date.now() - t0;
          break;
        }
        await new Promise((r) => setTimeout(r, 500));
      }
      if (made < n || reached === undefined) note = `stopped at the ${Math.round((opts.budgetMs ?? 360_000) / 60_000)}-minute budget with ${made} of ${n} Services created`;
      await measure(made, reached, router);
      if (note) break;
    }
  } finally {
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows: rowsFor(samples, note) };
}

function rowsFor(samples: readonly Sample[], note: string): Row[] {
  const mb = (x: number): string => `${x.toFixed(0)} MB`;
  const rows: Row[] = [];
  for (const s of samples) {
    const at = s.services === 0 ? 'the lab alone (4 Services)' : `${s.services.toLocaleString('en')} IPv6 Services, each with an EndpointSlice, ${SESSIONS} BGP peers per speaker`;
    const reach = s.reachedMs === undefined ? (s.services ? '; BIRD never held them all' : '') : `; created -> all in BIRD's RIB in ${(s.reachedMs / 1000).toFixed(1)} s (${s.rib.networks} prefixes, ${s.rib.routes} paths)`;
    rows.push({ what: `speaker resident memory (VmRSS, max of ${s.speakers.length} nodes): ${at}`, value: `${mb(Math.max(...s.speakers))} (${s.speakers.map(mb).join(', ')})${reach}`, target: '< 80 MB' });
    rows.push({ what: `controller resident memory (VmRSS): ${at}`, value: mb(s.controller), target: '< 120 MB' });
  }
  if (note) rows.push({ what: 'memory bench', value: note, target: '-' });
  return rows;
}
