// The chaos invariants (a), (b), (c), (e) and (f) as pure functions over observations
// (observations.ts); (d) is in outages.ts and (g) in memory-trend.ts. Each returns violations,
// each stamped with the fault in force, so the report can say which fault broke what.
import { analyseIp } from '../bench/l2-watch.js';
import { iso, violation, type Answer, type ApiSnapshot, type FaultWindow, type ProcessExit, type Violation } from './observations.js';

/** (a) A watcher probe round answered by two MACs, per IP. */
export function twoMacs(ips: readonly string[], rounds: readonly number[], answers: readonly Answer[], windows: readonly FaultWindow[], from: number, to: number): Violation[] {
  return ips.flatMap((ip) => analyseIp(ip, rounds, answers, from, to).doubles.map((d) => violation(windows, 'a', d.t, `${ip} answered by ${d.macs.join(' and ')} in the probe round of ${iso(d.t)}`)));
}

/**
 * (b) A Service's IP changed (one it held went away) while it still validly held it: same
 * object (uid), and the pool it requests now is the one it requested when it got its IPs.
 * Recreating the Service or changing its pool may move it (the IP may lag the pool change by a
 * read or two, so the pool at the time the IPs were gained is the one that counts).
 */
export function ipChanges(snapshots: readonly ApiSnapshot[], windows: readonly FaultWindow[]): Violation[] {
  const last = new Map<string, { uid: string; ips: readonly string[]; poolAtIps: string | undefined }>();
  const out: Violation[] = [];
  for (const s of snapshots) {
    for (const v of s.services) {
      const prev = last.get(v.name);
      const gained = !prev || prev.uid !== v.uid || v.ips.some((ip) => !prev.ips.includes(ip));
      last.set(v.name, { uid: v.uid, ips: v.ips, poolAtIps: gained ? v.pool : prev.poolAtIps });
      if (!prev || prev.uid !== v.uid || prev.poolAtIps !== v.pool) continue;
      const lost = prev.ips.filter((ip) => !v.ips.includes(ip));
      if (lost.length) out.push(violation(windows, 'b', s.t, `${v.name} lost ${lost.join(', ')} (now ${v.ips.join(', ') || 'none'}) with the same uid and pool ${v.pool ?? '(none)'}`));
    }
  }
  return out;
}

/** (c) One IP held by two Services without a common allow-shared-ip key; once per episode. */
export function sharedIps(snapshots: readonly ApiSnapshot[], windows: readonly FaultWindow[]): Violation[] {
  const out: Violation[] = [];
  let open = new Set<string>();
  for (const s of snapshots) {
    const holders = new Map<string, { name: string; key: string | undefined }[]>();
    for (const v of s.services) for (const ip of v.ips) (holders.get(ip) ?? holders.set(ip, []).get(ip)!).push({ name: v.name, key: v.sharingKey });
    const now = new Set<string>();
    for (const [ip, hs] of holders) {
      if (hs.length < 2) continue;
      const key = hs[0]!.key;
      if (key !== undefined && hs.every((h) => h.key === key)) continue;
      const id = `${ip} ${hs.map((h) => h.name).sort().join(',')}`;
      now.add(id);
      if (!open.has(id)) out.push(violation(windows, 'c', s.t, `${ip} held by ${hs.map((h) => `${h.name} (key ${h.key ?? 'none'})`).join(' and ')}`));
    }
    open = now;
  }
  return out;
}

export interface StatusCheckInput {
  /** L2 Services only: their IPs come from the snapshots. */
  readonly snapshots: readonly ApiSnapshot[];
  readonly answers: readonly Answer[];
  readonly nodeOfMac: (mac: string) => string | undefined;
  readonly from: number;
  readonly to: number;
  /** How long a disagreement may last (issue: 1 s). */
  readonly toleranceMs: number;
  /** An answer counts as "who answers now" for this long (a few watcher rounds). */
  readonly answerTtlMs: number;
  /** Time step of the sweep. */
  readonly stepMs: number;
}

/** A ServiceL2Status left behind by a node that no longer answers (policy.ts KNOWN_DEFECTS). */
export const STALE_L2_STATUS = 'stale-l2-status';
/**
 * The new owner (a takeover, or a restarted speaker taking IPs back) answers ARP before its
 * ServiceL2Status exists, by more than the 1 s tolerance on a loaded machine (1.3-2 s measured).
 */
export const STATUS_LAG = 'status-lag';
/** That known defect's own bound: a longer lag is no longer that defect, and is enforced. */
export const STATUS_LAG_BOUND_MS = 5000;

