// Bench row (issue 15): a BGP node lost -> the router drops its next hop, with BFD 300 ms x 3
// against the BGP hold timer (9 s in the lab; router defaults are 90-180 s), for a frozen speaker
// (SIGSTOP: nothing closes its TCP session) and a cut link, against FRR and BIRD. Each router
// runs the same lab twice in the same bench: with a BFDProfile on the BGPPeers, and without (the
// reference). Then the BFD cells again under a CPU hog on every core (a figure counts only if
// it holds under load). HERALD_BENCH_QUICK=1: 3 BFD trials and 1 reference trial per cell;
// HERALD_BFD_BENCH_LOAD=idle|hog|idle,hog (default both).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@herald/shared';
import { Lab, sitePlan, type RouterKind } from '@herald/lab';
import { lossTrial, waitAllBack, type LossKind } from '../bfd/trial.js';
import { quickMode, wordList } from './bench-env.js';
import { CpuHog, describeHog } from './cpu-hog.js';
import { summary } from '@herald/bench/stats';

interface Row {
  readonly what: string;
  readonly value: string;
  readonly target: string;
}

const WHAT: Record<LossKind, string> = { freeze: 'speaker frozen (SIGSTOP)', cut: "node's link cut" };

type Load = 'idle' | 'hog';

interface Cell {
  readonly results: Map<LossKind, { ms: number[]; missed: number }>;
  /** Under the hog: how busy the cores were, at the start and the end of the trials. */
  readonly hog?: string;
}

async function cell(kind: RouterKind, bfd: boolean, n: number, load: Load = 'idle'): Promise<Cell> {
  const plan = sitePlan({ prefix: `hbb${kind[0]}${bfd ? 'b' : 'h'}${load === 'hog' ? 'l' : ''}${process.pid % 1000}`, router: kind, nodes: 2, bfd });
  const dir = mkdtempSync(join(tmpdir(), 'herald-bfd-bench-'));
  const lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'warn' }));
  const out = new Map<LossKind, { ms: number[]; missed: number }>();
  let hog: CpuHog | undefined;
  let hogText: string | undefined;
  try {
    await waitAllBack(lab, plan, 'start');
    // Bounded: a trial waits at most 20 s, so 2 x n trials fit in the lifetime.
    if (load === 'hog') hog = await CpuHog.start({ lifetimeMs: Math.min(60 * 60_000, 2 * n * 30_000 + 60_000) });
    for (const loss of ['freeze', 'cut'] as const) {
      const r = { ms: [] as number[], missed: 0 };
      for (let i = 0; i < n; i++) {
        // Alternate nodes, so one node's recovery never overlaps the next trial.
        const ms = await lossTrial(lab, plan, i % 2 === 0 ? 'node2' : 'node1', loss, bfd ? 10_000 : 20_000);
        if (ms === undefined) r.missed++;
        else r.ms.push(ms);
      }
      out.set(loss, r);
    }
    if (hog) hogText = `hog at start: ${hog.check ? describeHog(hog.check) : 'not sampled'}; at end: ${describeHog(await hog.sample())}`;
  } finally {
    await hog?.stop();
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { results: out, ...(hogText ? { hog: hogText } : {}) };
}

export async function benchBfdFailover(): Promise<{ rows: Row[] }> {
  const quick = quickMode();
  const loads = wordList<Load>('HERALD_BFD_BENCH_LOAD', ['idle', 'hog'], ['idle', 'hog']);
  const rows: Row[] = [];
  for (const kind of ['bird', 'frr'] as RouterKind[]) {
    const router = kind === 'bird' ? 'BIRD 2' : 'FRR 8.4';
    if (loads.includes('idle')) {
      const withBfd = (await cell(kind, true, quick ? 3 : 10)).results;
      const hold = (await cell(kind, false, quick ? 1 : 3)).results;
      for (const loss of ['freeze', 'cut'] as const) {
        const b = withBfd.get(loss)!;
        const h = hold.get(loss)!;
        rows.push({
          what: `node lost -> ${router} drops its next hop (kernel route), ${WHAT[loss]}, BFD 300 ms x 3`,
          value: `${summary(b.ms)}, ${b.missed} missed`,
          target: `hold timer 9 s in the same run: ${summary(h.ms)}, ${h.missed} missed (router defaults 90-180 s); DESIGN < 1 s`,
        });
      }
    }
    if (loads.includes('hog')) {
      const loaded = await cell(kind, true, quick ? 3 : 10, 'hog');
      for (const loss of ['freeze', 'cut'] as const) {
        const b = loaded.results.get(loss)!;
        rows.push({
          what: `node lost under a CPU hog on every core -> ${router} drops its next hop (kernel route), ${WHAT[loss]}, BFD 300 ms x 3`,
          value: `${summary(b.ms)}, ${b.missed} missed; ${loaded.hog ?? ''}`,
          target: 'p95 < 1.5 s under load; the same without the hog in the rows above',
        });
      }
    }
  }
  return { rows };
}
