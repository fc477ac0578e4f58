// Which speakers are alive, and whether this one must self-fence. Pure and deterministic: every
// input carries the time (the shell's monotonic clock); nothing here touches a socket, the
// Kubernetes client or a timer.
//
// THE RULE (why there is never a second owner)
//
// Every speaker computes ownership alike: the owner of an IP is the top-ranked *live* node
// (DESIGN §5), and suspects count as live. So X claims an IP only if every node ranked above X
// is dead in X's view, and safety reduces to one invariant:
//
//   (I) whenever an unfenced speaker considers P dead, P is fenced (answers for nothing).
//
// (Two unfenced claimers X above Y are then impossible: Y claims only if X is dead for Y.)
// P is considered dead, by observer O, only on evidence P has too:
//
// 1. P's own word. A heartbeat from P with the `fenced` flag makes P dead while that report is
//    fresh (heard within silentAfter); `leaving` makes P dead at once (graceful handoff: P keeps
//    answering until the new owner says `announced`, an accepted overlap of one round trip).
//    Conversely P heard *without* the flag is live whatever O's Kubernetes view says: P judges
//    its own Kubernetes facts (own NotReady, own renewals) and fences itself; O's cache may be
//    stale. A fenced P clears the flag, then waits rejoinAfter (> silentAfter + 2 heartbeats)
//    before answering, so every peer has heard the cleared flag or let the old report expire.
// 2. Corroborated silence, with 3 or more members ("quorum mode"). The base F is the member set
//    (nodes with a speaker Lease), minus members that left, or whose Lease has been gone or
//    expired for gcAfter (as of a fresh view); n = |F|, self included, q = floor(n/2)+1.
//    (Heard speakers outside the member set count as live: strangers.ts.)
//    - P self-fences when fewer than q speakers, itself included, are *mutually* connected to it:
//      P heard Q within silentAfter AND Q's latest heard-list names P. Counting only mutual links
//      makes an asymmetric cut fence the side that is not heard.
//    - O declares P dead when O has not heard P for deadAfter AND a strict majority of F
//      (floor(n/2)+1, O included) does not hear P: O, plus each Q in F heard within silentAfter,
//      neither fenced nor leaving, whose heard-lists have omitted P for `corroboration`. That
//      leaves P at most ceil(n/2)-2 mutual links, one fewer than the q-1 it needs: P is fenced,
//      with one member of slack so a one-member disagreement about F (informer lag at a join or
//      a GC) cannot break (I). P learns
//      each omission from the same heartbeat O does, or stopped counting Q when its silentAfter
//      ran out; corroboration >= silentAfter covers that race.
//    A peer heard by nobody but us stays *suspect* (live for ownership).
// 3. Kubernetes facts, with 1-2 members ("lease mode": no majority exists). A silent P is dead
//    when its Lease expired, or its Node is NotReady / its Lease gone for k8sGrace, judged *as of
//    a fresh API view*, and no heard-list we hold names P. "Fresh": our own latest renewal came
//    back to us through the informer (so the watch delivered everything written before it)
//    within apiStaleAfter; a stale observer judges nothing, instead of expiring every Lease.
//    P fences itself in lease mode when its renewals fail for renewDeadline < leaseDuration, at
//    once when it sees its own NotReady or its Lease gone (k8sGrace > renewDeadline covers a P
//    that cannot see them because it lost the API), and after any stale-renewal period (a fresh
//    start counts) it waits rejoinAfterLeaseFence >= apiStaleAfter: by then every observer has
//    seen its new renewal or has gone stale.
//
// Improvement over a plain "the Lease is the ground truth" rule: in quorum mode a failed Lease
// renewal does not fence for apiLossFence (default 90 s). The heartbeat quorum already proves
// the data plane; fencing every speaker on a 6 s API-server outage would black out every Service
// IP. apiLossFence < leaseDuration + gcAfter, so P fences before anyone drops it from F.
//
// Residual assumptions, stated plainly:
// - Speakers agree on F up to one member, and exactly at the 3 <-> 2 boundary (lease mode has
//   no quorum fence) they agree fully. Breaking that needs a membership change (a join, a GC of
//   a long-dead member) seen by one speaker and not yet by another - one informer lag - while a
//   partition isolates a third.
// - Nobody deletes the Lease of a live speaker that cannot reach the API to recreate it: a
//   speaker started afterwards would not know that member at all, and if it is also cut off
//   from every peer (so it cannot hear of it either) it could take that member's IPs.
// Seeded chaos runs of this rule (kills, restarts, freezes, cuts in either direction, API loss,
// NotReady flaps, Lease deletions, 0-30 % message loss, varied latency and informer lag; about
// 1,000 seeds of 40-60 simulated seconds each) found one violation, of the second kind.
//
// Timing with the defaults (heartbeat 100 ms): a cut-off node fences <= 300 ms after its last
// receipt; peers declare it dead >= deadAfter - heartbeat = 500 ms after it; a killed peer is
// declared dead 600-700 ms after it dies.
import {
  defaultLivenessConfig, validateLivenessConfig,
  type FenceReason, type FenceStatus, type HeardMessage, type LivenessConfig, type LivenessView, type MemberFacts,
  type MemberStatus,
} from './liveness-types.js';

