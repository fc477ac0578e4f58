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
//
// Evidence is dated by when it was sent. Every message carries its send time, which
// peer-clock.ts maps onto our clock (its "stamp": never later than receipt). A message that sat
// in our socket while our loop was stalled is as old as it is, however late we read it. Receipt
// times, and "listening time" (wall time minus our own measured stalls, deaf-time.ts), are used
// only where a later date can only delay a death: our own silence of a peer, and whom we tell
// peers we hear (over-claiming only keeps others alive longer). P is dead, for observer O, only
// on evidence P has too:
//
// 1. P's own word. A heartbeat from P with the `fenced` flag makes P dead while that report is
//    fresh (stamped within silentAfter); `leaving` makes P dead at once (graceful handoff: P keeps
//    answering until the new owner says `announced`, an accepted overlap of one round trip).
//    Conversely P heard *without* the flag is live whatever O's Kubernetes view says: P judges
//    its own Kubernetes facts (own NotReady, own renewals) and fences itself; O's cache may be
//    stale. After P has *sent* a fenced flag it waits rejoinAfter (> silentAfter + 2 heartbeats)
//    before answering, so every peer has heard it cleared or let the report expire (a fresh start
//    counts as having sent one).
// 2. Corroborated silence, with 3 or more members ("quorum mode"). The base F is the member set
//    (nodes with a speaker Lease), minus members that left, or whose Lease has been gone or
//    expired for gcAfter (as of a fresh view); n = |F|, self included, q = floor(n/2)+1.
//    (Heard speakers outside the member set count as live: strangers.ts.)
//    - Links. Q is linked to P when the latest list of Q that named P is stamped within
//      silentAfter, and Q's lists have named P with no gap over silentAfter (by stamps) for at
//      least rejoinAfter (a link back after a lapse is held down that long). P self-fences when
//      fewer than q speakers, itself included, are linked to it.
//    - O declares P dead when O has not heard P for deadAfter of listening time AND a strict
//      majority of F (O included) corroborates: each Q in F whose latest message is stamped within
//      silentAfter and after O's latest stall ended, neither fenced nor leaving, that holds an
//      unbroken run (no sequence number missed) of lists leaving P out, from a first stamped s'
//      to a latest stamped >= s' + corroboration; and O itself once its own sent lists have left
//      P out for corroboration (or it never sent one).
//    Why (I) holds at every instant T, whatever anyone's loop did before: if P is unfenced with
//    links M (|M| >= q-1) and O counts corroborators K (|K| >= q, P not in K), then some R is in
//    both, since |M| + |K| > n - 1 (two if n is even: one member of slack for a disagreement
//    about F). Let s be R's latest list naming P that P holds: T - s <= silentAfter. O holds R's
//    run s'..l, unbroken, all omitting P, l >= s' + corroboration >= s' + silentAfter. s is not
//    inside the run. If s < s', then T >= l >= s' + silentAfter > s + silentAfter: contradiction.
//    If s > l, R named P again after a run of at least corroboration, so P saw a gap over
//    silentAfter and holds the link down for rejoinAfter: by then O has s, or a later message
//    with a gap, and its run is over (one missed message; rejoinAfter covers several). R = O is
//    the same argument on O's own sends. (Announced acks carry a list nobody reads: list-bearing
//    messages are spaced a heartbeat apart, which is the margin in the first case.)
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
// Stalls of our own loop (a GC pause, a CPU hog; the shell measures them from its late tick and
// tells us: stalled(), then drained() once what queued meanwhile has been read):
// - Accusing. Our silence of a peer is counted in listening time (wall time minus our stalls), and
//   a witness counts only once it has sent after our stall ended (its older lists may be behind
//   newer ones still in our queue). Both can only delay a death, never cause one.
// - Our own fence needs no special case, and that is the point: stamps make queued messages as
//   old as they are, and the argument above never asks how late anything was read, so (I) holds
//   for a stall of any length, alone or ending as a real partition begins (then it simply is a
//   partition: our links lapse silentAfter after the peers' last naming lists, whenever we read
//   them, and nobody can count a run against us before that). A stall costs liveness only.
// - THE BOUND (when a stall costs nothing). Let G be the gap between two of our heartbeats
//   (G <= stall + heartbeat, by the phase at which the stall hit), h the heartbeat, S silentAfter,
//   l the one-way latency. A peer Q names us until S after it last heard us, so its last naming
//   list before the gap is stamped >= (our last send) + S - h, and its first one after it
//   <= (our next send) + h + l. Our link to Q stays fresh all along, and never lapses (no
//   hold-down), iff those two are <= S apart as we read them:
//       G <= 2 S - 2 h - 2 l    (400 ms with the defaults: a stall of up to ~300 ms)
//   Then we neither fence nor look dead to anyone (that takes G > deadAfter and corroboration), as
//   long as our peers kept running and what queued is read. Beyond it, up to deadAfter, peers
//   still cannot declare us dead but we see a lapse and hold the links down for rejoinAfter; past
//   deadAfter they may, and we wake fenced. A socket buffer that overflowed (the kernel drops the
//   newest) is a real lapse too. Peers that stalled with us (a majority at once) leave our links
//   stale until their next heartbeats: we cannot tell that from a cut, so we fence for that
//   moment, but no flag goes out (no-quorum is advertised only once it lasted a heartbeat) and,
//   without a lapse, there is no rejoin wait.
// - Judging from a half-read queue can only fence us, and leaves nothing behind: a lapse is
//   decided by stamps, a rejoin by what we sent. The shell reads the queue before it evaluates or
//   sends after a stall, so such a transient is never advertised.
//
// Residual assumptions, stated plainly:
// - Speakers agree on F up to one member, and exactly at the 3 <-> 2 boundary (lease mode has
//   no quorum fence) they agree fully. Breaking that needs a membership change (a join, a GC of
//   a long-dead member) seen by one speaker and not yet by another - one informer lag - while a
//   partition isolates a third.
// - Nobody deletes the Lease of a live speaker that cannot reach the API to recreate it: a
//   speaker started afterwards would not know that member at all, and if it is also cut off
//   from every peer (so it cannot hear of it either) it could take that member's IPs.
// - More than rejoinAfter / heartbeat consecutive messages of one peer lost to one observer only.
//
// Timing with the defaults (heartbeat 100 ms): a cut-off node fences <= 300 ms after its last
// receipt; peers declare it dead >= deadAfter - heartbeat = 500 ms after it; a killed peer is
// declared dead 600-800 ms after it dies (silentAfter + corroboration and up to two heartbeat
// phases; bench "membership scale": median ~630 ms at 3 and at 100 members). Work: a message costs
// O(members / 8 + changes); a view O(members + omissions held), where omissions held is 0 while
// everyone hears everyone.
import { bitsetBytes, MemberIndex, setBit, toHeardField } from './heard-set.js';
import { MTU_PAYLOAD_BYTES } from './heartbeat-codec.js';
import {
  defaultLivenessConfig, defaultLivenessK8sConfig, validateLivenessConfig,
  type FenceReason, type FenceStatus, type HeardMessage, type HeartbeatPayload, type LivenessConfig, type LivenessK8sConfig,
  type LivenessView, type MemberFacts, type MemberStatus,
} from './liveness-types.js';
import { DeafTime } from './deaf-time.js';
import { PeerState } from './liveness-peer.js';
import { OwnLists } from './own-lists.js';
import { Strangers } from './strangers.js';

