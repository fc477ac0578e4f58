// A simulated cluster of speakers driving the pure Liveness core with a FakeClock: heartbeats
// every 100 ms with 1 ms latency (plus optional jitter) over a link matrix that tests can cut per
// direction, Lease renewals through a stand-in API that a node can lose, and Kubernetes facts
// delivered to each node with an informer lag. Each node's monotonic clock has its own offset
// (send times on the wire are in the sender's clock). The owner of an IP is a trivial rendezvous
// function over each node's own live set, and `check()` asserts that no IP ever has two claimers.
//
// Stalls (stall()): the node's loop stops. What reaches it queues, up to a socket-buffer bound
// beyond which the newest is dropped, as the kernel does; its timers do not run. On waking it
// does what the Membership shell does: reports the stall (from its evaluation tick's due time),
// reads the queue in batches of 32 (the invariant is checked between batches: a half-read queue
// is where a careless rule would claim), tells the core it drained, then sends the heartbeat that
// fell due and re-arms its beat a heartbeat later.
import { createHash } from 'node:crypto';
import { FakeClock } from '@herald/shared/clock';
import { Liveness, type LivenessConfig, type MemberFacts } from '../../src/membership/liveness.js';

export interface SimNode {
  readonly name: string;
  lv: Liveness;
  incarnation: bigint;
  /**
   * Process state: running, killed (gone), stopped (SIGSTOP in the old model: frozen, and what
   * is sent to it is lost) or stalled (its loop stuck: what is sent to it queues).
   */
  state: 'running' | 'killed' | 'stopped' | 'stalled';
  apiOk: boolean;
  /** Sent `leaving`: others may take over; the leaver is excluded from claims after this. */
  leaving: boolean;
  gen: number;
  seq: number;
  /** Offset of its monotonic clock from the simulation's. */
  readonly clockOffset: number;
  /** While stalled: what arrived, in order (applied on waking). */
  queue: (() => void)[];
  queued: number;
  /** A beat fell due while stalled. */
  beatDue: boolean;
  beat: (() => void) | undefined;
}

export interface SimOptions {
  readonly nodes: number;
  readonly config?: Partial<LivenessConfig>;
  readonly leaseDurationMs?: number;
  readonly renewPeriodMs?: number;
  readonly latencyMs?: number;
  readonly informerLagMs?: number;
  readonly ips?: number;
  /** Fraction of heartbeats lost (seeded, deterministic). */
  readonly lossRate?: number;
  /** Extra latency, uniform in [0, jitterMs) per message (seeded). */
  readonly jitterMs?: number;
  /** Datagrams a stalled node's socket holds before dropping the newest. */
  readonly queueCap?: number;
  readonly seed?: number;
}

const hashes = new Map<string, number>();
function score(node: string, ip: string): number {
  const k = `${node}|${ip}`;
  let h = hashes.get(k);
  if (h === undefined) {
    h = createHash('sha256').update(k).digest().readUInt32BE(0);
    hashes.set(k, h);
  }
  return h;
}

export function rendezvousOwner(live: ReadonlySet<string>, ip: string): string | undefined {
  let best: { node: string; h: number } | undefined;
  for (const node of live) {
    const h = score(node, ip);
    if (!best || h > best.h || (h === best.h && node < best.node)) best = { node, h };
  }
  return best?.node;
}

export class Sim {
  readonly clock = new FakeClock(0);
  readonly nodes = new Map<string, SimNode>();
  /** Directed cuts "a>b": a's heartbeats do not reach b. */
  readonly cuts = new Set<string>();
  readonly ips: string[];
  private readonly leases = new Map<string, { renewKey: string; durationMs: number } | undefined>();
  private readonly ready = new Map<string, boolean>();
  private incCounter = 1n;
  private lossState: number;
  readonly violations: string[] = [];
  /** Datagrams dropped because a stalled node's queue was full. */
  dropped = 0;
  /** Called at each violation (debugging). */
  onViolation: ((line: string) => void) | undefined;
  private readonly o: Required<Omit<SimOptions, 'config'>> & { config: Partial<LivenessConfig> };

  constructor(opts: SimOptions) {
    this.o = {
      leaseDurationMs: 10_000, renewPeriodMs: 2000, latencyMs: 1, informerLagMs: 5, ips: 40, config: {}, lossRate: 0, seed: 1,
      jitterMs: 0, queueCap: 1000, ...opts,
    };
    this.lossState = this.o.seed >>> 0;
    this.ips = Array.from({ length: this.o.ips }, (_, i) => `198.51.100.${i + 1}`);
    for (let i = 1; i <= opts.nodes; i++) {
      const name = `node${i}`;
      this.ready.set(name, true);
      this.nodes.set(name, this.newNode(name));
    }
    for (const n of this.nodes.values()) this.boot(n);
  }

