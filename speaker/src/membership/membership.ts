// The membership shell: sends heartbeats, feeds what it hears and what Kubernetes says into the
// pure liveness core, and tells the speaker's reconciler when the live set or this speaker's
// fence changes. It also runs the graceful handoff (leave / handoff / ackHandoff).
//
// Its own stalls. Every entry point first asks the LoopWatch whether the evaluation tick is
// overdue; if so the loop was stuck (a GC pause, a CPU hog) and the core is told (stalled()).
// Then the shell *drains* before it judges or speaks: libuv runs a late timer before it polls the
// socket, so a judgment at that moment would see every peer silent, and a heartbeat sent then
// would carry that judgment. Instead it defers (setImmediate) until a loop turn reads fewer than
// a batch of datagrams (libuv reads up to 32 per turn), at most DRAIN_ROUNDS turns, then tells
// the core (drained()), sends the heartbeat that was due, and evaluates. Meanwhile view()
// returns the last evaluated view and isFenced() stays live (a half-read queue can only fence).
//
// Per message the shell does O(members / 8) work; it re-evaluates at once only when the core
// says something visible changed (a flag, a leave, a peer back, a link up), and otherwise on its
// tick (every 20 ms).
import type { Clock, TimerHandle } from '@herald/shared/clock';
import type { Logger } from '@herald/shared/log';
import { decodeHeartbeat, describeDecodeError, encodeHeartbeat, ipListBytes, type HeartbeatMessage, type WireIP } from './heartbeat-codec.js';
import { Liveness, statusText, type LivenessConfig, type LivenessK8sConfig, type LivenessView, type MemberFacts } from './liveness.js';
import { LoopWatch, type Stall } from './loop-watch.js';
import { newIncarnation, ReplayGuard } from './replay-guard.js';
import { StallReport, type StallReportOptions } from './stall-report.js';
import type { PacketTransport } from './udp-transport.js';

/** A turn that read fewer datagrams than this ended the drain (libuv reads up to 32 per turn). */
const DRAIN_BATCH = 16;
const DRAIN_ROUNDS = 32;

export interface MembershipOptions {
  readonly node: string;
  /** Heartbeat keys: the first signs, any verifies. */
  readonly keys: readonly Buffer[];
  readonly transport: PacketTransport;
  readonly clock: Clock;
  readonly log: Logger;
  readonly config?: Partial<LivenessConfig>;
  readonly k8s?: Partial<LivenessK8sConfig>;
  /** How often the view is re-evaluated between messages (default 20 ms). */
  readonly evalIntervalMs?: number;
  /** The evaluation tick this late means our loop stalled (default 50 ms; keep it below a heartbeat). */
  readonly stallThresholdMs?: number;
  /** Which stalls are logged at warn, and how often (default: >= 100 ms, once per 10 s). */
  readonly stallWarn?: StallReportOptions;
  /** Runs fn after pending I/O has been read (default setImmediate; tests pass a fake). */
  readonly defer?: (fn: () => void) => void;
  readonly wallNow?: () => number;
  readonly random16?: () => number;
}

export interface MembershipChange {
  readonly live: ReadonlySet<string>;
  readonly fenced: boolean;
  readonly view: LivenessView;
  /** Members whose status text changed, with the new text. */
  readonly changed: ReadonlyMap<string, string>;
}

export interface Handoff {
  /** The leaving peer and its incarnation. */
  readonly from: string;
  readonly incarnation: bigint;
}

/** A claim or a release of L2 IPs from a peer (layer2/handover.ts). */
export interface HandoverMessage {
  readonly type: 'claim' | 'released';
  readonly from: string;
  readonly incarnation: bigint;
  readonly ips: readonly WireIP[];
}

/** Room for the address list in one datagram (a 1452-byte payload less the header and a heard bitmap). */
const IP_LIST_BUDGET = 1000;

export interface LeaveResult {
  readonly outcome: 'all-acked' | 'deadline';
  readonly acked: readonly string[];
  readonly missing: readonly string[];
}

export interface MembershipCounters {
  heartbeatsSent: number;
  accepted: number;
  /** Accepted messages from speakers that are not in our member set (yet, or any more). */
  fromNonMembers: number;
  rejected: Record<string, number>;
  /** Stalls of our own loop (evaluation tick late by more than the threshold), and their total length. */
  stalls: number;
  stalledMs: number;
  /** Evaluations of the view (tick, change, drain end). */
  evaluations: number;
}

