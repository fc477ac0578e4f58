// make soak (issue 14 item 2): a 30-minute seeded chaos run of every fault kind, its table written
// into BENCHMARKS.md through scripts/run-bench.mjs (area "chaos soak"). Knobs:
// HERALD_CHAOS_SOAK_MINUTES (default 30), HERALD_CHAOS_SEED (default 2026), HERALD_CHAOS_OUT
// (where chaos.md/.svg/.json go; default chaos-soak-report/ in the repository).
import { join } from 'node:path';
import { createLogger } from '@herald/shared';
import { whyCannotRun } from '@herald/testkit';
import { repoRoot } from '@herald/lab';
import { INVARIANTS, type Invariant } from './observations.js';
import { CHAOS_TOOLS, ENFORCED_TODAY } from './policy.js';
import { enforcedViolations, kindRows } from './report.js';
import { HOLD_TIMER_MS, L2_BOUND_MS, runChaos } from './run.js';
import { FAULT_KINDS } from './schedule.js';

interface Row {
  what: string;
  value: string;
  target: string;
}

export async function benchChaosSoak(): Promise<{ rows: Row[] }> {
  const why = whyCannotRun({ root: true, tools: CHAOS_TOOLS.bird });
  if (why) {
    process.stderr.write(`\n!!! SKIPPED chaos soak: ${why}\n\n`);
    return { rows: [{ what: 'chaos soak (lab)', value: `SKIPPED: ${why}`, target: '0 violations' }] };
  }
  const minutes = Number(process.env.HERALD_CHAOS_SOAK_MINUTES ?? '30');
  const seed = Number(process.env.HERALD_CHAOS_SEED ?? '2026');
  if (!(minutes >= 1 && minutes <= 24 * 60) || !Number.isSafeInteger(seed)) throw new Error(`HERALD_CHAOS_SOAK_MINUTES (${String(minutes)}) must be 1 to 1440 and HERALD_CHAOS_SEED (${String(seed)}) an integer`);
  const outDir = process.env.HERALD_CHAOS_OUT ?? join(repoRoot(), 'chaos-soak-report');
  const { result, files } = await runChaos({ seed, durationMs: minutes * 60_000, kinds: [...FAULT_KINDS], outDir, enforced: ENFORCED_TODAY, log: createLogger({ component: 'chaos', level: 'warn' }) });
  const inv = Object.keys(INVARIANTS) as Invariant[];
  const counts = (vs: typeof result.violations): string => inv.map((i) => `${i} ${vs.filter((v) => v.invariant === i).length}`).join(', ');
  const run = `seed ${seed}, ${minutes} min`;
  const rows: Row[] = kindRows(result).map((k) => ({
    what: `chaos soak (${k.kind}): outage during the fault / after its heal, p50 / p95 / max; violations per invariant`,
    value: `${run}: n=${k.faults}; during ${k.during}; after ${k.after}; affected ${k.affected}; ${inv.map((i) => `${i} ${k.violations[i]}`).join(', ')}`,
    target: `0 violations; reachable again <= ${L2_BOUND_MS / 1000} s (L2), <= ${HOLD_TIMER_MS / 1000} s (BGP hold timer) after the heal`,
  }));
  const known = result.violations.filter((v) => v.known);
  rows.push({
    what: 'chaos soak (all faults): violations per invariant (enforced / of known open defects)',
    value: `${run}: ${result.windows.length} faults; ${counts(result.violations)}; ${enforcedViolations(result).length} enforced, ${known.length} known (${[...new Set(known.map((v) => v.known))].join(', ') || 'none'}); report ${files.md}`,
    target: '0 enforced',
  });
  const c = result.counts;
  rows.push({ what: 'chaos soak (instruments): HTTP probes / failed, watcher rounds / answers, API reads, RSS samples', value: `${c.httpProbes} / ${c.httpFailed}, ${c.watcherRounds} / ${c.watcherAnswers}, ${c.apiSnapshots}, ${c.rssSamples}; ${result.notes.join('; ')}`, target: '-' });
  const judged = result.memory.filter((m) => m.judged);
  rows.push({
    what: 'chaos soak (memory): VmRSS per process, first -> last, slope (processes that lived long enough to judge)',
    value: judged.map((m) => `${m.role} ${m.firstMb.toFixed(0)} -> ${m.lastMb.toFixed(0)} MB (${m.slopeMbPerMin.toFixed(1)} MB/min${m.rising ? ', RISING' : ''})`).join('; ') || 'none lived long enough',
    target: 'no process rising (> 2 MB/min and > 10 MB, first to last third)',
  });
  return { rows };
}
