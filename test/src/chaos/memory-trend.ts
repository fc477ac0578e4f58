// Invariant (g): no component's memory grows without bound. Pure, over VmRSS samples.
// Per process (role and pid: a restarted speaker starts a new series), after a warm-up share of
// its life, the least-squares slope of VmRSS over time. A series is flagged when it keeps rising:
// its slope is above `maxSlopeMbPerMin` AND its last third's median is above its first third's
// by more than `minRiseMb` (a single jump, e.g. one GC resize, has a slope but no trend in the
// thirds only when it falls in the middle; both together mean growth across the whole series).
// Series shorter than `minSpanMs` are not judged (too short to tell a trend from a warm-up), nor
// are the lab's own stand-ins (backends, the API forwarder): `judge` says which roles are Herald's.
import { violation, type FaultWindow, type RssSample, type Violation } from './observations.js';
import { median } from '@herald/bench/stats';

export interface MemoryTrend {
  readonly role: string;
  readonly pid: number;
  readonly samples: number;
  readonly spanMs: number;
  readonly firstMb: number;
  readonly lastMb: number;
  readonly maxMb: number;
  readonly slopeMbPerMin: number;
  readonly judged: boolean;
  readonly rising: boolean;
}

export interface MemoryRule {
  readonly warmupShare: number;
  readonly maxSlopeMbPerMin: number;
  readonly minRiseMb: number;
  readonly minSpanMs: number;
}

export const DEFAULT_MEMORY_RULE: MemoryRule = { warmupShare: 0.2, maxSlopeMbPerMin: 2, minRiseMb: 10, minSpanMs: 60_000 };

function slopePerMin(xs: readonly RssSample[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mt = xs.reduce((a, x) => a + x.t, 0) / n;
  const mm = xs.reduce((a, x) => a + x.mb, 0) / n;
  let num = 0;
  let den = 0;
  for (const x of xs) {
    num += (x.t - mt) * (x.mb - mm);
    den += (x.t - mt) ** 2;
  }
  return den === 0 ? 0 : (num / den) * 60_000;
}

export function memoryTrends(samples: readonly RssSample[], rule: MemoryRule = DEFAULT_MEMORY_RULE, judge: (role: string) => boolean = () => true): MemoryTrend[] {
  const series = new Map<string, RssSample[]>();
  for (const s of samples) (series.get(`${s.role}\u0000${s.pid}`) ?? series.set(`${s.role}\u0000${s.pid}`, []).get(`${s.role}\u0000${s.pid}`)!).push(s);
  const out: MemoryTrend[] = [];
  for (const xs of series.values()) {
    xs.sort((a, b) => a.t - b.t);
    const spanMs = xs[xs.length - 1]!.t - xs[0]!.t;
    const start = xs[0]!.t + spanMs * rule.warmupShare;
    const body = xs.filter((x) => x.t >= start);
    const slope = slopePerMin(body);
    const third = Math.max(1, Math.floor(body.length / 3));
    const rise = median(body.slice(-third).map((x) => x.mb)) - median(body.slice(0, third).map((x) => x.mb));
    const judged = judge(xs[0]!.role) && spanMs >= rule.minSpanMs && body.length >= 6;
    out.push({
      role: xs[0]!.role,
      pid: xs[0]!.pid,
      samples: xs.length,
      spanMs,
      firstMb: xs[0]!.mb,
      lastMb: xs[xs.length - 1]!.mb,
      maxMb: Math.max(...xs.map((x) => x.mb)),
      slopeMbPerMin: slope,
      judged,
      rising: judged && slope > rule.maxSlopeMbPerMin && rise > rule.minRiseMb,
    });
  }
  return out.sort((a, b) => (a.role < b.role ? -1 : a.role > b.role ? 1 : a.pid - b.pid));
}

/** (g) One violation per rising series, at its last sample. */
export function memoryViolations(trends: readonly MemoryTrend[], samples: readonly RssSample[], windows: readonly FaultWindow[], rule: MemoryRule = DEFAULT_MEMORY_RULE): Violation[] {
  return trends
    .filter((m) => m.rising)
    .map((m) => {
      const t = Math.max(...samples.filter((s) => s.role === m.role && s.pid === m.pid).map((s) => s.t));
      return violation(windows, 'g', t, `${m.role} (pid ${m.pid}) VmRSS ${m.firstMb.toFixed(0)} -> ${m.lastMb.toFixed(0)} MB over ${(m.spanMs / 60_000).toFixed(1)} min, rising ${m.slopeMbPerMin.toFixed(1)} MB/min (rule: > ${rule.maxSlopeMbPerMin} MB/min and > ${rule.minRiseMb} MB from first to last third)`);
    });
}