export class Membership {
  readonly incarnation: bigint;
  readonly liveness: Liveness;
  readonly counters: MembershipCounters = { heartbeatsSent: 0, accepted: 0, fromNonMembers: 0, rejected: {}, stalls: 0, stalledMs: 0, evaluations: 0 };
  private readonly guard = new ReplayGuard();
  private readonly watch: LoopWatch;
  private readonly stallReport: StallReport;
  private readonly defer: (fn: () => void) => void;
  private addresses: ReadonlyMap<string, readonly string[]> = new Map();
  private seq = 0;
  private beatTimer: TimerHandle | undefined;
  private evalTimer: TimerHandle | undefined;
  private running = false;
  private draining: { since: number; received: number; rounds: number; beatDue: boolean } | undefined;
  private last: { live: string; fenced: boolean; statuses: Map<string, string>; view: LivenessView } | undefined;
  private readonly changeListeners: ((c: MembershipChange) => void)[] = [];
  private readonly handoffListeners: ((h: Handoff) => void)[] = [];
  private readonly handoverListeners: ((m: HandoverMessage) => void)[] = [];
  /** Peers whose latest message carried the handover flag, by name -> incarnation. */
  private readonly handoverCapable = new Map<string, bigint>();
  /** Leavers we acked, by name -> incarnation (re-acked if they keep saying `leaving`). */
  private readonly acked = new Map<string, bigint>();
  private leaving: { waitFor: Set<string>; got: Set<string>; done: (r: LeaveResult) => void; timer: TimerHandle } | undefined;
  private hasLeft = false;

  constructor(private readonly o: MembershipOptions) {
    this.incarnation = newIncarnation((o.wallNow ?? Date.now)(), (o.random16 ?? (() => Math.floor(Math.random() * 0x10000)))());
    this.liveness = new Liveness(o.node, o.config, o.k8s);
    this.watch = new LoopWatch(o.stallThresholdMs ?? 50);
    this.stallReport = new StallReport(o.stallWarn);
    this.defer = o.defer ?? ((fn) => void setImmediate(fn));
    o.transport.onMessage((buf) => this.receive(buf));
  }

  onChange(cb: (c: MembershipChange) => void): void {
    this.changeListeners.push(cb);
  }

  /** A peer is leaving: announce what you took over, then call ackHandoff(h.from). */
  onHandoff(cb: (h: Handoff) => void): void {
    this.handoffListeners.push(cb);
  }

  /** A claim or release addressed to us (handover). */
  onHandover(cb: (m: HandoverMessage) => void): void {
    this.handoverListeners.push(cb);
  }

  /**
   * Whom a claim waits for: live peers that speak the handover and are linked to us (their
   * latest lists name us, so they hear our claims).
   */
  handoverPeers(): Set<string> {
    const now = this.tick();
    const v = this.draining && this.last ? this.last.view : this.liveness.view(now);
    const out = new Set<string>();
    for (const n of v.live) {
      if (n === this.o.node || !this.handoverCapable.has(n)) continue;
      if (this.liveness.linkedTo(n, now)) out.add(n);
    }
    return out;
  }

  /** We hear the peer (our lists name it): a hold for it as successor is valid only while this holds. */
  hears(name: string): boolean {
    return this.liveness.hears(name, this.tick());
  }

  /**
   * Peers leaving gracefully that speak the handover and that we still hear: a gain from one of
   * them is claimed from it (it answers until then), so that the two never answer together.
   */
  handoverLeavers(): Set<string> {
    const now = this.tick();
    return new Set(this.liveness.leavers(now).filter((n) => this.handoverCapable.has(n)));
  }

  /** True if the peer speaks the handover. */
  speaksHandover(name: string): boolean {
    return this.handoverCapable.has(name);
  }

  /** Sends a claim for these IPs (split over as many datagrams as it takes). */
  sendClaim(ips: readonly WireIP[]): void {
    for (const chunk of chunkIps(ips)) this.send('claim', undefined, chunk);
  }