import { Strangers } from './strangers.js';

export * from './liveness-types.js';

/** Extra knobs of the Kubernetes side (not part of the heartbeat timing proof). */
export interface LivenessK8sConfig {
  /** Quorum mode: fence when the last successful own renewal is older than this. */
  readonly apiLossFenceMs: number;
  /** A member whose Lease has been expired this long (as of a fresh view) leaves the base. */
  readonly gcAfterMs: number;
}

export const defaultLivenessK8sConfig: LivenessK8sConfig = { apiLossFenceMs: 90_000, gcAfterMs: 120_000 };

interface Peer {
  facts: MemberFacts;
  /** When we started tracking it (a never-heard member is silent since then). */
  since: number;
  leaseKey: string | undefined;
  leaseObservedAt: number | undefined;
  notReadySince: number | undefined;
  leaseMissingSince: number | undefined;
  removed: boolean;
  incarnation: bigint | undefined;
  lastHeardAt: number | undefined;
  fenced: boolean;
  left: boolean;
  heard: ReadonlySet<string>;
  /** Per subject: since when (our receipt time) this peer's heard-lists have omitted it. */
  omitSince: Map<string, number>;
}

type Mode = 'quorum' | 'lease';

export class Liveness {
  private readonly peers = new Map<string, Peer>();
  private ownRenewedAt: number | undefined;
  /** Own renewals sent (renewKey -> send time), to recognise their echo in the facts. */
  private readonly ownKeys = new Map<string, number>();
  private freshAsOf: number | undefined;
  private clearSince: number | undefined;
  /** Last time we were fenced for failed own renewals (lease mode rejoin waits longer after it). */
  private leaseFencedAt: number | undefined;
  readonly config: LivenessConfig;
  readonly k8s: LivenessK8sConfig;
  private readonly strangers: Strangers;

  constructor(
    readonly self: string,
    config: Partial<LivenessConfig> = {},
    k8s: Partial<LivenessK8sConfig> = {},
  ) {
    this.config = validateLivenessConfig({ ...defaultLivenessConfig, ...config });
    this.k8s = { ...defaultLivenessK8sConfig, ...k8s };
    this.strangers = new Strangers(this.config.silentAfterMs);
  }

  /** The member set from Kubernetes (nodes with a speaker Lease, self included), as cached now. */
  setMembers(members: ReadonlyMap<string, MemberFacts>, now: number): void {
    this.update(now);
    for (const [name, facts] of members) {
      let p = this.peers.get(name);
      if (!p) {
        p = {
          facts, since: now, leaseKey: undefined, leaseObservedAt: undefined, notReadySince: undefined,
          leaseMissingSince: undefined, removed: false, incarnation: undefined, lastHeardAt: undefined,
          fenced: false, left: false, heard: new Set(), omitSince: new Map(),
        };
        this.peers.set(name, p);
      }
      p.removed = false;
      this.applyFacts(p, facts, now);
    }
    for (const [name, p] of this.peers) {
      if (!members.has(name) && !p.removed) {
        p.removed = true;
        this.applyFacts(p, { lease: undefined, nodeReady: p.facts.nodeReady }, now);
      }
    }
    const own = members.get(this.self)?.lease?.renewKey;
    const sent = own === undefined ? undefined : this.ownKeys.get(own);
    if (sent !== undefined) this.freshAsOf = Math.max(this.freshAsOf ?? -Infinity, sent);
    this.update(now);
  }

