// A model of libuv event loops, one per simulated speaker, on one shared simulated clock: the
// Membership shell runs on it unchanged (its Clock and its `defer`). Each loop turn runs, in
// libuv's order, the due timers, then up to 32 datagrams that have arrived (the poll phase), then
// the setImmediate callbacks. A stalled loop runs nothing: its timers fall due and its datagrams
// queue (up to a socket-buffer bound, beyond which the newest is dropped, as the kernel does), and
// the first turn after the stall runs the late timers before it reads a single datagram - the
// order that made a late timer judge every peer silent. No sleeps: time moves only in run().
import type { Clock, TimerHandle } from '@herald/shared/clock';
import type { PacketTransport } from '../../src/membership/udp-transport.js';

/** Datagrams libuv reads per socket per poll phase (uv__udp_io reads at most 32). */
const READS_PER_TURN = 32;

interface Timer {
  readonly id: number;
  readonly at: number;
  readonly fn: () => void;
}

export class Loop implements Clock {
  private timers: Timer[] = [];
  /** Datagrams in the socket, not read yet. */
  private readonly io: (() => void)[] = [];
  private immediates: (() => void)[] = [];
  private nextId = 1;
  private stalledUntil = -Infinity;
  /** Datagrams dropped because the socket buffer was full while the loop did not read. */
  dropped = 0;

  constructor(
    private readonly world: World,
    readonly name: string,
    private readonly socketBuffer = Infinity,
  ) {}

  now(): number {
    return this.world.now;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.timers.push({ id, at: this.world.now + Math.max(1, ms), fn });
    return { id };
  }

  clearTimeout(h: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== h.id);
  }

  setImmediate(fn: () => void): void {
    this.immediates.push(fn);
  }

  /** A datagram lands in the socket now (World calls this when its latency is over). */
  land(fn: () => void): void {
    if (this.io.length >= this.socketBuffer) this.dropped++;
    else this.io.push(fn);
  }

  stall(ms: number): void {
    this.stalledUntil = Math.max(this.stalledUntil, this.world.now + ms);
  }

  get stalled(): boolean {
    return this.world.now < this.stalledUntil;
  }

  /** Is there work a turn would do now? */
  get busy(): boolean {
    const now = this.world.now;
    return this.immediates.length > 0 || this.io.length > 0 || this.timers.some((t) => t.at <= now);
  }

  /** One loop turn: timers, poll (at most 32 datagrams), check. */
  turn(): void {
    const now = this.world.now;
    const due = this.timers.filter((t) => t.at <= now).sort((a, b) => a.at - b.at || a.id - b.id);
    for (const t of due) {
      if (!this.timers.includes(t)) continue; // cleared by an earlier callback of this phase
      this.timers = this.timers.filter((x) => x !== t);
      t.fn();
    }
    for (let i = 0; i < READS_PER_TURN && this.io.length > 0; i++) this.io.shift()?.();
    const imm = this.immediates;
    this.immediates = [];
    for (const fn of imm) fn();
  }
}

export class World {
  now = 0;
  readonly loops = new Map<string, Loop>();
  /** Directed cuts "a>b". */
  readonly cuts = new Set<string>();
  private readonly handlers = new Map<string, (buf: Buffer, from: { address: string; port: number }) => void>();
  private inFlight: { at: number; to: string; fn: () => void }[] = [];

  loop(name: string, socketBuffer?: number): Loop {
    const l = new Loop(this, name, socketBuffer);
    this.loops.set(name, l);
    return l;
  }

  /** The transport of loop `name`; peers are addressed by loop name, 1 ms latency. */
  transport(name: string): PacketTransport {
    return {
      send: (to, buf) => {
        const dst = this.loops.get(to);
        if (!dst || this.cuts.has(`${name}>${to}`)) return;
        const copy = Buffer.from(buf);
        this.inFlight.push({ at: this.now + 1, to, fn: () => this.handlers.get(to)?.(copy, { address: name, port: 7473 }) });
      },
      onMessage: (cb) => void this.handlers.set(name, cb),
      close: () => Promise.resolve(),
    };
  }

  /** Forgets a loop's socket (a killed process). */
  kill(name: string): void {
    this.handlers.delete(name);
    this.loops.delete(name);
  }

  /** Advances 1 ms at a time; at each ms every running loop turns until it has nothing due. */
  run(ms: number, afterTurn?: () => void): void {
    const end = this.now + ms;
    while (this.now < end) {
      this.now++;
      const landing = this.inFlight.filter((d) => d.at <= this.now);
      this.inFlight = this.inFlight.filter((d) => d.at > this.now);
      for (const d of landing) this.loops.get(d.to)?.land(d.fn);
      for (const l of [...this.loops.values()]) {
        for (let turns = 0; turns < 1000 && !l.stalled && l.busy; turns++) {
          l.turn();
          afterTurn?.();
        }
      }
    }
  }
}