  /** Tells `to` that we released these IPs it claimed. */
  sendReleased(to: string, toIncarnation: bigint, ips: readonly WireIP[]): void {
    for (const chunk of chunkIps(ips)) this.send('released', { to, toIncarnation }, chunk);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.beat();
    this.onEvalTimer();
  }

  stop(): void {
    this.running = false;
    if (this.beatTimer) this.o.clock.clearTimeout(this.beatTimer);
    if (this.evalTimer) this.o.clock.clearTimeout(this.evalTimer);
    if (this.leaving) this.finishLeave('deadline');
  }

  /** The member set and heartbeat destinations (from membersFromK8s, or a static stub). */
  setMembers(facts: ReadonlyMap<string, MemberFacts>, addresses: ReadonlyMap<string, readonly string[]>): void {
    const now = this.tick();
    this.addresses = addresses;
    this.liveness.setMembers(facts, now);
    this.evaluate();
  }

  /** From the LeaseKeeper. */
  ownLeaseRenewed(sentAt: number, renewKey: string): void {
    this.liveness.ownLeaseRenewed(sentAt, renewKey, this.tick());
    this.evaluate();
  }

  /** The current view (while reading what queued during a stall: the last one evaluated). */
  view(): LivenessView {
    const now = this.tick();
    if (this.draining && this.last) return this.last.view;
    return this.liveness.view(now);
  }

  /** Unfenced and past every start-up wait (liveness.ts settled): what readiness reports. */
  settled(): boolean {
    return this.liveness.settled(this.tick());
  }

  /** Call right before answering for an IP (cheap: no I/O). */
  isFenced(): boolean {
    return this.liveness.isFenced(this.tick());
  }

  /**
   * Graceful handoff: from now on our heartbeats say `leaving`; resolves when every peer that is
   * live now has answered `announced`, or at the deadline. Keep answering until it resolves.
   */
  leave(deadlineMs: number): Promise<LeaveResult> {
    const now = this.tick();
    const v = this.liveness.view(now);
    const heard = new Set(this.liveness.heardList(now));
    const waitFor = new Set([...v.live].filter((n) => n !== this.o.node && heard.has(n)));
    this.hasLeft = true;
    return new Promise((resolve) => {
      const timer = this.o.clock.setTimeout(() => this.finishLeave('deadline'), deadlineMs);
      this.leaving = { waitFor, got: new Set(), done: resolve, timer };
      this.o.log.info('membership-leaving', { node: this.o.node, waitFor: [...waitFor], deadlineMs });
      if (waitFor.size === 0) this.finishLeave('all-acked');
      else this.send('leaving');
    });
  }

  /** Tell a leaving peer that we now announce what it handed us. */
  ackHandoff(from: string): void {
    const inc = this.acked.get(from);
    if (inc === undefined) return;
    this.tick();
    this.send('announced', { to: from, toIncarnation: inc });
  }

  private finishLeave(outcome: LeaveResult['outcome']): void {
    const l = this.leaving;
    if (!l) return;
    this.leaving = undefined;
    this.o.clock.clearTimeout(l.timer);
    const r: LeaveResult = { outcome, acked: [...l.got].sort(), missing: [...l.waitFor].filter((n) => !l.got.has(n)).sort() };
    this.o.log.info('membership-left', { node: this.o.node, ...r });
    l.done(r);
  }

  /** Every entry point: the time, after reporting a stall if our tick is overdue. */
  private tick(): number {
    const now = this.o.clock.now();
    const s = this.watch.check(now);
    if (s) this.onStall(s);
    return now;
  }

  private onStall(s: Stall): void {
    const ms = s.to - s.from;
    this.counters.stalls++;
    this.counters.stalledMs += ms;
    this.liveness.stalled(s.from, s.to);
    const warn = this.stallReport.stalled(s.to, ms);
    if (warn) this.o.log.warn('membership-stall', { node: this.o.node, ...warn });
    else this.o.log.debug('membership-stall', { node: this.o.node, stalledMs: Math.round(ms) });
    if (this.draining) return;
    this.draining = { since: s.to, received: 0, rounds: 0, beatDue: false };
    this.defer(() => this.drainTurn());
  }

