// Resident memory (DESIGN §8, issues 6 and 17): the lab's speakers and controller as real
// processes, VmRSS and RssAnon from /proc/<pid>/status (proc-status.ts), idle and at each count of
// LoadBalancer Services (HERALD_BENCH_MEMORY_COUNTS, comma-separated, default 1000,5000; budget
// HERALD_BENCH_MEMORY_BUDGET_S, default 360), and the growth per 1,000 Services between the first
// and last sample. Each Service is
// IPv6 (a /128 from 2001:db8:5::/112) with an EndpointSlice putting a ready backend on every
// node, so every speaker announces every Service: the realistic heavy case (informer caches,
// announcements, Adj-RIB-Out, status objects). Four BGP peers per speaker (issue 6): four
// BGPPeers, to four router addresses, each a separate BIRD protocol; a count is reached only when
// BIRD's RIB holds every prefix from every node on every session. The lab runs without its
// kube-proxy stand-in (no traffic is needed). Created through the API in parallel batches of 50; bounded by a time budget.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, DiscoveryV1Api, type V1EndpointSlice, type V1Service } from '@kubernetes/client-node';
import { createLogger } from '@herald/shared';
import { whyCannotRun } from '@herald/testkit';
import { applyObjects, BirdRouter, Lab, sitePlan, type SitePlan } from '@herald/lab';

import { waitFor } from '../harness/wait.js';
import { rssOf, type Rss } from './proc-status.js';

interface Row {
  what: string;
  value: string;
  target: string;
}

const NS = 'mem';
const SESSIONS = 4;

/** Issue 17's targets. */
const TARGET_IDLE_MB = 90;
const TARGET_10K_MB = 160;
const TARGET_GROWTH_PER_1K_MB = 10;

/** The counts and budget from the environment (run-bench has no arguments per area). */
export function memoryKnobs(env: NodeJS.ProcessEnv): { counts: number[]; budgetMs: number } {
  const raw = env.HERALD_BENCH_MEMORY_COUNTS ?? '1000,5000';
  const counts = raw.split(',').map((x) => Number(x.trim()));
  if (counts.some((n) => !Number.isInteger(n) || n <= 0) || counts.some((n, i) => i > 0 && n <= counts[i - 1]!))
    throw new Error(`HERALD_BENCH_MEMORY_COUNTS: want increasing positive integers, e.g. 1000,5000; got ${JSON.stringify(raw)}`);
  const budgetS = Number(env.HERALD_BENCH_MEMORY_BUDGET_S ?? 360);
  if (!Number.isFinite(budgetS) || budgetS <= 0) throw new Error(`HERALD_BENCH_MEMORY_BUDGET_S: want seconds > 0; got ${JSON.stringify(env.HERALD_BENCH_MEMORY_BUDGET_S)}`);
  return { counts, budgetMs: budgetS * 1000 };
}

/** The memory settings a process runs with, from /proc/PID/environ: what the figures are for. */
export function memoryEnv(environ: string): string {
  const vars = new Map(environ.split('\0').filter((kv) => kv.includes('=')).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return `NODE_OPTIONS=${JSON.stringify(vars.get('NODE_OPTIONS') ?? '')} MALLOC_ARENA_MAX=${vars.get('MALLOC_ARENA_MAX') ?? '(unset)'}`;
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
  readonly speakers: Rss[];
  readonly controller: Rss;
  readonly rib: { routes: number; networks: number };
}

export async function benchMemory(opts: { counts?: readonly number[]; budgetMs?: number } = {}): Promise<{ rows: Row[] }> {
  const why = whyCannotRun({ root: true, tools: ['bird', 'birdc'] });
  if (why) return { rows: [{ what: 'speaker / controller resident memory', value: `SKIPPED: ${why}`, target: `<= ${TARGET_IDLE_MB} MB` }] };
  const knobs = memoryKnobs(process.env);
  const counts = opts.counts ?? knobs.counts;
  const budgetMs = opts.budgetMs ?? knobs.budgetMs;
  const deadline = Date.now() + budgetMs;
  const plan = sitePlan({ prefix: `hlm${process.pid % 100000}`, router: 'bird', nodes: 3, ipv6Routes: true, kubeProxy: false, bgpSessions: SESSIONS });
  const dir = mkdtempSync(join(tmpdir(), 'herald-mem-'));
  const lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'error' }), { persist: false });
  const samples: Sample[] = [];
  const settings: string[] = [];
  const progress = createLogger({ component: 'bench-memory', level: 'info' });
  let note = '';
  const measure = async (n: number, reachedMs: number | undefined, router: BirdRouter): Promise<void> => {
    // Three samples a second apart after a short settle (status writes trail the routes); the peak.
    await new Promise((r) => setTimeout(r, 3000));
    const zero: Rss = { vmRssMb: 0, rssAnonMb: 0 };
    const peak = (a: Rss, b: Rss): Rss => (b.vmRssMb > a.vmRssMb ? b : a);
    const speakers = plan.nodes.map(() => zero);
    let controller = zero;
    for (let k = 0; k < 3; k++) {
      plan.nodes.forEach((node, j) => (speakers[j] = peak(speakers[j]!, rssOf(lab.pid(`speaker-${node.name}`), `speaker-${node.name}`))));
      controller = peak(controller, rssOf(lab.pid('controller'), 'controller'));
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
    for (const role of ['controller', `speaker-${plan.nodes[0]!.name}`]) {
      const pid = lab.pid(role) ?? -1;
      const program = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[1] ?? '?';
      settings.push(`${role}: ${program.replace(/^.*\/(\w+\/dist\/)/, '$1')} ${memoryEnv(readFileSync(`/proc/${pid}/environ`, 'utf8'))}`);
    }
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
      if (made < n || reached === undefined) note = `stopped at the ${Math.round(budgetMs / 60_000)}-minute budget with ${made} of ${n} Services created`;
      await measure(made, reached, router);
      if (note) break;
    }
  } finally {
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows: [...rowsFor(samples, note), { what: 'memory bench: the processes\' memory settings (from /proc/PID/environ)', value: settings.join('; '), target: '-' }] };
}