  private applyFacts(p: Peer, facts: MemberFacts, now: number): void {
    p.facts = facts;
    if (facts.lease) {
      if (p.leaseKey !== facts.lease.renewKey) {
        p.leaseKey = facts.lease.renewKey;
        p.leaseObservedAt = now;
      }
      p.leaseMissingSince = undefined;
    } else {
      p.leaseKey = undefined;
      p.leaseObservedAt = undefined;
      p.leaseMissingSince ??= now;
    }
    if (facts.nodeReady) p.notReadySince = undefined;
    else p.notReadySince ??= now;
  }

  /** Our own Lease renewal succeeded: `sentAt` is when the request was sent, `renewKey` what it wrote. */
  ownLeaseRenewed(sentAt: number, renewKey: string, now: number): void {
    this.update(now);
    this.ownRenewedAt = Math.max(this.ownRenewedAt ?? -Infinity, sentAt);
    this.ownKeys.set(renewKey, sentAt);
    while (this.ownKeys.size > 16) this.ownKeys.delete(this.ownKeys.keys().next().value!);
    this.update(now);
  }

  /** A message from a peer. Returns false (ignored) when the sender is not a member or is us. */
  observe(msg: HeardMessage, now: number): boolean {
    if (msg.from === this.self) return false;
    const p = this.peers.get(msg.from);
    if (!p) {
      this.strangers.observe(msg.from, msg, now);
      return false;
    }
    this.update(now);
    if (p.incarnation !== msg.incarnation) {
      p.incarnation = msg.incarnation;
      p.left = false;
      p.omitSince = new Map();
    }
    p.lastHeardAt = now;
    if (msg.type === 'leaving') p.left = true;
    p.fenced = msg.fenced;
    p.heard = new Set(msg.heard);
    for (const subject of this.peers.keys()) {
      if (subject === msg.from) continue;
      if (p.heard.has(subject)) p.omitSince.delete(subject);
      else if (!p.omitSince.has(subject)) p.omitSince.set(subject, now);
    }
    for (const subject of [...p.omitSince.keys()]) if (!this.peers.has(subject)) p.omitSince.delete(subject);
    this.update(now);
    return true;
  }

  /** Members we heard within silentAfter: the list our heartbeats carry. */
  heardList(now: number): string[] {
    const members = [...this.peers.entries()].filter(([name, p]) => name !== this.self && this.hears(p, now)).map(([name]) => name);
    return [...members, ...this.strangers.heard(now, (n) => this.peers.has(n))].sort();
  }

  /** The view at `now`; also records time (the shell calls it at least every ~25 ms). */
  view(now: number): LivenessView {
    this.update(now);
    return this.compute(now);
  }

  /** True when this speaker must not answer for any IP. Cheap enough to call per packet. */
  isFenced(now: number): boolean {
    return this.fenceAt(now).fenced;
  }

  /** The flag our heartbeats carry: fenced for a hard reason (while rejoining we send "not fenced"). */
  advertisesFenced(now: number): boolean {
    const f = this.fenceAt(now);
    return f.fenced && f.reason.type !== 'rejoining';
  }

  /** Only the fence (O(members), no per-peer statuses). */
  private fenceAt(now: number): FenceStatus {
    this.update(now);
    const base = this.base();
    return this.fence(now, base, this.mode(base));
  }