  /** One loop turn after a stall: done when this turn read less than a batch (or bounds ran out). */
  private drainTurn(): void {
    const d = this.draining;
    if (!d) return;
    const now = this.o.clock.now();
    d.rounds++;
    if (d.received >= DRAIN_BATCH && d.rounds < DRAIN_ROUNDS && now - d.since < this.liveness.config.heartbeatIntervalMs) {
      d.received = 0;
      this.defer(() => this.drainTurn());
      return;
    }
    this.draining = undefined;
    this.liveness.drained(now);
    if (d.beatDue) this.beat();
    this.evaluate();
  }

  private beat(): void {
    if (!this.running) return;
    this.tick();
    if (this.draining) {
      this.draining.beatDue = true;
      return;
    }
    this.send(this.hasLeft ? 'leaving' : 'heartbeat');
    if (this.beatTimer) this.o.clock.clearTimeout(this.beatTimer);
    this.beatTimer = this.o.clock.setTimeout(() => this.beat(), this.liveness.config.heartbeatIntervalMs);
  }

  private send(type: HeartbeatMessage['type'], target?: { to: string; toIncarnation: bigint }, ips?: readonly WireIP[]): void {
    if ((type === 'announced' || type === 'released') && !target) return;
    if ((type === 'claim' || type === 'released') && !ips?.length) return;
    const now = this.o.clock.now();
    const listless = type === 'announced' || type === 'claim' || type === 'released';
    const { fenced, heard, hashes } = this.liveness.nextHeartbeat(now, listless ? 'ack' : 'list');
    const common = { from: this.o.node, incarnation: this.incarnation, seq: this.seq++ >>> 0, sentAtMs: Math.max(0, now), fenced, handover: true };
    const encode = (h: HeartbeatMessage['heard']): Buffer | undefined => {
      let msg: HeartbeatMessage;
      if (type === 'heartbeat' || type === 'leaving') msg = { type, ...common, heard: h };
      else if (type === 'claim' && ips) msg = { type, ...common, heard: h, ips };
      else if (type === 'announced' && target) msg = { type, ...common, heard: h, ...target };
      else if (type === 'released' && target && ips) msg = { type, ...common, heard: h, ...target, ips };
      else return undefined;
      try {
        return encodeHeartbeat(msg, this.o.keys);
      } catch (err) {
        this.o.log.error('heartbeat-encode-failed', { err });
        return undefined;
      }
    };
    const buf = encode(heard);
    // Peers whose member set differs from ours get the same message with hashes (one more HMAC).
    const alt = hashes ? encode(hashes.heard) : undefined;
    if (!buf) return;
    // Every message goes to every member (an ack too), so each receiver sees every sequence
    // number and can tell a missed message from none sent.
    for (const [name, addrs] of this.addresses) {
      if (name === this.o.node) continue;
      const addr = addrs[0];
      if (addr) this.o.transport.send(addr, (hashes?.to.has(name) ? alt : undefined) ?? buf);
    }
    if (type === 'heartbeat') this.counters.heartbeatsSent++;
  }

  private reject(why: string): void {
    this.counters.rejected[why] = (this.counters.rejected[why] ?? 0) + 1;
  }

  /** The receive path: never throws. */
  private receive(buf: Buffer): void {
    try {
      const now = this.tick();
      if (this.draining) this.draining.received++;
      const d = decodeHeartbeat(buf, this.o.keys);
      if (!d.ok) {
        this.reject(d.error.type);
        this.o.log.debug('heartbeat-rejected', { why: describeDecodeError(d.error) });
        return;
      }
      const m = d.msg;
      if (m.from === this.o.node) return this.reject('from-self');
      // A sender outside our member set still counts (as a stranger) in the liveness core.
      if (!this.addresses.has(m.from)) this.counters.fromNonMembers++;
      const r = this.guard.accept(m.from, m.incarnation, m.seq, now);
      if (!r.ok) return this.reject(r.error.type);
      this.counters.accepted++;
      // Claims and releases go out of the heartbeat rhythm, like acks: their lists are not read.
      const kind = m.type === 'claim' || m.type === 'released' ? 'announced' : m.type;
      this.liveness.observe({ from: m.from, type: kind, incarnation: m.incarnation, fenced: m.fenced, heard: m.heard, seq: m.seq, sentAtMs: m.sentAtMs }, now);
      if (m.handover) this.handoverCapable.set(m.from, m.incarnation);
      else this.handoverCapable.delete(m.from);
      if (m.type === 'leaving') this.onLeaving(m.from, m.incarnation);
      if (m.type === 'announced' && m.to === this.o.node && m.toIncarnation === this.incarnation && this.leaving) {
        this.leaving.got.add(m.from);
        if ([...this.leaving.waitFor].every((n) => this.leaving?.got.has(n))) this.finishLeave('all-acked');
      }
      if (this.liveness.dirty) this.evaluate();
      const forUs = m.type === 'claim' || (m.type === 'released' && m.to === this.o.node && m.toIncarnation === this.incarnation);
      if (forUs && this.addresses.has(m.from)) {
        const h: HandoverMessage = { type: m.type, from: m.from, incarnation: m.incarnation, ips: m.ips };
        for (const l of this.handoverListeners) l(h);
      }
    } catch (err) {
      this.o.log.error('heartbeat-receive-failed', { err });
    }
  }

