// The bench's cluster of real Membership shells (real codec, real HMAC, real liveness core) in
// one process, on a virtual clock: time moves only as fast as the work allows, so 100 members run
// without the machine's load (or the bench's own CPU) turning into heartbeat delays. Every
// datagram is counted.
import type { Clock, TimerHandle } from '@herald/shared/clock';
import { createLogger } from '@herald/shared/log';
import { membership as m } from '@herald/speaker';

interface Event {
  readonly at: number;
  readonly seq: number;
  readonly fn: () => void;
}

/** A virtual clock with a binary heap of timers (O(log n) per timer at 100,000 deliveries a second). */
export class VirtualClock implements Clock {
  private t = 0;
  private seq = 0;
  private heap: Event[] = [];
  private readonly cancelled = new Set<number>();

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const e = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.push(e);
    return { id: e.seq };
  }

  clearTimeout(h: TimerHandle): void {
    this.cancelled.add(h.id);
  }

  /** Runs every event due up to now + ms, in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (let e = this.heap[0]; e && e.at <= end; e = this.heap[0]) {
      this.pop();
      if (this.cancelled.delete(e.seq)) continue;
      this.t = e.at;
      e.fn();
    }
    this.t = end;
  }

  private less(a: Event, b: Event): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(e: Event): void {
    const h = this.heap;
    h.push(e);
    for (let i = h.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (h.length === 0 || !last) return;
    h[0] = last;
    for (let i = 0; ; ) {
      const l = 2 * i + 1;
      const r = l + 1;
      let s = i;
      if (l < h.length && this.less(h[l]!, h[s]!)) s = l;
      if (r < h.length && this.less(h[r]!, h[s]!)) s = r;
      if (s === i) break;
      [h[i], h[s]] = [h[s]!, h[i]!];
      i = s;
    }
  }
}

export interface Traffic {
  sentBytes: number;
  sentDatagrams: number;
  recvBytes: number;
  recvDatagrams: number;
  maxDatagram: number;
}

interface Member {
  readonly name: string;
  shell: m.Membership;
  alive: boolean;
  readonly traffic: Traffic;
  /** The live set of its latest change. */
  live: ReadonlySet<string>;
  fenced: boolean;
  /** Called on every change (detection timing). */
  watch: (() => void) | undefined;
}

const key = Buffer.from('bench-heartbeat-key-0123456789abcdef');
const quiet = createLogger({ component: 'bench', level: 'error', sink: () => undefined });

/** 30-character DNS names, as a cloud's node names are (the worst case for the heard-list). */
export function longNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `ip-10-0-${String(i).padStart(3, '0')}.rack-07.example.net`.slice(0, 30));
}

export class VirtualCluster {
  readonly clock = new VirtualClock();
  readonly members = new Map<string, Member>();
  private readonly handlers = new Map<string, (buf: Buffer, from: { address: string; port: number }) => void>();
  private readonly facts: Map<string, m.MemberFacts>;
  private readonly addresses: Map<string, string[]>;
  private rnd: number;
  private incSeed = 1;

  constructor(readonly names: readonly string[], seed = 1) {
    this.rnd = seed >>> 0;
    this.facts = new Map(names.map((n) => [n, { lease: { renewKey: `${n}-1`, durationMs: 10_000 }, nodeReady: true }]));
    this.addresses = new Map(names.map((n) => [n, [n]]));
    for (const n of names) this.start(n);
    const renew = (): void => {
      for (const x of this.members.values()) if (x.alive) x.shell.ownLeaseRenewed(this.clock.now(), `${x.name}@${this.clock.now()}`);
      this.clock.setTimeout(renew, 2000);
    };
    renew();
  }

  private random(): number {
    this.rnd = (Math.imul(this.rnd, 1664525) + 1013904223) >>> 0;
    return (this.rnd >>> 8) / 0x1000000;
  }

  /** Starts (or restarts, as a new incarnation) the shell of `name`. */
  start(name: string): void {
    const traffic = this.members.get(name)?.traffic ?? { sentBytes: 0, sentDatagrams: 0, recvBytes: 0, recvDatagrams: 0, maxDatagram: 0 };
    const transport: m.PacketTransport = {
      send: (to, buf) => {
        const self = this.members.get(name);
        if (!self?.alive) return;
        traffic.sentBytes += buf.length;
        traffic.sentDatagrams++;
        traffic.maxDatagram = Math.max(traffic.maxDatagram, buf.length);
        // 0.1-0.6 ms on a switched segment; the receiver reads it then (no loop lag: virtual time).
        this.clock.setTimeout(() => {
          const dst = this.members.get(to);
          if (!dst?.alive) return;
          dst.traffic.recvBytes += buf.length;
          dst.traffic.recvDatagrams++;
          this.handlers.get(to)?.(buf, { address: name, port: 7473 });
        }, 0.1 + 0.5 * this.random());
      },
      onMessage: (cb) => void this.handlers.set(name, cb),
      close: () => Promise.resolve(),
    };
    const inc = this.incSeed++;
    const shell = new m.Membership({
      node: name, keys: [key], transport, clock: this.clock, log: quiet, defer: (fn) => void this.clock.setTimeout(fn, 0),
      wallNow: () => 1_700_000_000_000 + inc * 1000, random16: () => inc & 0xffff,
    });
    const member: Member = { name, shell, alive: true, traffic, live: new Set(), fenced: true, watch: undefined };
    shell.onChange((c) => {
      member.live = c.live;
      member.fenced = c.fenced;
      member.watch?.();
    });
    this.members.set(name, member);
    shell.setMembers(this.facts, this.addresses);
    shell.ownLeaseRenewed(this.clock.now(), `${name}@start`);
    // Heartbeats start at a random phase, as independent processes do.
    this.clock.setTimeout(() => shell.start(), 100 * this.random());
  }

  /** SIGKILL: the shell stops, its socket is gone. */
  kill(name: string): void {
    const x = this.members.get(name);
    if (!x) return;
    x.alive = false;
    x.shell.stop();
  }

  /** Every living member unfenced with every living member in its live set. */
  settled(): boolean {
    const alive = [...this.members.values()].filter((x) => x.alive);
    return alive.every((x) => !x.fenced && alive.every((y) => x.live.has(y.name)));
  }

  /** Advances in 10 ms steps until pred() or the virtual budget runs out; returns the time taken or undefined. */
  runUntil(pred: () => boolean, budgetMs: number): number | undefined {
    const t0 = this.clock.now();
    while (!pred()) {
      if (this.clock.now() - t0 >= budgetMs) return undefined;
      this.clock.advance(10);
    }
    return this.clock.now() - t0;
  }

  /** Totals over the living members. */
  traffic(): Traffic {
    const t: Traffic = { sentBytes: 0, sentDatagrams: 0, recvBytes: 0, recvDatagrams: 0, maxDatagram: 0 };
    for (const x of this.members.values()) {
      t.sentBytes += x.traffic.sentBytes;
      t.sentDatagrams += x.traffic.sentDatagrams;
      t.recvBytes += x.traffic.recvBytes;
      t.recvDatagrams += x.traffic.recvDatagrams;
      t.maxDatagram = Math.max(t.maxDatagram, x.traffic.maxDatagram);
    }
    return t;
  }
}
