// One run of the load-burst bench: a fresh lab (3 nodes, BIRD, no kube-proxy stand-in), sample
// L2 Services the burst never touches under the L2 watcher, then N L2 Services and their
// EndpointSlices as fast as the API server takes them, idle or under the CPU hog. It records
// what the speakers logged in the window, the sample IPs' silences, the time until every burst IP
// is owned and answers, and memory before and after; optionally `kubectl delete -f` of the burst.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { createLogger, type Logger } from '@herald/shared';
import { Lab, siteNamespaces, sitePlan, type SitePlan } from '@herald/lab';
import { sleep } from '../harness/wait.js';
import { burstService, burstSlice, createBurst, serviceName, type BurstSpec, type CreateResult } from './burst.js';
import { CpuHog, cpuPressure, sampleCores, type HogCheck } from './cpu-hog.js';
import { nodeMac } from './l2-trial.js';
import { L2Tracker } from './l2-tracker.js';
import { L2Watch, type IpReport } from './l2-watch.js';
import { applyLoadPools, heraldMemory, kernelReference, SAMPLE, startSamples, type ProcessMemory } from './load-site.js';
import { speakerWindow, type WindowCounts } from './speaker-log.js';

export type Load = 'idle' | 'hog';

export interface Silences {
  readonly samples: readonly IpReport[];
  /** A node's own addresses, answered by its kernel: the network's and the watcher's floor. */
  readonly kernel: readonly IpReport[];
  /** The watcher's own longest gap between probe rounds. */
  readonly selfGapMs: number;
}

export interface Convergence {
  /** Last create -> every burst Service has an IP (the controller's part). */
  readonly ipMs: number | undefined;
  readonly withIp: number;
  /** Last create -> every burst Service owned (one ServiceL2Status, an IP). */
  readonly ownedMs: number | undefined;
  /** Last create -> every burst IP answering the watcher (announced; its status may come later). */
  readonly readyMs: number | undefined;
  /** Per Service: its EndpointSlice created -> its IP first answered. */
  readonly perServiceMs: readonly number[];
  readonly owned: number;
  readonly answered: number;
  /** Answered by a MAC other than the owner's (per its ServiceL2Status), or by two MACs. */
  readonly wrongNode: number;
  readonly twoMacs: number;
}

export interface DeleteResult {
  readonly objects: number;
  readonly wallMs: number;
  /** The sum of kubectl's own client-side throttling waits, from its -v=4 log. */
  readonly throttledMs: number;
  /** kubectl returned -> the last ServiceL2Status of the burst gone. */
  readonly withdrawnMs: number | undefined;
  readonly counts: WindowCounts;
  readonly silences: Silences;
}

export interface RunResult {
  readonly n: number;
  readonly load: Load;
  readonly create: { services: CreateResult; slices: CreateResult };
  readonly hog: { start: HogCheck | undefined; end: HogCheck | undefined } | undefined;
  /** Idle runs: how busy the cores were just before the burst (others' work shows here). */
  readonly machine: HogCheck | undefined;
  /** CPU pressure (PSI some avg10, 0..1) as the burst began and as the window closed. */
  readonly pressure: { readonly start: number | undefined; readonly end: number | undefined };
  readonly counts: WindowCounts;
  readonly silences: Silences;
  readonly convergence: Convergence;
  readonly memIdle: ProcessMemory;
  readonly memAfter: ProcessMemory;
  readonly windowMs: number;
  readonly convergeBudgetMs: number;
  readonly del: DeleteResult | undefined;
}

export interface RunOptions {
  readonly n: number;
  readonly load: Load;
  readonly kubectlDelete: boolean;
  /** For the Services, and again for their EndpointSlices. */
  readonly createBudgetMs: number;
  readonly convergeBudgetMs: number;
  readonly settleMs: number;
}

export function burstSpec(n: number): BurstSpec {
  // Mostly IPv6: the LAN's IPv4 documentation range has 128 addresses to spare.
  return { namespace: 'burst', prefix: 'b', count: n, ipv4: Math.min(100, Math.floor(n / 10)), pool4: 'burst4', pool6: 'burst6' };
}

/**
 * Sweeps burst IPs that have an address but have not answered yet, until all answer; bounded by
 * the deadline. An IP counts as announced when it answers, whether or not its ServiceL2Status is
 * written yet: the status is the report, the answer is the service. Who answered is checked at
 * the end against the owner the status names.
 */