export * from './liveness-types.js';

type Mode = 'quorum' | 'lease';

/** A message's bytes besides the sender's name and the heard entries, at most (an `announced` with a 253-byte target). */
const HEADER_BYTES_MAX = 26 + 8 + 1 + 2 + 1 + 1 + 253 + 8 + 32;

export class Liveness {
  private readonly peers = new Map<string, PeerState>();
  private index = new MemberIndex([]);
  private ownRenewedAt: number | undefined;
  /** Own renewals sent (renewKey -> send time), to recognise their echo in the facts. */
  private readonly ownKeys = new Map<string, number>();
  private freshAsOf: number | undefined;
  /** Last heartbeat we sent with the fenced flag (a fresh start counts as one). */
  private fencedSentAt: number | undefined;
  /** Last time we were fenced for failed own renewals (lease mode rejoin waits longer after it). */
  private leaseFencedAt: number | undefined;
  /** Since when the fence has been no-quorum without a break (as seen by our evaluations). */
  private noQuorumSince: number | undefined;
  private readonly own: OwnLists;
  private readonly deaf = new DeafTime();
  /** While we read what queued during a stall: messages then are "late" (peer-clock.ts). */
  private drain: { readonly from: number; until: number } | undefined;
  private baseCache: Set<string> | undefined;
  /** Set when something changed that a view could show at once (the shell re-evaluates then). */
  dirty = true;
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
    this.strangers = new Strangers(this.config.silentAfterMs, this.deaf);
    this.own = new OwnLists(this.config.corroborationMs);
  }

  /** The member set from Kubernetes (nodes with a speaker Lease, self included), as cached now. */
  setMembers(members: ReadonlyMap<string, MemberFacts>, now: number): void {
    this.update(now);
    for (const [name, facts] of members) {
      let p = this.peers.get(name);
      if (!p) {
        p = new PeerState(name, facts, now, this.deaf.total);
        this.peers.set(name, p);
      }
      p.removed = false;
      p.applyFacts(facts, now);
    }
    for (const [name, p] of this.peers) {
      if (!members.has(name) && !p.removed) {
        p.removed = true;
        p.applyFacts({ lease: undefined, nodeReady: p.facts.nodeReady }, now);
      }
    }
    const own = members.get(this.self)?.lease?.renewKey;
    const sent = own === undefined ? undefined : this.ownKeys.get(own);
    if (sent !== undefined) this.freshAsOf = Math.max(this.freshAsOf ?? -Infinity, sent);
    for (const [name, p] of this.peers) if (p.removed && this.asOfFresh(p.leaseMissingSince) > this.k8s.gcAfterMs) this.peers.delete(name);
    if (!this.index.sameAs(members.keys())) {
      const next = new MemberIndex(members.keys());
      for (const p of this.peers.values()) p.reindex(this.index, next);
      this.own.retain((subject) => next.indexOf(subject) !== undefined);
      this.index = next;
    }
    this.baseCache = undefined;
    this.dirty = true;
    this.update(now);
  }

  /** Our own Lease renewal succeeded: `sentAt` is when the request was sent, `renewKey` what it wrote. */
  ownLeaseRenewed(sentAt: number, renewKey: string, now: number): void {
    this.update(now);
    this.ownRenewedAt = Math.max(this.ownRenewedAt ?? -Infinity, sentAt);
    this.ownKeys.set(renewKey, sentAt);
    while (this.ownKeys.size > 16) this.ownKeys.delete(this.ownKeys.keys().next().value!);
    this.dirty = true;
    this.update(now);
  }

  /** Our loop did not run from `from` to `to` (now): the shell measured how late a timer fired. */
  stalled(from: number, to: number): void {
    this.deaf.add(from, to);
    this.drain = { from, until: to + this.config.heartbeatIntervalMs };
    this.dirty = true;
  }

  /** What queued during the stall has been read (the shell's drain is over). */
  drained(now: number): void {
    if (this.drain) this.drain.until = Math.min(this.drain.until, now);
  }

  /** A message from a peer. Returns false (ignored) when the sender is not a member or is us. */
  observe(msg: HeardMessage, now: number): boolean {
    if (msg.from === this.self) return false;
    const late = this.drain && now <= this.drain.until ? { since: this.drain.from } : undefined;
    const p = this.peers.get(msg.from);
    if (!p) {
      this.strangers.observe(msg.from, msg, now, late);
      return false;
    }
    this.update(now);
    const S = this.config.silentAfterMs;
    if (p.incarnation !== msg.incarnation) {
      p.reincarnate(msg.incarnation);
      this.baseCache = undefined;
      this.dirty = true;
    }
    p.sequence(msg.seq);
    const stamp = p.clock.stamp(msg.sentAtMs, now, late);
    const wasHeard = p.stampAt !== undefined && now - p.stampAt <= S;
    const wasLinked = this.linked(p, now);
    p.recvAt = now;
    p.deafAtRecv = this.deaf.total;
    p.stampAt = Math.max(p.stampAt ?? -Infinity, stamp);
    if (msg.type === 'leaving' && !p.left) {
      p.left = true;
      this.baseCache = undefined;
    }
    if (p.fenced !== msg.fenced || msg.type !== 'heartbeat' || !wasHeard) this.dirty = true;
    p.fenced = msg.fenced;
    // An `announced` ack is sent outside the heartbeat rhythm; its list is not read (see THE RULE).
    if (msg.type !== 'announced') p.readHeard(this.index, this.self, msg.heard, stamp, S);
    if (!wasLinked && this.linked(p, now)) this.dirty = true;
    return true;
  }

  /** The peer's latest list naming us is stamped within silentAfter: it hears us. */
  linkedTo(name: string, now: number): boolean {
    const p = this.peers.get(name);
    return p !== undefined && name !== this.self && this.linked(p, now);
  }

  /**
   * Unfenced, and past the lease-mode rejoin wait since our last stale-renewal period (a fresh
   * start counts): the site may drop to one or two members now (a rolling restart stops the
   * next node) without fencing us. Readiness waits for this.
   */
  settled(now: number): boolean {
    if (this.isFenced(now)) return false;
    return this.leaseFencedAt === undefined || now - this.leaseFencedAt >= this.config.rejoinAfterLeaseFenceMs;
  }

  /** Members that said `leaving` and are still heard (they answer until handed over). */
  leavers(now: number): string[] {
    const out: string[] = [];
    for (const p of this.peers.values()) if (p.name !== this.self && p.left && this.heardLoosely(p, now)) out.push(p.name);
    return out;
  }

  /** We heard the peer within silentAfter of listening time (our lists name it). */
  hears(name: string, now: number): boolean {
    const p = this.peers.get(name);
    return p !== undefined && name !== this.self && this.heardLoosely(p, now);
  }

  /** Members (and strangers) we heard within silentAfter of listening time, sorted. */
  heardList(now: number): string[] {
    const names: string[] = [];
    for (const p of this.peers.values()) if (p.name !== this.self && this.heardLoosely(p, now)) names.push(p.name);
    return [...names, ...this.strangers.heard(now, (n) => this.peers.has(n))].sort();
  }

  /**
   * What we send now, recorded as sent: its fenced flag (rejoin waits after it) and, for a
   * list-bearing message (heartbeat, leaving; not an `announced` ack, whose list nobody reads),
   * the list (our own omissions of a subject corroborate its death only once they have run for
   * corroboration).
   */
  nextHeartbeat(now: number, kind: 'list' | 'ack' = 'list'): HeartbeatPayload {
    this.update(now);
    const fenced = this.advertisesFenced(now);
    if (fenced) this.fencedSentAt = now;
    const bits = new Uint8Array(bitsetBytes(this.index.size));
    const extra: string[] = [];
    const disagree = new Set<string>();
    const base = this.base();
    for (const p of this.peers.values()) {
      if (p.name === this.self) continue;
      const heard = this.heardLoosely(p, now);
      const i = this.index.indexOf(p.name);
      // A former member still in our base goes by name even unheard: a speaker that never knew
      // it (restarted after its Lease went) learns from us that it may be answering.
      if (i === undefined && (heard || (base.has(p.name) && !p.left))) extra.push(p.name);
      if (heard && i !== undefined) setBit(bits, i);
      if (p.digest !== undefined && p.digest !== this.index.digest) disagree.add(p.name);
      if (i !== undefined && kind === 'list') this.own.note(p.name, heard, now);
    }
    extra.push(...this.strangers.heard(now, (n) => this.peers.has(n)));
    if (kind === 'list') this.own.sent(now);
    const heard = toHeardField(this.index, bits, extra, 'bitmap');
    if (disagree.size === 0) return { fenced, heard };
    // Member sets disagree: name what we hear while one datagram has room, newest members first
    // (the ones a lagging informer does not know yet), the rest as hashes.
    const byName = [...this.peers.values()].filter((p) => p.name !== this.self).sort((a, b) => b.since - a.since)
      .map((p) => this.index.indexOf(p.name)).filter((i): i is number => i !== undefined);
    const fixed = HEADER_BYTES_MAX + this.self.length + extra.reduce((n, e) => n + 1 + e.length, 0) + 8 * this.index.size;
    const hashes = toHeardField(this.index, bits, extra, 'hashes', { byName, nameBudget: MTU_PAYLOAD_BYTES - fixed });
    return { fenced, heard, hashes: { heard: hashes, to: disagree } };
  }

  /** The view at `now`. */
  view(now: number): LivenessView {
    this.update(now);
    return this.compute(now);
  }

  /** True when this speaker must not answer for any IP. O(members): cheap enough per packet. */
  isFenced(now: number): boolean {
    return this.fenceAt(now).fenced;
  }

  /**
   * The flag our heartbeats carry: fenced for a hard reason (while rejoining we send "not
   * fenced"). A lost quorum is said only once it has lasted a heartbeat: right after a stall that
   * every peer shared, all links are stale for a moment (nobody sent), and the flag, which only
   * speeds a takeover up, would turn that moment into a takeover and a rejoin.
   */
  advertisesFenced(now: number): boolean {
    const f = this.fenceAt(now);
    if (!f.fenced || f.reason.type === 'rejoining') return false;
    return f.reason.type !== 'no-quorum' || now - (this.noQuorumSince ?? now) >= this.config.heartbeatIntervalMs;
  }

  private fenceAt(now: number): FenceStatus {
    this.update(now);
    const base = this.base();
    return this.fence(now, base, this.mode(base));
  }

  private update(now: number): void {
    this.fencedSentAt ??= now;
    this.strangers.prune(now, this.peers);
    if (this.drain && now > this.drain.until) this.drain = undefined;
    if (this.ownLeaseStale(now, this.mode(this.base()))) this.leaseFencedAt = now;
  }

  /** How long before the fresh API view `since` was (-Infinity when unknown or not yet). */
  private asOfFresh(since: number | undefined): number {
    if (since === undefined || this.freshAsOf === undefined) return -Infinity;
    return this.freshAsOf - since;
  }

  /** Heard within silentAfter by its latest message's stamp (quorum, witnesses, fenced reports). */
  private heardStrictly(p: PeerState, now: number): boolean {
    return p.stampAt !== undefined && now - p.stampAt <= this.config.silentAfterMs;
  }

  /** Heard within silentAfter of listening time since its latest receipt (liveness, our lists). */
  private heardLoosely(p: PeerState, now: number): boolean {
    return p.recvAt !== undefined && this.deaf.listening(p.recvAt, p.deafAtRecv, now) <= this.config.silentAfterMs;
  }

  /** The link to us is fresh: its latest list naming us is stamped within silentAfter. */
  private linked(p: PeerState, now: number): boolean {
    return p.namedSelfAt !== undefined && now - p.namedSelfAt <= this.config.silentAfterMs;
  }

  /** Dead by Kubernetes facts as of a fresh view (undefined: not dead by them, or our view is stale). */
  private k8sDead(p: PeerState, now: number): 'lease-expired' | 'lease-missing' | 'node-not-ready' | undefined {
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
    if (this.baseCache) return this.baseCache;
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
    this.baseCache = out;
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
      const hold = this.config.rejoinAfterMs;
      let counted = 0;
      const held: number[] = [];
      for (const name of base) {
        const p = name === this.self ? undefined : this.peers.get(name);
        if (!p || !this.linked(p, now)) continue;
        if (now - (p.linkUpAt ?? now) >= hold) counted++;
        else held.push(p.linkUpAt ?? now);
      }
      if (counted + 1 >= q) return undefined;
      const short = q - 1 - counted;
      if (held.length >= short) {
        const upAt = held.sort((a, b) => a - b)[short - 1] ?? now;
        return { type: 'rejoining', clearForMs: now - upAt, needMs: hold };
      }
      const mutual = [...base].filter((n) => n !== this.self && this.peers.get(n) !== undefined && this.linked(this.peers.get(n)!, now));
      return { type: 'no-quorum', mutual: mutual.sort(), need: q };
    }
    return undefined;
  }

  private fence(now: number, base: ReadonlySet<string>, mode: Mode): FenceStatus {
    const c = this.config;
    const hard = this.hardFence(now, base);
    if (hard?.type === 'no-quorum') this.noQuorumSince ??= now;
    else this.noQuorumSince = undefined;
    if (hard) return { fenced: true, reason: hard };
    // In lease mode peers may judge us by our Lease alone: after a renewal fence, wait until
    // every fresh observer has seen the new renewal. Otherwise wait after a fenced flag we sent.
    const sinceLeaseFence = mode === 'lease' && this.leaseFencedAt !== undefined ? now - this.leaseFencedAt : Infinity;
    if (sinceLeaseFence < c.rejoinAfterLeaseFenceMs) return { fenced: true, reason: { type: 'rejoining', clearForMs: sinceLeaseFence, needMs: c.rejoinAfterLeaseFenceMs } };
    const sinceFlag = now - (this.fencedSentAt ?? now);
    if (sinceFlag < c.rejoinAfterMs) return { fenced: true, reason: { type: 'rejoining', clearForMs: sinceFlag, needMs: c.rejoinAfterMs } };
    return { fenced: false };
  }

  private compute(now: number): LivenessView {
    const base = this.base();
    const mode = this.mode(base);
    const fence = this.fence(now, base, mode);
    const members = new Map<string, MemberStatus>();
    // Peers whose status goes by silence, then who corroborates each (one pass over held runs).
    const silent = new Set<string>();
    for (const [name, p] of this.peers) if (name !== this.self && !p.left && !this.heardLoosely(p, now)) silent.add(name);
    const corr = mode === 'quorum' ? this.corroborators(now, base, silent) : new Map<string, string[]>();
    for (const [name, p] of this.peers) {
      if (name === this.self) {
        if (!p.removed) members.set(name, fence.fenced ? { type: 'dead', reason: { type: 'self-fenced' } } : { type: 'live' });
      } else members.set(name, this.peerStatus(p, now, base, mode, corr.get(name) ?? []));
    }
    // Speakers outside our member set that are heard, or that peers we hear report hearing.
    const reported = new Set<string>();
    for (const p of this.peers.values()) if (p.name !== this.self && this.heardLoosely(p, now)) for (const r of p.extra) reported.add(r);
    for (const [name, st] of this.strangers.statuses(now, (n) => this.peers.has(n), reported, this.self)) members.set(name, st);
    const live = new Set([...members].filter(([, s]) => s.type !== 'dead').map(([n]) => n));
    return { mode, members, live, fence };
  }

  /** Per silent subject, the witnesses (not us) whose unbroken runs of lists left it out for corroboration. */
  private corroborators(now: number, base: ReadonlySet<string>, silent: ReadonlySet<string>): Map<string, string[]> {
    const out = new Map<string, string[]>();
    if (silent.size === 0) return out;
    const C = this.config.corroborationMs;
    const since = this.deaf.last?.to ?? -Infinity;
    for (const [qn, q] of this.peers) {
      // Only members in F that are neither fenced nor leaving corroborate: a speaker on its way
      // out of someone's F must not tip a count that speaker's F no longer matches.
      if (qn === this.self || !base.has(qn) || q.fenced || q.left || !this.heardStrictly(q, now)) continue;
      if (q.stampAt === undefined || q.stampAt < since) continue;
      for (const [subject, start] of q.runs) {
        if (!silent.has(subject) || q.stampAt - start < C) continue;
        let list = out.get(subject);
        if (!list) out.set(subject, (list = []));
        list.push(qn);
      }
    }
    return out;
  }

  private peerStatus(p: PeerState, now: number, base: ReadonlySet<string>, mode: Mode, corroborators: string[]): MemberStatus {
    const c = this.config;
    const name = p.name;
    if (p.left) return { type: 'dead', reason: { type: 'left' } };
    const silentMs = p.recvAt === undefined ? this.deaf.listening(p.since, p.deafAtSince, now) : this.deaf.listening(p.recvAt, p.deafAtRecv, now);
    const inBase = base.has(name);
    const need = Math.floor((base.size + (inBase ? 0 : 1)) / 2) + 1;
    if (this.heardStrictly(p, now)) return p.fenced ? { type: 'dead', reason: { type: 'peer-fenced' } } : { type: 'live' };
    // Heard, but its latest message is older by its stamp than by when we read it (we stalled):
    // live for ownership; a fenced report that old no longer counts.
    if (this.heardLoosely(p, now)) return p.fenced ? { type: 'suspect', reason: { type: 'heartbeat-silent-uncorroborated', silentMs, corroborators: [], need } } : { type: 'live' };
    const k8s = this.k8sDead(p, now);
    if (!inBase && !p.removed && p.leaseMissingSince === undefined) return { type: 'dead', reason: { type: 'lease-expired' } };
    if (mode === 'lease') {
      let namedByOthers = false;
      for (const q of this.peers.values()) {
        if (q.name !== name && q.name !== this.self && this.heardLoosely(q, now) && q.names(this.index, name)) namedByOthers = true;
      }
      if (k8s && !namedByOthers) return { type: 'dead', reason: { type: k8s } };
      return { type: 'suspect', reason: { type: 'heartbeat-silent-lease-mode', silentMs } };
    }
    corroborators.sort();
    const self = this.own.corroborates(name) ? 1 : 0;
    if (silentMs > c.deadAfterMs && corroborators.length + self >= need) {
      if (k8s) return { type: 'dead', reason: { type: k8s } };
      return { type: 'dead', reason: { type: 'heartbeat-silent-corroborated', silentMs, corroborators } };
    }
    return { type: 'suspect', reason: { type: 'heartbeat-silent-uncorroborated', silentMs, corroborators, need } };
  }
}
