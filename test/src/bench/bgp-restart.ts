// Bench rows (issue 15 items 2 and 3): what a speaker restart costs the traffic.
// - SIGTERM -> the node's next hop gone from the router's kernel table (the hitless drain: the
//   speaker withdraws, then Cease with a reason, before the L2 handoff waits), n >= 10 per router,
//   idle and under a CPU hog on every core. The same-run reference is the moment the process has
//   exited, which is when the router learnt it before the drain (the TCP close).
// - Speaker SIGKILL, then start (a crash, an OOM kill, a forced upgrade) of the only node that
//   carries a Service, the client probing it every 20 ms: the longest gap and the lost probes with
//   `enableGracefulRestart: true`, against the same without it in the same run (goal: 0 lost).
// HERALD_BENCH_QUICK=1: 3 trials per cell (GR off: 2); HERALD_BGP_RESTART_BENCH_LOAD=idle|hog|
// idle,hog; HERALD_BGP_RESTART_BENCH_PARTS=drain|gr|drain,gr (default both);
// HERALD_BGP_RESTART_BENCH_ROUTERS=bird|frr|bird,frr (default both).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@herald/shared';
import { Lab, sitePlan, type RouterKind } from '@herald/lab';
import { waitAllBack } from '../bfd/trial.js';
import { drainTrial } from '../bgp/drain-trial.js';
import { restartTrial, serviceIp, SOLE_CARRIER_SERVICE } from '../bgp/restart-trial.js';
import { quickMode, wordList } from './bench-env.js';
import { CpuHog, describeHog } from './cpu-hog.js';
import { summary } from '@herald/bench/stats';

interface Row {
  readonly what: string;
  readonly value: string;
  readonly target: string;
}

type Load = 'idle' | 'hog';

interface DrainCell {
  readonly ms: number[];
  /** SIGTERM -> our FIN (after the withdrawals and the Cease) seen on the router's interface. */
  readonly finMs: number[];
  readonly exitMs: number[];
  readonly missed: number;
  readonly hog?: string;
}

async function drainCell(kind: RouterKind, n: number, load: Load): Promise<DrainCell> {
  const plan = sitePlan({ prefix: `hbd${kind[0]}${load === 'hog' ? 'l' : ''}${process.pid % 1000}`, router: kind, nodes: 2 });
  const dir = mkdtempSync(join(tmpdir(), 'herald-drain-bench-'));
  const lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'warn' }));
  const ms: number[] = [];
  const exitMs: number[] = [];
  const finMs: number[] = [];
  let missed = 0;
  let hog: CpuHog | undefined;
  let hogText: string | undefined;
  try {
    await waitAllBack(lab, plan, 'start');
    // Bounded: a trial (stop, exit, start, both next hops back) takes at most ~70 s.
    if (load === 'hog') hog = await CpuHog.start({ lifetimeMs: Math.min(60 * 60_000, n * 70_000 + 60_000) });
    for (let i = 0; i < n; i++) {
      const r = await drainTrial(lab, plan, i % 2 === 0 ? 'node2' : 'node1', 10_000);
      if (r.ms === undefined) missed++;
      else ms.push(r.ms);
      exitMs.push(r.exitMs);
      if (r.finMs !== undefined) finMs.push(r.finMs);
    }
    if (hog) hogText = `hog at start: ${hog.check ? describeHog(hog.check) : 'not sampled'}; at end: ${describeHog(await hog.sample())}`;
  } finally {
    await hog?.stop();
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { ms, finMs, exitMs, missed, ...(hogText ? { hog: hogText } : {}) };
}

interface GrCell {
  readonly gaps: number[];
  readonly lost: number;
  readonly sent: number;
  readonly hog?: string;
}

async function grCell(kind: RouterKind, gr: boolean, n: number, load: Load): Promise<GrCell> {
  const plan = sitePlan({ prefix: `hbg${kind[0]}${gr ? 'g' : 'n'}${load === 'hog' ? 'l' : ''}${process.pid % 1000}`, router: kind, nodes: 2, ...(gr ? { gracefulRestart: true } : {}) });
  const dir = mkdtempSync(join(tmpdir(), 'herald-gr-bench-'));
  const lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'warn' }));
  const gaps: number[] = [];
  let lost = 0;
  let sent = 0;
  let hog: CpuHog | undefined;
  let hogText: string | undefined;
  try {
    await waitAllBack(lab, plan, 'start');
    const ip = await serviceIp(lab, SOLE_CARRIER_SERVICE);
    // Bounded: a trial takes at most ~95 s (its waits are bounded).
    if (load === 'hog') hog = await CpuHog.start({ lifetimeMs: Math.min(60 * 60_000, n * 95_000 + 60_000) });
    for (let i = 0; i < n; i++) {
      const r = await restartTrial(lab, plan, 'node1', ip);
      gaps.push(r.longestGapMs);
      lost += r.lost;
      sent += r.sent;
    }
    if (hog) hogText = `hog at start: ${hog.check ? describeHog(hog.check) : 'not sampled'}; at end: ${describeHog(await hog.sample())}`;
  } finally {
    await hog?.stop();
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { gaps, lost, sent, ...(hogText ? { hog: hogText } : {}) };
}

const gapText = (c: GrCell): string => `longest gap ${summary(c.gaps).replace(/ \(n=\d+\)$/, '')} over ${c.gaps.length} restarts; ${c.lost} of ${c.sent} probes lost`;

export async function benchBgpRestart(): Promise<{ rows: Row[] }> {
  const quick = quickMode();
  const loads = wordList<Load>('HERALD_BGP_RESTART_BENCH_LOAD', ['idle', 'hog'], ['idle', 'hog']);
  const parts = wordList<'drain' | 'gr'>('HERALD_BGP_RESTART_BENCH_PARTS', ['drain', 'gr'], ['drain', 'gr']);
  const rows: Row[] = [];
  for (const kind of wordList<RouterKind>('HERALD_BGP_RESTART_BENCH_ROUTERS', ['bird', 'frr'], ['bird', 'frr'])) {
    const router = kind === 'bird' ? 'BIRD 2' : 'FRR 8.4';
    for (const load of parts.includes('gr') ? loads : []) {
      const on = await grCell(kind, true, quick ? 3 : load === 'hog' ? 5 : 10, load);
      const off = await grCell(kind, false, quick ? 2 : load === 'hog' ? 3 : 5, load);
      rows.push({
        what: `speaker SIGKILL, then start, of the one node carrying a Service, ${router} (GR on, ${load === 'hog' ? 'a CPU hog on every core' : 'idle'}): the client probing every 20 ms`,
        value: `${gapText(on)}${on.hog ? `; ${on.hog}` : ''}`,
        target: `goal 0 lost; same run without graceful restart: ${gapText(off)}`,
      });
    }
    for (const load of parts.includes('drain') ? loads : []) {
      const c = await drainCell(kind, quick ? 3 : 10, load);
      rows.push({
        what: `SIGTERM -> the node's next hop gone from ${router}'s kernel table (${load === 'hog' ? 'a CPU hog on every core' : 'idle'}): withdraw, then Cease with a reason`,
        value: `${summary(c.ms)}, ${c.missed} missed; our side, SIGTERM -> our FIN (after the withdrawals and the Cease) on the router's interface: ${summary(c.finMs, 'not seen')}${c.hog ? `; ${c.hog}` : ''}`,
        target: `DESIGN < 100 ms; same run: the process exited (the TCP close, all the router learnt before the drain) after ${summary(c.exitMs)}; before the handoff fix, 6-7 s`,
      });
    }
  }
  return { rows };
}
