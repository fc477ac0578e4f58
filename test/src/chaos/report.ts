// The chaos report: per fault type, the outage windows (p50, p95, max, during the fault and after
// its heal) and the violations per invariant, as a markdown table, then every violation with its
// time and the fault in force. Pure: a result in, text out.
import { percentile } from '@herald/bench/stats';
import { INVARIANTS, iso, type FaultWindow, type Invariant, type Violation } from './observations.js';
import type { MemoryTrend } from './memory-trend.js';
import type { Outage } from './outages.js';

export interface ChaosResult {
  readonly seed: number;
  readonly startedAt: number;
  readonly endedAt: number;
  readonly faultKinds: readonly string[];
  readonly windows: readonly FaultWindow[];
  readonly outages: readonly Outage[];
  readonly violations: readonly Violation[];
  readonly memory: readonly MemoryTrend[];
  /** Invariants a violation of which fails the run (the others are reported only). */
  readonly enforced: readonly Invariant[];
  /** Probes sent by the client and rounds by the watcher (so a silent instrument shows). */
  readonly counts: { readonly httpProbes: number; readonly httpFailed: number; readonly watcherRounds: number; readonly watcherAnswers: number; readonly apiSnapshots: number; readonly rssSamples: number };
  /** Anything the run could not do (a fault that failed to inject, an instrument error). */
  readonly notes: readonly string[];
}

const INV = Object.keys(INVARIANTS) as Invariant[];

function ms(x: number): string {
  return x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`;
}

function dist(xs: readonly number[]): string {
  const pos = xs.filter((x) => x > 0);
  if (pos.length === 0) return '-';
  return `${ms(percentile(pos, 50))} / ${ms(percentile(pos, 95))} / ${ms(Math.max(...pos))}`;
}

export interface KindRow {
  readonly kind: string;
  readonly faults: number;
  readonly during: string;
  readonly after: string;
  readonly affected: string;
  readonly violations: Readonly<Record<Invariant, number>>;
}

/** One row per fault type that ran (and "baseline" when something broke before the first fault). */
export function kindRows(r: ChaosResult): KindRow[] {
  const kinds = [...new Set(r.windows.map((w) => w.kind as string))];
  if (r.violations.some((v) => v.kind === 'baseline')) kinds.unshift('baseline');
  return kinds.map((kind) => {
    const os = r.outages.filter((o) => o.kind === kind);
    const vs = r.violations.filter((v) => v.kind === kind);
    const count = Object.fromEntries(INV.map((i) => [i, vs.filter((v) => v.invariant === i).length])) as Record<Invariant, number>;
    return {
      kind,
      faults: r.windows.filter((w) => w.kind === kind).length,
      during: dist(os.map((o) => o.duringMs)),
      after: dist(os.map((o) => o.afterMs)),
      affected: `${os.filter((o) => o.duringMs > 0 || o.afterMs > 0).length}/${os.length}`,
      violations: count,
    };
  });
}

/** The violations that fail the run: of an enforced invariant, and not a known open defect. */
export function enforcedViolations(r: ChaosResult): Violation[] {
  return r.violations.filter((v) => r.enforced.includes(v.invariant) && v.known === undefined);
}

export function markdownReport(r: ChaosResult): string {
  const lines: string[] = [];
  const mins = ((r.endedAt - r.startedAt) / 60_000).toFixed(1);
  lines.push(`# Chaos run, seed ${r.seed}`, '');
  lines.push(`${new Date(r.startedAt).toISOString()}, ${mins} min, ${r.windows.length} faults of ${r.faultKinds.join(', ')}.`);
  const c = r.counts;
  lines.push(`Instruments: ${c.httpProbes} HTTP probes (${c.httpFailed} failed), ${c.watcherRounds} ARP/NDP watcher rounds (${c.watcherAnswers} answers), ${c.apiSnapshots} changed API reads, ${c.rssSamples} memory samples.`, '');
  lines.push('Outages are per fault and Service: from the first failed probe to the next success (p50 / p95 / max over the affected ones; "affected" = fault x Service pairs with any failed probe, of all pairs).', '');
  lines.push(`| fault | n | outage during the fault | outage after the heal | affected | ${INV.join(' | ')} |`);
  lines.push(`|---|---|---|---|---|${INV.map(() => '---').join('|')}|`);
  for (const k of kindRows(r)) lines.push(`| ${k.kind} | ${k.faults} | ${k.during} | ${k.after} | ${k.affected} | ${INV.map((i) => String(k.violations[i])).join(' | ')} |`);
  const total = INV.map((i) => r.violations.filter((v) => v.invariant === i).length);
  lines.push(`| **all** | ${r.windows.length} | ${dist(r.outages.map((o) => o.duringMs))} | ${dist(r.outages.map((o) => o.afterMs))} | | ${total.join(' | ')} |`, '');
  lines.push('Invariants (E: fails the run, R: reported only):', '');
  for (const i of INV) lines.push(`- (${i}) ${r.enforced.includes(i) ? 'E' : 'R'}: ${INVARIANTS[i]}`);
  lines.push('');
  lines.push(`## Violations (${r.violations.length}; ${enforcedViolations(r).length} enforced, ${r.violations.filter((v) => v.known).length} of known open defects)`, '');
  if (r.violations.length === 0) lines.push('None.');
  for (const v of r.violations.slice(0, 200)) lines.push(`- ${iso(v.t)} (${v.invariant}) ${v.known ? `[known defect ${v.known}] ` : r.enforced.includes(v.invariant) ? '' : '[reported only] '}during ${v.fault}: ${v.detail}`);
  if (r.violations.length > 200) lines.push(`- ... and ${r.violations.length - 200} more (chaos.json has them all)`);
  lines.push('', '## Memory (VmRSS per process)', '');
  lines.push('| role | pid | samples | span | first -> last (max) | slope | judged | rising |', '|---|---|---|---|---|---|---|---|');
  for (const m of r.memory) lines.push(`| ${m.role} | ${m.pid} | ${m.samples} | ${(m.spanMs / 1000).toFixed(0)} s | ${m.firstMb.toFixed(0)} -> ${m.lastMb.toFixed(0)} (${m.maxMb.toFixed(0)}) MB | ${m.slopeMbPerMin.toFixed(2)} MB/min | ${m.judged ? 'yes' : m.spanMs < 60_000 ? 'no (too short)' : 'no (a lab stand-in)'} | ${m.rising ? '**yes**' : 'no'} |`);
  lines.push('', '## Faults', '');
  for (const w of r.windows) lines.push(`- #${w.index} ${iso(w.inject)} ${w.label}: held ${ms(w.heal - w.inject)}, quiet until ${iso(w.end)}${w.error ? `; ERROR: ${w.error}` : ''}`);
  if (r.notes.length) lines.push('', '## Notes', '', ...r.notes.map((n) => `- ${n}`));
  return lines.join('\n') + '\n';
}