async function converge(plan: SitePlan, spec: BurstSpec, tracker: L2Tracker, watch: L2Watch, slicesAt: readonly (number | undefined)[], lastCreate: number, deadline: number): Promise<Convergence> {
  const names = Array.from({ length: spec.count }, (_, i) => serviceName(spec, i));
  const answeredAt = new Map<string, number>();
  const answeredBy = new Map<string, ReadonlySet<string>>();
  const ownedP = tracker.until((t) => t.owned().size >= spec.count, deadline);
  const ipP = tracker.until((t) => t.withIp() >= spec.count, deadline);
  for (let k = 0; k < 100_000 && Date.now() < deadline && answeredAt.size < names.length; k++) {
    const ips = tracker.ips();
    const pending = names.filter((s) => (ips.get(s)?.length ?? 0) > 0 && !answeredAt.has(s));
    if (pending.length === 0) {
      await sleep(200);
      continue;
    }
    const res = await watch.sweep(pending.flatMap((s) => ips.get(s) ?? []), { waitMs: 300 });
    for (const s of pending) {
      const got = (ips.get(s) ?? []).map((ip) => res.get(ip));
      if (got.length === 0 || got.some((g) => g === undefined)) continue;
      answeredAt.set(s, Math.max(...got.map((g) => g!.t)));
      answeredBy.set(s, new Set(got.flatMap((g) => g!.macs)));
    }
  }
  const ownedAll = await ownedP;
  const ipAll = await ipP;
  const owned = tracker.owned();
  let wrongNode = 0;
  let twoMacs = 0;
  for (const [s, macs] of answeredBy) {
    if (macs.size > 1) twoMacs++;
    const owner = owned.get(s);
    if (owner && !macs.has(nodeMac(plan, owner))) wrongNode++;
  }
  const perServiceMs = names.flatMap((s, i) => {
    const a = answeredAt.get(s);
    const c = slicesAt[i];
    return a !== undefined && c !== undefined ? [Math.max(0, a - c)] : [];
  });
  const readyAll = answeredAt.size === names.length ? Math.max(...answeredAt.values()) : undefined;
  return {
    ipMs: ipAll === undefined ? undefined : Math.max(0, ipAll - lastCreate),
    withIp: tracker.withIp(),
    ownedMs: ownedAll === undefined ? undefined : Math.max(0, ownedAll - lastCreate),
    readyMs: readyAll === undefined ? undefined : Math.max(0, readyAll - lastCreate),
    perServiceMs,
    owned: tracker.owned().size,
    answered: answeredAt.size,
    wrongNode,
    twoMacs,
  };
}

function silences(watch: L2Watch, sampleIps: readonly string[], kernel: readonly string[], from: number, to: number): Silences {
  return { samples: watch.report(sampleIps, from, to), kernel: watch.report(kernel, from, to), selfGapMs: watch.selfGap(from, to) };
}

async function kubectlDelete(lab: Lab, spec: BurstSpec, tracker: L2Tracker, watch: L2Watch, sampleIps: readonly string[], settleMs: number): Promise<DeleteResult> {
  const file = join(lab.dir, 'burst.json');
  const items = [...Array.from({ length: spec.count }, (_, i) => burstService(spec, i)), ...Array.from({ length: spec.count }, (_, i) => burstSlice(lab.plan, spec, i))];
  writeFileSync(file, JSON.stringify({ apiVersion: 'v1', kind: 'List', items }));
  const t0 = Date.now();
  // -v=4 makes kubectl log each wait of its own client-side rate limiter, so the row can say how
  // much of the wall time was kubectl pacing itself rather than the API server.
  const stderr = await runStderr(['kubectl', '-v=4', '--kubeconfig', lab.hostKubeconfig, 'delete', '-f', file], 900_000);
  const done = Date.now();
  const gone = await tracker.until((t) => t.statusCount() === 0, done + 120_000);
  await sleep(settleMs);
  const t1 = Date.now();
  const nodes = lab.plan.nodes.map((n) => n.name);
  return {
    objects: items.length,
    wallMs: done - t0,
    throttledMs: kubectlThrottleMs(stderr),
    withdrawnMs: gone === undefined ? undefined : gone - done,
    // Only the sample IPs were owned before and must stay: the burst's own IPs are going away.
    counts: speakerWindow(lab.dir, nodes, t0, t1, { ownedBefore: new Set(sampleIps), learnFromLog: false, machineStalls: watch.selfGaps(t0, t1, MACHINE_STALL_MS) }),
    silences: silences(watch, sampleIps, kernelReference(lab.plan), t0, t1),
  };
}

/** Sum of "Waited for 196.3ms due to client-side throttling" lines (kubectl -v=4), in ms. */
export function kubectlThrottleMs(log: string): number {
  let ms = 0;
  for (const m of log.matchAll(/Waited for ([\d.]+)(ms|s) due to client-side throttling/g)) ms += Number(m[1]) * (m[2] === 's' ? 1000 : 1);
  return ms;
}