  private onLeaving(from: string, incarnation: bigint): void {
    const known = this.acked.get(from);
    if (known === incarnation) {
      // Already handed over: the leaver did not get our ack yet, say it again.
      if (this.handoffListeners.length === 0) this.ackHandoff(from);
      return;
    }
    this.acked.set(from, incarnation);
    this.evaluate();
    if (this.handoffListeners.length === 0) this.ackHandoff(from);
    else for (const l of this.handoffListeners) l({ from, incarnation });
  }

  /** The evaluation tick: notice a stall (from how late we are) before re-arming, then evaluate. */
  private onEvalTimer(): void {
    if (!this.running) return;
    const now = this.tick();
    const every = this.o.evalIntervalMs ?? 20;
    this.evalTimer = this.o.clock.setTimeout(() => this.onEvalTimer(), every);
    this.watch.armed(now + every);
    this.evaluate();
  }

  /** Recomputes the view, emits a change when the live set or the fence changed. */
  private evaluate(): void {
    if (this.draining) return;
    this.counters.evaluations++;
    const view = this.liveness.view(this.o.clock.now());
    this.liveness.dirty = false;
    const statuses = new Map<string, string>();
    let sameStatuses = this.last !== undefined && this.last.statuses.size === view.members.size;
    for (const [n, s] of view.members) {
      const t = statusText(s);
      statuses.set(n, t);
      if (sameStatuses && this.last?.statuses.get(n) !== t) sameStatuses = false;
    }
    const live = [...view.live].sort().join(',');
    const prev = this.last;
    this.last = { live, fenced: view.fence.fenced, statuses, view };
    if (prev && sameStatuses && prev.live === live && prev.fenced === view.fence.fenced) return;
    const changed = new Map([...statuses].filter(([n, t]) => prev?.statuses.get(n) !== t));
    for (const [member, status] of changed) this.o.log.info('member-status', { node: this.o.node, member, status });
    if (!prev || prev.fenced !== view.fence.fenced) {
      this.o.log.info(view.fence.fenced ? 'self-fenced' : 'self-unfenced', { node: this.o.node, reason: view.fence.fenced ? view.fence.reason : undefined });
    }
    const c: MembershipChange = { live: view.live, fenced: view.fence.fenced, view, changed };
    for (const l of this.changeListeners) {
      try {
        l(c);
      } catch (err) {
        this.o.log.error('membership-listener-failed', { err });
      }
    }
  }
}

/** Address lists cut to fit one datagram each. */
function chunkIps(ips: readonly WireIP[]): WireIP[][] {
  const out: WireIP[][] = [];
  let cur: WireIP[] = [];
  let bytes = ipListBytes(0, 0);
  for (const ip of ips) {
    const b = ipListBytes(ip.length === 4 ? 1 : 0, ip.length === 4 ? 0 : 1) - ipListBytes(0, 0);
    if (cur.length > 0 && (bytes + b > IP_LIST_BUDGET || cur.length === 0xffff)) {
      out.push(cur);
      cur = [];
      bytes = ipListBytes(0, 0);
    }
    cur.push(ip);
    bytes += b;
  }
  if (cur.length) out.push(cur);
  return out;
}