  private update(now: number): void {
    for (const [name, p] of this.peers) if (p.removed && this.asOfFresh(p.leaseMissingSince) > this.k8s.gcAfterMs) this.peers.delete(name);
    this.strangers.prune(now, new Set(this.peers.keys()));
    const base = this.base();
    const hard = this.hardFence(now, base);
    if (hard) this.clearSince = undefined;
    else this.clearSince ??= now;
    if (this.ownLeaseStale(now, this.mode(base))) this.leaseFencedAt = now;
  }

  /** How long before the fresh API view `since` was (-Infinity when unknown or not yet). */
  private asOfFresh(since: number | undefined): number {
    if (since === undefined || this.freshAsOf === undefined) return -Infinity;
    return this.freshAsOf - since;
  }

  private hears(p: Peer, now: number): boolean {
    return p.lastHeardAt !== undefined && now - p.lastHeardAt <= this.config.silentAfterMs;
  }

  /** Dead by Kubernetes facts as of a fresh view (undefined: not dead by them, or our view is stale). */
  private k8sDead(p: Peer, now: number): 'lease-expired' | 'lease-missing' | 'node-not-ready' | undefined {
    if (this.freshAsOf === undefined || now - this.freshAsOf > this.config.apiStaleAfterMs) return undefined;
    const g = this.config.k8sGraceMs;
    if (this.asOfFresh(p.leaseMissingSince) > g) return 'lease-missing';
    const lease = p.facts.lease;
    if (lease && this.asOfFresh(p.leaseObservedAt) > lease.durationMs) return 'lease-expired';
    if (this.asOfFresh(p.notReadySince) > g) return 'node-not-ready';
    return undefined;
  }

  /** The base F: members that did not leave, whose Lease exists and was not expired for gcAfter. */
  private base(): Set<string> {
    const out = new Set<string>();
    for (const [name, p] of this.peers) {
      if (name === this.self) {
        if (!p.removed) out.add(name);
        continue;
      }
      if (p.left) continue;
      // A Lease gone from our cache leaves F only after gcAfter as of a fresh view, like an
      // expired one: a deletion its speaker undoes at the next renewal never changes anyone's F,
      // and a speaker that cannot see its Lease deleted (no API) has fenced by apiLossFence.
      if (p.leaseMissingSince !== undefined && this.asOfFresh(p.leaseMissingSince) > this.k8s.gcAfterMs) continue;
      const lease = p.facts.lease;
      if (lease && this.asOfFresh(p.leaseObservedAt) > lease.durationMs + this.k8s.gcAfterMs) continue;
      out.add(name);
    }
    return out;
  }

  private mode(base: ReadonlySet<string>): Mode {
    return base.size >= this.config.minQuorumMembers ? 'quorum' : 'lease';
  }

  /** Our last successful renewal is too old for the mode (or there was none yet). */
  private ownLeaseStale(now: number, mode: Mode): boolean {
    const deadline = mode === 'lease' ? this.config.renewDeadlineMs : this.k8s.apiLossFenceMs;
    return this.ownRenewedAt === undefined || now - this.ownRenewedAt > deadline;
  }

  private hardFence(now: number, base: ReadonlySet<string>): FenceReason | undefined {
    const me = this.peers.get(this.self);
    if (!me || me.removed || !me.facts.lease) return { type: 'not-a-member' };
    if (!me.facts.nodeReady) return { type: 'own-node-not-ready' };
    if (this.ownLeaseStale(now, this.mode(base))) {
      return { type: 'own-lease-not-renewed', lastRenewAgoMs: this.ownRenewedAt === undefined ? undefined : now - this.ownRenewedAt };
    }
    if (this.mode(base) === 'quorum') {
      const q = Math.floor(base.size / 2) + 1;
      const mutual = [...base].filter((name) => {
        const p = this.peers.get(name);
        return name !== this.self && p !== undefined && this.hears(p, now) && p.heard.has(this.self);
      });
      if (mutual.length + 1 < q) return { type: 'no-quorum', mutual: mutual.sort(), need: q };
    }
    return undefined;
  }