/** Runs a command on the host; its stderr (bounded in time and size), rejecting on failure. */
function runStderr(argv: readonly string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${argv.join(' ')} failed: ${stderr.slice(-500) || err.message}`, { cause: err }));
      else resolve(stderr);
    });
  });
}

/**
 * A gap this long between the router-side watcher's probe rounds is a stall of the whole machine:
 * the watcher runs at nice -10 beside the CPU hog, so when it cannot run, nothing can (in a run
 * of 2026-12-04 the controller logged nothing and all three speakers woke together).
 */
const MACHINE_STALL_MS = 200;

/** The L2 IPs the lab's own Services hold (they were owned before any window). */
async function labL2Ips(lab: Lab): Promise<string[]> {
  const svcs = await lab.kubeConfig().makeApiClient(CoreV1Api).listNamespacedService({ namespace: 'demo' });
  return svcs.items.flatMap((s) => (s.status?.loadBalancer?.ingress ?? []).flatMap((x) => (x.ip ? [x.ip] : [])));
}

export async function loadBurstRun(o: RunOptions, progress: Logger): Promise<RunResult> {
  const plan = sitePlan({ prefix: `hlb${process.pid % 100000}`, router: 'bird', nodes: 3, kubeProxy: false });
  const dir = mkdtempSync(join(tmpdir(), 'herald-burst-'));
  const spec = burstSpec(o.n);
  let lab: Lab | undefined;
  let watch: L2Watch | undefined;
  let hog: CpuHog | undefined;
  let sampleT: L2Tracker | undefined;
  let burstT: L2Tracker | undefined;
  try {
    lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'error' }), { persist: false });
    const kc = lab.kubeConfig();
    sampleT = new L2Tracker(kc, SAMPLE.namespace, plan.namespace);
    burstT = new L2Tracker(kc, spec.namespace, plan.namespace);
    await applyLoadPools(lab, [SAMPLE.namespace, spec.namespace]);
    await Promise.all([sampleT.start(), burstT.start()]);
    watch = await L2Watch.start(siteNamespaces(plan).router, { ip4: plan.router.ip4, ip6: plan.router.ip6 });
    const sampleIps = [...(await startSamples(lab, sampleT, watch)).values()].flat();
    const kernel = kernelReference(plan);
    watch.watch([...sampleIps, ...kernel], 20);
    const ownedBefore = new Set([...sampleIps, ...(await labL2Ips(lab))]);
    await sleep(2000);
    const memIdle = heraldMemory(lab);
    const machine = o.load === 'idle' ? await sampleCores([]) : undefined;
    if (o.load === 'hog') hog = await CpuHog.start({ lifetimeMs: 2 * o.createBudgetMs + o.convergeBudgetMs + o.settleMs + 60_000 });
    const hogStart = hog?.check;
    const pressureStart = cpuPressure();
    progress.info('burst-start', { n: o.n, load: o.load, hog: hogStart });
    const t0 = Date.now();
    const create = await createBurst(kc, plan, spec, { concurrency: 32, budgetMs: o.createBudgetMs });
    const lastCreate = Math.max(create.services.lastAt, create.slices.lastAt);
    progress.info('burst-created', { n: o.n, load: o.load, ms: lastCreate - t0, failed: create.services.failed + create.slices.failed });
    const convergence = await converge(plan, spec, burstT, watch, create.slices.at, lastCreate, lastCreate + o.convergeBudgetMs);
    progress.info('burst-converged', { n: o.n, load: o.load, ownedMs: convergence.ownedMs, readyMs: convergence.readyMs, owned: convergence.owned, answered: convergence.answered });
    await sleep(o.settleMs);
    const t1 = Date.now();
    const hogEnd = hog ? await hog.sample() : undefined;
    const pressureEnd = cpuPressure();
    await hog?.stop();
    const counts = speakerWindow(lab.dir, plan.nodes.map((n) => n.name), t0, t1, { ownedBefore, machineStalls: watch.selfGaps(t0, t1, MACHINE_STALL_MS) });
    const memAfter = heraldMemory(lab);
    const del = o.kubectlDelete ? await kubectlDelete(lab, spec, burstT, watch, sampleIps, o.settleMs) : undefined;
    return {
      n: o.n,
      load: o.load,
      create,
      hog: o.load === 'hog' ? { start: hogStart, end: hogEnd } : undefined,
      machine,
      pressure: { start: pressureStart, end: pressureEnd },
      counts,
      silences: silences(watch, sampleIps, kernel, t0, t1),
      convergence,
      memIdle,
      memAfter,
      windowMs: t1 - t0,
      convergeBudgetMs: o.convergeBudgetMs,
      del,
    };
  } finally {
    await hog?.stop();
    await watch?.stop();
    await sampleT?.stop().catch(() => undefined);
    await burstT?.stop().catch(() => undefined);
    await lab?.stop();
    // HERALD_BENCH_KEEP=1 keeps the lab directory (every component's log) for a post-mortem.
    if (process.env['HERALD_BENCH_KEEP'] === '1') progress.info('burst-kept', { dir });
    else rmSync(dir, { recursive: true, force: true });
  }
}