  private newNode(name: string): SimNode {
    return {
      name, lv: new Liveness(name, { renewDeadlineMs: 6000, ...this.o.config }), incarnation: this.incCounter++,
      state: 'running', apiOk: true, leaving: false, gen: 0, seq: 0,
      clockOffset: ((Number(this.incCounter) * 7919) % 1000) * 1000 - 400_000, queue: [], queued: 0, beatDue: false, beat: undefined,
    };
  }

  node(name: string): SimNode {
    const n = this.nodes.get(name);
    if (!n) throw new Error(`no ${name}`);
    return n;
  }

  private facts(): Map<string, MemberFacts> {
    const m = new Map<string, MemberFacts>();
    for (const [name, lease] of this.leases) m.set(name, { lease, nodeReady: this.ready.get(name) ?? false });
    return m;
  }

  /** Delivers the current Kubernetes facts to every node that reaches the API, after the lag. */
  private publish(): void {
    const snapshot = this.facts();
    for (const n of this.nodes.values()) {
      const gen = n.gen;
      this.clock.setTimeout(() => {
        if (n.gen === gen && n.apiOk) this.deliver(n, () => n.lv.setMembers(snapshot, this.clock.now()));
      }, this.o.informerLagMs);
    }
  }

  private boot(n: SimNode): void {
    const gen = ++n.gen;
    const now = this.clock.now();
    n.lv.setMembers(this.facts(), now);
    // Heartbeats with a per-node phase, so nodes do not tick in lockstep.
    const phase = (Number(n.incarnation) * 37) % 100;
    const beat = (): void => {
      if (n.gen !== gen) return;
      if (n.state === 'stalled') {
        n.beatDue = true;
        return;
      }
      if (n.state === 'running') this.send(n, n.leaving ? 'leaving' : 'heartbeat');
      this.clock.setTimeout(beat, 100);
    };
    n.beat = beat;
    this.clock.setTimeout(beat, phase);
    // The Lease keeper runs in the speaker's main thread: a stall of the membership loop does not
    // stop renewals, but the core hears of them only when it runs again.
    const renew = (): void => {
      if (n.gen !== gen) return;
      if ((n.state === 'running' || n.state === 'stalled') && n.apiOk && !n.leaving) {
        const sent = this.clock.now();
        const renewKey = `${n.name}@${sent}`;
        this.leases.set(n.name, { renewKey, durationMs: this.o.leaseDurationMs });
        this.deliver(n, () => n.lv.ownLeaseRenewed(sent, renewKey, this.clock.now()));
        this.publish();
      }
      this.clock.setTimeout(renew, this.o.renewPeriodMs);
    };
    renew();
  }

  private send(from: SimNode, type: 'heartbeat' | 'leaving'): void {
    const now = this.clock.now();
    const { fenced, heard, hashes } = from.lv.nextHeartbeat(now);
    const common = { from: from.name, type, incarnation: from.incarnation, seq: from.seq++, sentAtMs: now + from.clockOffset, fenced };
    for (const to of this.nodes.values()) {
      if (to === from || this.cuts.has(`${from.name}>${to.name}`) || this.lost()) continue;
      // As the shell does: peers that reported another member set get the hashes form.
      const msg = { ...common, heard: hashes?.to.has(to.name) ? hashes.heard : heard };
      const gen = to.gen;
      const latency = this.o.latencyMs + (this.o.jitterMs > 0 ? this.random() * this.o.jitterMs : 0);
      this.clock.setTimeout(() => {
        if (to.gen === gen) this.deliver(to, () => to.lv.observe(msg, this.clock.now()), true);
      }, latency);
    }
  }

  /** Applies an input now if the node runs, queues it if stalled (datagrams up to queueCap). */
  private deliver(to: SimNode, apply: () => void, datagram = false): void {
    if (to.state === 'running') apply();
    else if (to.state === 'stalled') {
      if (datagram && to.queued >= this.o.queueCap) this.dropped++;
      else {
        if (datagram) to.queued++;
        to.queue.push(apply);
      }
    }
  }

  private random(): number {
    this.lossState = (Math.imul(this.lossState, 1664525) + 1013904223) >>> 0;
    return (this.lossState >>> 8) / 0x1000000;
  }

  private lost(): boolean {
    return this.o.lossRate > 0 && this.random() < this.o.lossRate;
  }