  private compute(now: number): LivenessView {
    const base = this.base();
    const mode = this.mode(base);
    const fence = this.fence(now, base, mode);
    const members = new Map<string, MemberStatus>();
    for (const [name, p] of this.peers) {
      if (name === this.self) {
        if (!p.removed) members.set(name, fence.fenced ? { type: 'dead', reason: { type: 'self-fenced' } } : { type: 'live' });
      } else members.set(name, this.peerStatus(name, p, now, base, mode));
    }
    // Speakers outside our member set that are heard, or that peers we hear report hearing.
    const reported = new Set<string>();
    for (const [name, p] of this.peers) if (name !== this.self && this.hears(p, now)) for (const r of p.heard) reported.add(r);
    for (const [name, st] of this.strangers.statuses(now, (n) => this.peers.has(n), reported, this.self)) members.set(name, st);
    const live = new Set([...members].filter(([, s]) => s.type !== 'dead').map(([n]) => n));
    return { mode, members, live, fence };
  }

  private fence(now: number, base: ReadonlySet<string>, mode: Mode): FenceStatus {
    const c = this.config;
    const hard = this.hardFence(now, base);
    let fence: FenceStatus;
    if (hard) fence = { fenced: true, reason: hard };
    else {
      // In lease mode peers may judge us by our Lease alone: after a renewal fence, wait until
      // every fresh observer has seen the new renewal. Quorum mode judges by heartbeats.
      const sinceLeaseFence = mode === 'lease' && this.leaseFencedAt !== undefined ? now - this.leaseFencedAt : Infinity;
      const clearForMs = Math.min(now - (this.clearSince ?? now), sinceLeaseFence);
      const needMs = sinceLeaseFence < c.rejoinAfterLeaseFenceMs ? c.rejoinAfterLeaseFenceMs : c.rejoinAfterMs;
      fence = clearForMs >= needMs ? { fenced: false } : { fenced: true, reason: { type: 'rejoining', clearForMs, needMs } };
    }
    return fence;
  }

  private peerStatus(name: string, p: Peer, now: number, base: ReadonlySet<string>, mode: Mode): MemberStatus {
    const c = this.config;
    if (p.left) return { type: 'dead', reason: { type: 'left' } };
    if (this.hears(p, now)) return p.fenced ? { type: 'dead', reason: { type: 'peer-fenced' } } : { type: 'live' };
    const silentMs = now - (p.lastHeardAt ?? p.since);
    const k8s = this.k8sDead(p, now);
    const inBase = base.has(name);
    if (!inBase && !p.removed && p.leaseMissingSince === undefined) return { type: 'dead', reason: { type: 'lease-expired' } };
    // Peers we hear now, and whether each currently omits P from its heard-list (and since when).
    const witnesses = [...this.peers.entries()].filter(([qn, q]) => qn !== name && qn !== this.self && this.hears(q, now));
    if (mode === 'lease') {
      const namedByOthers = witnesses.some(([, q]) => q.heard.has(name));
      if (k8s && !namedByOthers) return { type: 'dead', reason: { type: k8s } };
      return { type: 'suspect', reason: { type: 'heartbeat-silent-lease-mode', silentMs } };
    }
    const n = base.size + (inBase ? 0 : 1);
    const need = Math.floor(n / 2) + 1;
    const corroborators = witnesses
      .filter(([qn, q]) => {
        // Only members in F that are neither fenced nor leaving corroborate: a speaker on its way
        // out of someone's F must not tip a count that speaker's F no longer matches.
        const since = q.omitSince.get(name);
        return base.has(qn) && !q.fenced && !q.left && since !== undefined && now - since >= c.corroborationMs;
      })
      .map(([qn]) => qn)
      .sort();
    if (silentMs > c.deadAfterMs && corroborators.length + 1 >= need) {
      if (k8s) return { type: 'dead', reason: { type: k8s } };
      return { type: 'dead', reason: { type: 'heartbeat-silent-corroborated', silentMs, corroborators } };
    }
    return { type: 'suspect', reason: { type: 'heartbeat-silent-uncorroborated', silentMs, corroborators, need } };
  }
}
