// L2 failover, end to end in the lab (DESIGN §8, issue 5): the owner of an L2 Service loses its
// speaker (SIGKILL), its link (cable cut), or stops gracefully (SIGTERM, handoff). Each trial
// times the disruption -> the first gratuitous ARP from the new owner on the router's wire
// (tcpdump's kernel timestamps), checks the router's neighbour entry then points at the new
// owner, and probes with broadcast ARP through the restore, counting requests that two MACs
// answered. Bounded: a fixed number of trials per kind, each with deadlines, and an overall
// time budget after which the remaining trials are skipped (and the rows say so).
// The loaded variant (DESIGN §8: a figure counts only if it holds under load) runs in the same
// lab after the idle trials: 1,000 background L2 Services (each with a ready backend on every
// node) are created and owned first, then a CPU hog takes every core and SIGKILL and link-cut
// trials run again. The IPv6 variant (NDP parity, issue 14) runs between them: one IPv6 L2
// Service, the same disruptions, timed to the new owner's first unsolicited neighbour
// advertisement, probed with ndisc6; with the loaded variant too, its kill and cut trials run
// again under the load. Knobs: HERALD_L2_FAILOVER_LOAD ("idle,ndp,loaded" by
// default), HERALD_BENCH_QUICK=1 (a few trials, 100 background Services). Run time: about 6 min
// idle, 3 min IPv6 and 6 min loaded (each bounded by its budget).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { createLogger } from '@herald/shared';
import { whyCannotRun } from '@herald/testkit';
import { Lab, sitePlan, siteNamespaces } from '@herald/lab';
import { ArpCapture } from './arp-capture.js';
import { quickMode, wordList } from './bench-env.js';
import { burstService, burstSlice, serviceName, type BurstSpec } from './burst.js';
import { CpuHog, describeHog, type HogCheck } from './cpu-hog.js';
import { failoverTrial, type Disruption, type TrialEnv, type TrialResult } from './l2-trial.js';
import type { L2Tracker } from './l2-tracker.js';
import { applyLoadPools, ownBackground } from './load-site.js';
import { summary } from '@herald/bench/stats';

interface Row {
  what: string;
  value: string;
  target: string;
}

export interface FailoverOptions {
  readonly kills?: number;
  readonly cuts?: number;
  readonly stops?: number;
  /** Overall budget for the trials (default 12 minutes). */
  readonly budgetMs?: number;
  /** The loaded variant's trials and budget (default 20 kills, 10 cuts, 8 minutes). */
  readonly loadedKills?: number;
  readonly loadedCuts?: number;
  readonly loadedBudgetMs?: number;
  /** Background L2 Services during the loaded trials (default 1,000). */
  readonly background?: number;
  /** The idle IPv6 variant's trials (default 10 kills, 5 cuts). */
  readonly ndpKills?: number;
  readonly ndpCuts?: number;
}

type Variant = 'idle' | 'ndp' | 'loaded';

/** What the loaded variant set up before its trials. */
interface LoadedSetup {
  readonly background: number;
  readonly created: string;
  /** Background Services owned when the hog went on (of `background`). */
  readonly owned: number;
  readonly hogStart: HogCheck | undefined;
  hogEnd: HogCheck | undefined;
}

/** The IPv6 variant's one Service (from the burst's IPv6 pool). */
const NDP_SERVICE: BurstSpec = { namespace: 'ndp', prefix: 'v6-', count: 1, ipv4: 0, pool4: 'burst4', pool6: 'burst6' };

