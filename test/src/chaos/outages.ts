// Invariant (d) and the outage windows of the report, from the client's HTTP probes. Pure.
// Per fault window and Service:
// - during: from the first failed probe sent in [inject, heal) to the first success after the
//   last failed one (clipped at heal); after: the same over [heal, end). 0 if none failed.
// - (d): a run of at least MIN_FAILED_RUN consecutive failed probes (by send time) of the
//   Service once its bound has passed since the heal (t >= heal + bound, t < end) means it was
//   not reachable again within its bound. Shorter runs there (a lone timeout among 50 answered
//   requests a second, with nothing else failing) are counted as `blips` and shown, not (d).
// Only Services that existed when the fault struck and still exist at its end are judged: a
// Service the fault itself created or deleted has no "again".
// The reference: the same client probes each node's backend directly (control probes: no Service
// IP, so nothing of Herald on the path). A failed control probe means that backend (a lab stand-in
// for a pod, whose process the loaded 2-core box starves now and then) or the machine stalled,
// unless the fault in force cut that node's link (then it is the fault). A Service probe that
// failed within CONTROL_SLACK_MS of such a stall may have been forwarded to that backend: it is
// counted as `excused` and left out of spans and (d). So is a failure during the client's own
// stall (HttpProbe.stalled).
import { iso, violation, type ApiSnapshot, type FaultWindow, type HttpProbe, type Violation } from './observations.js';

/** Control probes' service names start with this (http-prober targets). */
export const CONTROL_PREFIX = 'control:';
export const CONTROL_SLACK_MS = 150;
/** Consecutive failed probes (20 ms apart) that make an outage after the bound: 40 ms and more. */
export const MIN_FAILED_RUN = 3;

export interface Outage {
  readonly window: number;
  readonly kind: FaultWindow['kind'];
  readonly service: string;
  readonly duringMs: number;
  readonly afterMs: number;
  readonly failed: number;
  /** Failures that a control probe shared (the machine, not Herald). */
  readonly excused: number;
  /** Failed probes after heal + bound in runs shorter than MIN_FAILED_RUN. */
  readonly blips: number;
  readonly probes: number;
}

/** Maximal runs of consecutive failed probes (sorted by t), as [first, last] indexes. */
export function failedRuns(probes: readonly HttpProbe[]): [number, number][] {
  const out: [number, number][] = [];
  let start = -1;
  for (let i = 0; i <= probes.length; i++) {
    const failed = i < probes.length && !probes[i]!.ok;
    if (failed && start < 0) start = i;
    if (!failed && start >= 0) {
      out.push([start, i - 1]);
      start = -1;
    }
  }
  return out;
}

/** How long after a link's heal its node's control probes may still fail because of the cut. */
const CUT_GRACE_MS = 2000;

/**
 * Times of failed control probes that are a backend or machine stall (sorted): not the client's
 * own stall, and not of a node whose link the fault in force cut (until CUT_GRACE_MS after heal).
 */
export function machineStalls(probes: readonly HttpProbe[], windows: readonly FaultWindow[] = []): number[] {
  const cut = (node: string, t: number): boolean => windows.some((w) => w.cutNode === node && t >= w.inject && t <= w.heal + CUT_GRACE_MS);
  return probes
    .filter((p) => p.service.startsWith(CONTROL_PREFIX) && !p.ok && !p.stalled && !cut(p.service.slice(CONTROL_PREFIX.length), p.t))
    .map((p) => p.t)
    .sort((a, b) => a - b);
}

/** Whether a failed probe at t had a failed control probe within the slack. `fails` sorted. */
export function excusedAt(fails: readonly number[], t: number, slackMs = CONTROL_SLACK_MS): boolean {
  let lo = 0;
  let hi = fails.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (fails[mid]! < t - slackMs) lo = mid + 1;
    else hi = mid;
  }
  return lo < fails.length && fails[lo]! <= t + slackMs;
}

/** The span of failures among probes (sorted by t) inside [from, to). */
export function failureSpan(probes: readonly HttpProbe[], from: number, to: number): number {
  let first: number | undefined;
  let lastFail: number | undefined;
  let end: number | undefined;
  for (const p of probes) {
    if (p.t < from || p.t >= to) continue;
    if (!p.ok) {
      first ??= p.t;
      lastFail = p.t;
      end = undefined;
    } else if (lastFail !== undefined && end === undefined) end = p.t;
  }
  if (first === undefined) return 0;
  return (end ?? to) - first;
}

function existsAt(snapshots: readonly ApiSnapshot[], service: string, t: number): boolean {
  let last: ApiSnapshot | undefined;
  for (const s of snapshots) {
    if (s.t > t) break;
    last = s;
  }
  return last?.services.some((v) => v.name === service && v.ips.length > 0) ?? false;
}

export function outages(
  probes: readonly HttpProbe[],
  windows: readonly FaultWindow[],
  snapshots: readonly ApiSnapshot[],
  boundMs: (service: string, at: number) => number,
): { outages: Outage[]; violations: Violation[] } {
  const controlFails = machineStalls(probes, windows);
  const byService = new Map<string, HttpProbe[]>();
  for (const p of probes) if (!p.service.startsWith(CONTROL_PREFIX)) (byService.get(p.service) ?? byService.set(p.service, []).get(p.service)!).push(p);
  for (const xs of byService.values()) xs.sort((a, b) => a.t - b.t);
  const out: Outage[] = [];
  const violations: Violation[] = [];
  for (const w of windows) {
    for (const [service, xs] of byService) {
      if (!existsAt(snapshots, service, w.inject) || !existsAt(snapshots, service, w.end)) continue;
      const raw = xs.filter((p) => p.t >= w.inject && p.t < w.end);
      if (raw.length === 0) continue;
      let excused = 0;
      // An excused failure counts as answered: the client could not tell, and neither can we.
      const inWindow = raw.map((p) => {
        if (p.ok || (!p.stalled && !excusedAt(controlFails, p.t))) return p;
        excused++;
        return { ...p, ok: true };
      });
      const bound = boundMs(service, w.end);
      const afterBound = inWindow.filter((p) => p.t >= w.heal + bound);
      const runs = failedRuns(afterBound);
      const late = runs.filter(([a, b]) => b - a + 1 >= MIN_FAILED_RUN).flatMap(([a, b]) => afterBound.slice(a, b + 1));
      const blips = runs.filter(([a, b]) => b - a + 1 < MIN_FAILED_RUN).reduce((n, [a, b]) => n + b - a + 1, 0);
      out.push({
        window: w.index,
        kind: w.kind,
        service,
        duringMs: failureSpan(inWindow, w.inject, w.heal),
        afterMs: failureSpan(inWindow, w.heal, w.end),
        failed: inWindow.filter((p) => !p.ok).length,
        excused,
        blips,
        probes: inWindow.length,
      });
      if (late.length) {
        const lastLate = late[late.length - 1]!;
        violations.push(violation(windows, 'd', late[0]!.t, `${service} still failing ${late[0]!.t - w.heal} ms after the heal (bound ${bound} ms): ${late.length} probes failed from ${iso(late[0]!.t)} to ${iso(lastLate.t)} (${lastLate.ip})`));
      }
    }
  }
  return { outages: out, violations };
}