const mb = (x: number): string => `${x.toFixed(0)} MB`;
const fmt = (r: Rss): string => `${mb(r.vmRssMb)} (anon ${mb(r.rssAnonMb)})`;
const maxOf = (rs: readonly Rss[]): Rss => rs.reduce((a, b) => (b.vmRssMb > a.vmRssMb ? b : a));

/**
 * The figures before issue 17's work, from this bench on this machine (2026-12-04, commit 3cf8126:
 * unbundled, 8 MB semi-spaces, glibc's default arenas, informers trimmed of managedFields only),
 * printed beside the targets so a run shows what changed. Max node for the speaker.
 */
const BEFORE: Readonly<Record<number, { speaker: string; controller: string }>> = {
  0: { speaker: '164 MB (anon 109)', controller: '143 MB (anon 87)' },
  1000: { speaker: '180 MB (anon 125)', controller: '170 MB (anon 114)' },
  5000: { speaker: '224 MB (anon 169)', controller: '208 MB (anon 152)' },
  10000: { speaker: '283 MB (anon 228)', controller: '248 MB (anon 192)' },
};
const BEFORE_GROWTH = { speaker: '11.0 MB per 1,000 (1,000 -> 5,000), 11.5 (1,000 -> 10,000)', controller: '9.4 (1,000 -> 5,000), 8.9 (1,000 -> 10,000)' };

function targetFor(services: number, role: 'speaker' | 'controller'): string {
  const before = BEFORE[services]?.[role];
  const was = before === undefined ? '' : `; before issue 17: ${before}`;
  if (services === 0) return `<= ${TARGET_IDLE_MB} MB${was}`;
  return `<= ${TARGET_10K_MB} MB at 10,000; <= ${TARGET_GROWTH_PER_1K_MB} MB per 1,000${was}`;
}

export function rowsFor(samples: readonly Sample[], note: string): Row[] {
  const rows: Row[] = [];
  for (const s of samples) {
    const at = s.services === 0 ? 'the lab alone (4 Services)' : `${s.services.toLocaleString('en')} IPv6 Services, each with an EndpointSlice, ${SESSIONS} BGP peers per speaker`;
    const reach = s.reachedMs === undefined ? (s.services ? '; BIRD never held them all' : '') : `; created -> all in BIRD's RIB in ${(s.reachedMs / 1000).toFixed(1)} s (${s.rib.networks} prefixes, ${s.rib.routes} paths)`;
    rows.push({ what: `speaker resident memory (VmRSS, max of ${s.speakers.length} nodes; RssAnon): ${at}`, value: `${fmt(maxOf(s.speakers))} (${s.speakers.map((r) => mb(r.vmRssMb)).join(', ')})${reach}`, target: targetFor(s.services, 'speaker') });
    rows.push({ what: `controller resident memory (VmRSS; RssAnon): ${at}`, value: fmt(s.controller), target: targetFor(s.services, 'controller') });
  }
  const loaded = samples.filter((s) => s.services > 0);
  const first = loaded[0];
  const last = loaded[loaded.length - 1];
  if (first && last && last.services > first.services) {
    const per1k = (a: Rss, b: Rss): string => {
      const k = (last.services - first.services) / 1000;
      return `${((b.vmRssMb - a.vmRssMb) / k).toFixed(1)} MB (anon ${((b.rssAnonMb - a.rssAnonMb) / k).toFixed(1)} MB)`;
    };
    const between = `${first.services.toLocaleString('en')} -> ${last.services.toLocaleString('en')} Services`;
    rows.push({ what: `speaker growth per 1,000 Services (max node, VmRSS; RssAnon): ${between}`, value: per1k(maxOf(first.speakers), maxOf(last.speakers)), target: `<= ${TARGET_GROWTH_PER_1K_MB} MB; before issue 17: ${BEFORE_GROWTH.speaker}` });
    rows.push({ what: `controller growth per 1,000 Services (VmRSS; RssAnon): ${between}`, value: per1k(first.controller, last.controller), target: `<= ${TARGET_GROWTH_PER_1K_MB} MB; before issue 17: ${BEFORE_GROWTH.controller}` });
  }
  if (note) rows.push({ what: 'memory bench', value: note, target: '-' });
  return rows;
}