export async function benchL2Failover(opts: FailoverOptions = {}): Promise<{ rows: Row[] }> {
  const why = whyCannotRun({ root: true, tools: ['tcpdump', 'arping', 'ndisc6', 'bird', 'nft', 'taskset'] });
  if (why) {
    process.stderr.write(`\n!!! SKIPPED L2 failover bench: ${why}\n\n`);
    return { rows: [{ what: 'L2 failover (lab)', value: `SKIPPED: ${why}`, target: '< 1 s median' }] };
  }
  const quick = quickMode();
  const variants = wordList<Variant>('HERALD_L2_FAILOVER_LOAD', ['idle', 'ndp', 'loaded'], ['idle', 'ndp', 'loaded']);
  const counts: Record<Disruption, number> = variants.includes('idle') ? { kill: opts.kills ?? (quick ? 3 : 20), cut: opts.cuts ?? (quick ? 2 : 10), stop: opts.stops ?? (quick ? 1 : 5) } : { kill: 0, cut: 0, stop: 0 };
  const loadedCounts: Record<Disruption, number> = variants.includes('loaded') ? { kill: opts.loadedKills ?? (quick ? 3 : 20), cut: opts.loadedCuts ?? (quick ? 2 : 10), stop: 0 } : { kill: 0, cut: 0, stop: 0 };
  const ndpCounts: Record<Disruption, number> = variants.includes('ndp') ? { kill: opts.ndpKills ?? (quick ? 2 : 10), cut: opts.ndpCuts ?? (quick ? 1 : 5), stop: quick ? 1 : 3 } : { kill: 0, cut: 0, stop: 0 };
  // With both variants, the IPv6 trials run again under the load, after the IPv4 ones.
  const ndpLoadedCounts: Record<Disruption, number> = variants.includes('ndp') && variants.includes('loaded') ? { kill: quick ? 2 : 10, cut: quick ? 1 : 5, stop: 0 } : { kill: 0, cut: 0, stop: 0 };
  const ndpLoadedBudget = (quick ? 2 : 4) * 60_000;
  const background = opts.background ?? (quick ? 100 : 1000);
  const plan = sitePlan({ prefix: `hlb${process.pid % 100000}`, router: 'bird', nodes: 3 });
  const ns = siteNamespaces(plan);
  const dir = mkdtempSync(join(tmpdir(), 'herald-failover-'));
  const results: TrialResult[] = [];
  const loadedResults: TrialResult[] = [];
  const ndpResults: TrialResult[] = [];
  const ndpUnstarted: string[] = [];
  const ndpLoadedResults: TrialResult[] = [];
  const ndpLoadedUnstarted: string[] = [];
  let ndpCapture: ArpCapture | undefined;
  let ndpEnv: TrialEnv | undefined;
  // Trials that could not start or finish (no single owner to disrupt, a restore that hung): the
  // first reasons, and how many. Under load the lab may never settle; that is a figure too.
  const unstarted: string[] = [];
  const loadedUnstarted: string[] = [];
  let setup: LoadedSetup | undefined;
  let capture: ArpCapture | undefined;
  let hog: CpuHog | undefined;
  let tracker: L2Tracker | undefined;
  let lab: Lab | undefined;
  let note = '';
  try {
    lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'error' }));
    capture = await ArpCapture.start(ns.router);
    const env = { lab, plan, routerNs: ns.router, capture };
    // The kinds interleaved, so a slow drift of the machine does not land on one kind.
    const deadline = Date.now() + (opts.budgetMs ?? (quick ? 3 : 12) * 60_000);
    for (const how of interleave(counts)) {
      if (Date.now() > deadline) break;
      await runTrial(() => failoverTrial(env, how), results, unstarted);
    }
    if (variants.includes('ndp')) {
      await applyLoadPools(lab, [NDP_SERVICE.namespace]);
      const kc = lab.kubeConfig();
      await kc.makeApiClient(CoreV1Api).createNamespacedService({ namespace: NDP_SERVICE.namespace, body: burstService(NDP_SERVICE, 0) });
      await kc.makeApiClient(DiscoveryV1Api).createNamespacedEndpointSlice({ namespace: NDP_SERVICE.namespace, body: burstSlice(plan, NDP_SERVICE, 0) });
      ndpCapture = await ArpCapture.start(ns.router, 'eth0', 'ndp');
      const e: TrialEnv = { lab, plan, routerNs: ns.router, capture: ndpCapture, service: serviceName(NDP_SERVICE, 0), serviceNamespace: NDP_SERVICE.namespace };
      ndpEnv = e;
      const ndpDeadline = Date.now() + (quick ? 2 : 5) * 60_000;
      for (const how of interleave(ndpCounts)) {
        if (Date.now() > ndpDeadline) break;
        await runTrial(() => failoverTrial(e, how), ndpResults, ndpUnstarted);
      }
      await ndpCapture.stop();
      ndpCapture = undefined;
    }
    if (variants.includes('loaded')) {
      const loadedBudget = opts.loadedBudgetMs ?? (quick ? 3 : 8) * 60_000;
      const bg = await ownBackground(lab, plan, background);
      tracker = bg.tracker;
      hog = await CpuHog.start({ lifetimeMs: loadedBudget + ndpLoadedBudget + 120_000 });
      setup = { background, created: bg.created, owned: tracker.owned().size, hogStart: hog.check, hogEnd: undefined };
      const loadedDeadline = Date.now() + loadedBudget;
      for (const how of interleave(loadedCounts)) {
        if (Date.now() > loadedDeadline) break;
        await runTrial(() => failoverTrial({ ...env, takeoverTimeoutMs: 30_000 }, how), loadedResults, loadedUnstarted);
      }
      if (ndpEnv && ndpLoadedCounts.kill + ndpLoadedCounts.cut > 0) {
        ndpCapture = await ArpCapture.start(ns.router, 'eth0', 'ndp');
        const e: TrialEnv = { ...ndpEnv, capture: ndpCapture, takeoverTimeoutMs: 30_000 };
        const ndpDeadline = Date.now() + ndpLoadedBudget;
        for (const how of interleave(ndpLoadedCounts)) {
          if (Date.now() > ndpDeadline) break;
          await runTrial(() => failoverTrial(e, how), ndpLoadedResults, ndpLoadedUnstarted);
        }
      }
      setup.hogEnd = await hog.sample();
    }
  } catch (err) {
    note = `FAILED: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    await hog?.stop();
    await tracker?.stop().catch(() => undefined);
    await capture?.stop();
    await ndpCapture?.stop();
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const rows: Row[] = [];
  if (variants.includes('idle')) rows.push(...rowsFor(results, counts, undefined, unstarted));
  if (variants.includes('ndp')) rows.push(...rowsFor(ndpResults, ndpCounts, 'for IPv6 (NDP, one IPv6 L2 Service)', ndpUnstarted, NDP_WORDS));
  if (variants.includes('loaded')) rows.push(...loadedRows(loadedResults, loadedCounts, setup, loadedUnstarted));
  if (setup && ndpLoadedCounts.kill + ndpLoadedCounts.cut > 0) rows.push(...rowsFor(ndpLoadedResults, ndpLoadedCounts, `${underLoad(setup)} for IPv6 (NDP, one IPv6 L2 Service)`, ndpLoadedUnstarted, NDP_WORDS));
  if (note) rows.push({ what: 'L2 failover (lab)', value: note, target: '-' });
  return { rows };
}

/** One trial; a trial that throws is recorded by its reason (and the next one runs). */
async function runTrial(trial: () => Promise<TrialResult>, results: TrialResult[], failed: string[]): Promise<void> {
  try {
    results.push(await trial());
  } catch (err) {
    failed.push(err instanceof Error ? err.message : String(err));
  }
}

/** kill, cut, stop, kill, cut, ... until each kind has its count. */
function interleave(counts: Record<Disruption, number>): Disruption[] {
  const out: Disruption[] = [];
  const left = { ...counts };
  const total = left.kill + left.cut + left.stop;
  for (let i = 0; out.length < total && i < total * 3; i++) {
    const how = (['kill', 'cut', 'stop'] as const)[i % 3]!;
    if (left[how] > 0) {
      out.push(how);
      left[how]--;
    }
  }
  return out;
}

/** What the rows call the announcement and the probe: ARP's words, or NDP's. */
interface Words {
  readonly announcement: string;
  readonly requests: string;
  readonly probe: string;
}
const ARP_WORDS: Words = { announcement: 'gratuitous ARP', requests: 'ARP requests', probe: 'broadcast probe' };
const NDP_WORDS: Words = { announcement: 'unsolicited neighbour advertisement', requests: 'Neighbour solicitations', probe: 'ndisc6 probe' };

/** `under`: the variant's label ("under load (...)", "for IPv6 (...)"), or undefined for the idle rows. */
function rowsFor(results: readonly TrialResult[], counts: Record<Disruption, number>, under: string | undefined, failed: readonly string[], w: Words = ARP_WORDS): Row[] {
  const of = (how: Disruption): TrialResult[] => results.filter((r) => r.how === how);
  const times = (how: Disruption): number[] => of(how).flatMap((r) => (r.takeoverMs === undefined ? [] : [r.takeoverMs]));
  const misses = (how: Disruption): number => of(how).filter((r) => r.takeoverMs === undefined).length;
  const notRun = failed.length ? ` (${failed.length} trials of all kinds failed: ${[...new Set(failed)].slice(0, 2).join('; ')})` : '';
  const ran = (how: Disruption): string => (of(how).length < counts[how] ? `; only ${of(how).length} of ${counts[how]} trials completed in the time budget${notRun}` : '');
  const value = (how: Disruption): string => `${summary(times(how), 'no takeover seen')}, ${misses(how)} missed${ran(how)}`;
  const neighOk = results.filter((r) => r.takeoverMs !== undefined && r.neighbour.ok).length;
  const taken = results.filter((r) => r.takeoverMs !== undefined).length;
  const stale = results.filter((r) => r.takeoverMs !== undefined && !r.neighbour.ok).map((r) => `${r.how} ${r.oldOwner}->${r.newOwner ?? '?'}: "${r.neighbour.entry}"`);
  const doubles = results.flatMap((r) => r.doubles.map((d) => `${r.how} trial, ${r.ip} at ${new Date(d.t).toISOString()}: ${d.macs.join(' and ')}`));
  const back = results.flatMap((r) => (r.backMs === undefined ? [] : [r.backMs]));
  const u = under ? ` ${under}` : '';
  const rows: Row[] = [
    { what: `L2 failover${u}: owner SIGKILLed -> first ${w.announcement} from the new owner`, value: value('kill'), target: under?.startsWith('under') ? 'p95 < 1.5 s under load' : '< 1 s median (MetalLB 5-10 s, Cilium 10-20 s: their documented defaults, not measured here)' },
    { what: `L2 failover${u}: owner's link cut -> first ${w.announcement} from the new owner`, value: value('cut'), target: under?.startsWith('under') ? 'p95 < 1.5 s under load' : '< 1 s median' },
  ];
  if (counts.stop > 0) rows.push({ what: `L2 handoff${u}: owner SIGTERMed -> first ${w.announcement} from the new owner`, value: value('stop'), target: '< 1 s' });
  rows.push(
    { what: `router's neighbour entry points at the new owner within 3 s of its ${w.announcement} (no traffic sent)${u}`, value: `${neighOk} of ${taken}${stale.length ? `; stale: ${stale.slice(0, 3).join('; ')}` : ''}`, target: 'all' },
    { what: `${w.requests} answered by two MACs (${w.probe} every 100 ms from takeover until the old owner is back)${u}`, value: `${doubles.length ? `${doubles.length}: ${doubles.slice(0, 3).join('; ')}` : '0'} (${results.length} trials, ${results.reduce((a, r) => a + r.probed, 0)} requests from the router seen)`, target: '0' },
    // The variant's label comes first: run-bench.mjs keys a row by its text up to the first parenthesis.
    { what: `restore${u} (speaker restarted / link up) -> first ${w.announcement} from the old owner again`, value: summary(back, 'not seen'), target: '-' },
  );
  return rows;
}

const underLoad = (setup: LoadedSetup): string => `under load (CPU hog on every core, ${setup.background.toLocaleString('en')} background L2 Services)`;

function loadedRows(results: readonly TrialResult[], counts: Record<Disruption, number>, setup: LoadedSetup | undefined, failed: readonly string[]): Row[] {
  if (!setup) return [{ what: 'L2 failover under load', value: 'not run: the setup failed (see the FAILED row)', target: 'p95 < 1.5 s under load' }];
  const under = underLoad(setup);
  return [
    {
      what: `L2 failover ${under}: the load`,
      value: `${setup.created}; ${setup.owned} of ${setup.background} owned when the hog went on; hog at start: ${setup.hogStart ? describeHog(setup.hogStart) : '-'}, at end: ${setup.hogEnd ? describeHog(setup.hogEnd) : '-'}`,
      target: '-',
    },
    ...rowsFor(results, counts, under, failed),
  ];
}