  /**
   * The node's loop stalls for `ms` (a GC pause, a CPU hog): it neither sends nor reads; what
   * reaches it queues. On waking it does what the shell does (see the header).
   */
  stall(name: string, ms: number): void {
    const n = this.node(name);
    if (n.state !== 'running') return;
    const from = this.clock.now();
    const gen = n.gen;
    n.state = 'stalled';
    this.clock.setTimeout(() => {
      if (n.gen !== gen || n.state !== 'stalled') return;
      const now = this.clock.now();
      n.state = 'running';
      n.queued = 0;
      // The shell sees the stall from its evaluation tick, due within 20 ms of the stall's start.
      n.lv.stalled(Math.min(now, from + 20), now);
      while (n.queue.length > 0) {
        for (const apply of n.queue.splice(0, 32)) apply();
        this.check();
      }
      n.lv.drained(now);
      if (n.beatDue) {
        n.beatDue = false;
        n.beat?.();
      }
    }, ms);
  }

  /** Cuts (or restores) every link of `name`, both directions, and optionally its API access. */
  isolate(name: string, on: boolean, api = true): void {
    for (const other of this.nodes.keys()) {
      if (other === name) continue;
      for (const k of [`${name}>${other}`, `${other}>${name}`]) {
        if (on) this.cuts.add(k);
        else this.cuts.delete(k);
      }
    }
    if (api) this.setApi(name, !on);
  }

  setApi(name: string, ok: boolean): void {
    const n = this.node(name);
    const was = n.apiOk;
    n.apiOk = ok;
    if (ok && !was) n.lv.setMembers(this.facts(), this.clock.now());
  }

  /** Deletes a member's Lease (an admin, or a GC); its speaker recreates it at its next renewal. */
  deleteLease(name: string): void {
    this.leases.delete(name);
    this.publish();
  }

  isReady(name: string): boolean {
    return this.ready.get(name) ?? false;
  }

  setNodeReady(name: string, ready: boolean): void {
    this.ready.set(name, ready);
    this.publish();
  }

  kill(name: string): void {
    const n = this.node(name);
    n.state = 'killed';
    n.queue = [];
    n.gen++;
  }

  /** SIGSTOP / SIGCONT: a frozen process neither sends, receives nor answers, but keeps its state. */
  freeze(name: string, frozen: boolean): void {
    const n = this.node(name);
    if (n.state === 'running' || n.state === 'stopped') n.state = frozen ? 'stopped' : 'running';
  }

  /** A new process: new incarnation, empty state. */
  restart(name: string): void {
    const fresh = this.newNode(name);
    const old = this.node(name);
    this.kill(name);
    fresh.gen = old.gen + 1;
    this.nodes.set(name, fresh);
    this.boot(fresh);
  }

  leave(name: string): void {
    this.node(name).leaving = true;
  }

  /** Claimers per IP at this instant; records a violation when an IP has two. */
  check(): Map<string, string[]> {
    const now = this.clock.now();
    const out = new Map<string, string[]>();
    const views = [...this.nodes.values()]
      .filter((n) => n.state === 'running' && !n.leaving)
      .map((n) => ({ n, v: n.lv.view(now) }))
      .filter((x) => !x.v.fence.fenced);
    for (const ip of this.ips) {
      const claimers = views.filter((x) => rendezvousOwner(x.v.live, ip) === x.n.name).map((x) => x.n.name);
      out.set(ip, claimers);
      if (claimers.length > 1) {
        this.violations.push(`t=${now} ${ip} claimed by ${claimers.join(',')}`);
        this.onViolation?.(this.violations.at(-1) ?? '');
      }
    }
    return out;
  }

  /** Advances time in steps of stepMs, checking the invariant after each; `until` stops early. */
  run(ms: number, opts: { stepMs?: number; until?: () => boolean } = {}): number {
    const step = opts.stepMs ?? 5;
    const end = this.clock.now() + ms;
    while (this.clock.now() < end) {
      this.clock.advance(Math.min(step, end - this.clock.now()));
      this.check();
      if (opts.until?.()) break;
    }
    return this.clock.now();
  }

  status(observer: string, subject: string): string {
    const s = this.node(observer).lv.view(this.clock.now()).members.get(subject);
    if (!s) return 'absent';
    return s.type === 'live' ? 'live' : `${s.type}:${s.reason.type}`;
  }

  fenced(name: string): string | undefined {
    const f = this.node(name).lv.view(this.clock.now()).fence;
    return f.fenced ? f.reason.type : undefined;
  }
}