/**
 * (e) While one node answers for an L2 Service's IP, its ServiceL2Status objects must name that
 * node within the tolerance: "missing" when none does (a violation), "stale" when it does but an
 * object of another node (killed, frozen or cut off, so it cannot delete its own) names that node
 * too (a violation marked with the known defect STALE_L2_STATUS). Once per episode, at its start.
 * No answer at all is invariant (d)'s business, not this one's.
 */
export function statusAgreement(input: StatusCheckInput, windows: readonly FaultWindow[]): Violation[] {
  const byIp = new Map<string, Answer[]>();
  for (const a of input.answers) if (a.t >= input.from - input.answerTtlMs && a.t <= input.to) (byIp.get(a.ip) ?? byIp.set(a.ip, []).get(a.ip)!).push(a);
  for (const xs of byIp.values()) xs.sort((x, y) => x.t - y.t);
  const ptr = new Map<string, number>();
  const episodes = new Map<string, { since: number; last: number; node: string; missing: boolean; why: string }>();
  const out: Violation[] = [];
  let si = 0;
  const maxSteps = Math.ceil((input.to - input.from) / input.stepMs) + 1;
  for (let k = 0; k < Math.min(maxSteps, 10_000_000); k++) {
    const t = input.from + k * input.stepMs;
    while (si + 1 < input.snapshots.length && input.snapshots[si + 1]!.t <= t) si++;
    const snap = input.snapshots[si];
    if (!snap || snap.t > t) continue;
    const seen = new Set<string>();
    for (const svc of snap.services) {
      if (svc.mode !== 'l2') continue;
      for (const ip of svc.ips) {
        const xs = byIp.get(ip) ?? [];
        let i = ptr.get(ip) ?? 0;
        while (i < xs.length && xs[i]!.t <= t) i++;
        ptr.set(ip, i);
        // Who answers now: the latest answer, if recent (two MACs in one round are (a)'s business).
        const latest = i > 0 && xs[i - 1]!.t > t - input.answerTtlMs ? xs[i - 1]! : undefined;
        const answering = latest ? input.nodeOfMac(latest.mac) : undefined;
        if (answering === undefined) continue;
        const said = [...new Set(snap.l2.filter((x) => x.service === svc.name).map((x) => x.node))].sort();
        const kind = !said.includes(answering) ? 'missing' : said.length > 1 ? 'stale' : undefined;
        if (kind === undefined) continue;
        const key = `${kind} ${svc.name} ${ip} ${answering}`;
        seen.add(key);
        const why =
          kind === 'missing'
            ? `${ip} (${svc.name}) answered by ${answering} but no ServiceL2Status names it (they say ${said.join(' and ') || 'nobody'})`
            : `${ip} (${svc.name}) answered by ${answering}, but a stale ServiceL2Status also names ${said.filter((n) => n !== answering).join(' and ')}`;
        const ep = episodes.get(key) ?? { since: t, last: t, node: answering, missing: kind === 'missing', why };
        ep.last = t;
        episodes.set(key, ep);
      }
    }
    for (const [key, ep] of [...episodes]) {
      if (seen.has(key)) continue;
      close(ep);
      episodes.delete(key);
    }
  }
  for (const ep of episodes.values()) close(ep);
  return out.sort((a, b) => a.t - b.t);

  /** An episode that ended: a violation if it lasted longer than the tolerance. */
  function close(ep: { since: number; last: number; node: string; missing: boolean; why: string }): void {
    const lasted = ep.last - ep.since + input.stepMs;
    if (lasted <= input.toleranceMs) return;
    const known = ep.missing ? (lasted <= STATUS_LAG_BOUND_MS ? STATUS_LAG : undefined) : STALE_L2_STATUS;
    out.push(violation(windows, 'e', ep.since, `${ep.why} for ${lasted} ms (from ${iso(ep.since)}; tolerance ${input.toleranceMs} ms)`, known));
  }
}

/**
 * (f) Components found not running when no fault had stopped them. An exit of a role the fault
 * in force took down, between its inject and a grace after its heal, is the fault, not a crash.
 */
export function crashes(exits: readonly ProcessExit[], windows: readonly FaultWindow[], graceMs: number): Violation[] {
  return exits
    .filter((x) => !windows.some((w) => w.downRoles.includes(x.role) && x.t >= w.inject && x.t <= w.heal + graceMs))
    .map((x) => violation(windows, 'f', x.t, `${x.role}: ${x.why}`));
}
