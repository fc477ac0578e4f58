// One BFD session's logic with I/O and time injected: runs the pure step(), owns the TX and
// detection timers (through a Clock), and keeps status for metrics and BGPSessionState. The UDP
// shell and the FakeClock tests both drive this class.
import type { Clock, TimerHandle } from '@herald/shared/clock';
import { encodeControl, type BfdState, type ControlPacket, type DropReason } from '../wire/bfd/index.js';
import { initialState, step } from './fsm.js';
import type { BfdConfig, BfdEvent, BfdSessionState, BfdStateReason, BfdTimer } from './fsm-types.js';
import { detectionMs, txIntervalUs } from './intervals.js';

export interface BfdCoreOptions {
  readonly config: BfdConfig;
  readonly localDiscr: number;
  readonly clock: Clock;
  /** Draws in [0, 1) for the TX jitter (default Math.random). */
  readonly random?: () => number;
  /** Sends one encoded control packet to the peer. */
  readonly send: (b: Buffer) => void;
}

export interface BfdStatus {
  readonly state: BfdState;
  readonly remoteState: BfdState;
  readonly diag: number;
  readonly localDiscr: number;
  readonly remoteDiscr: number;
  /** The TX interval in force before jitter, and the detection time, ms. */
  readonly txIntervalMs: number;
  readonly detectMs: number;
  /** Clock ms of the last transition to Up, while Up. */
  readonly upSince: number | undefined;
  /** Transitions out of Up since the session was made. */
  readonly downs: number;
  readonly lastDown: BfdStateReason | undefined;
  readonly sent: number;
  readonly received: number;
}

export type BfdStateListener = (from: BfdState, to: BfdState, reason: BfdStateReason) => void;

export class BfdSessionCore {
  private s: BfdSessionState;
  private cfg: BfdConfig;
  private readonly timers = new Map<BfdTimer, TimerHandle>();
  private readonly listeners: BfdStateListener[] = [];
  private upSince: number | undefined;
  private downs = 0;
  private lastDown: BfdStateReason | undefined;
  private sent = 0;
  private received = 0;
  private stopped = false;

  constructor(private readonly o: BfdCoreOptions) {
    this.cfg = o.config;
    this.s = initialState(o.config, o.localDiscr);
  }

  onState(l: BfdStateListener): void {
    this.listeners.push(l);
  }

  get state(): BfdState {
    return this.s.state;
  }

  get localDiscr(): number {
    return this.s.localDiscr;
  }

  /** The variables, for tests. */
  get variables(): BfdSessionState {
    return this.s;
  }

  start(): void {
    this.stopped = false;
    this.dispatch({ type: 'start' });
  }

  /**
   * A packet the codec accepted and the demultiplexer gave to this session. Returns why it was
   * dropped, if it was (RFC 5880 §6.8.6: we use no authentication, so the A bit means drop).
   */
  receive(p: ControlPacket): DropReason | undefined {
    if (this.stopped) return undefined;
    if (p.auth) return { type: 'auth-not-configured' };
    this.received++;
    this.dispatch({ type: 'received', packet: p });
    return undefined;
  }

  setConfig(c: BfdConfig): void {
    this.dispatch({ type: 'config', config: c });
    this.cfg = c;
  }

  /** Tells the peer AdminDown (so it does not count a failure), then stops every timer. */
  stop(): void {
    if (this.stopped) return;
    this.dispatch({ type: 'admin-down' });
    this.stopped = true;
    for (const t of this.timers.values()) this.o.clock.clearTimeout(t);
    this.timers.clear();
  }

  status(): BfdStatus {
    const s = this.s;
    return {
      state: s.state,
      remoteState: s.remoteState,
      diag: s.diag,
      localDiscr: s.localDiscr,
      remoteDiscr: s.remoteDiscr,
      txIntervalMs: txIntervalUs(s) / 1000,
      detectMs: detectionMs(s),
      upSince: this.upSince,
      downs: this.downs,
      lastDown: this.lastDown,
      sent: this.sent,
      received: this.received,
    };
  }

  private dispatch(e: BfdEvent): void {
    const t = step(this.cfg, this.s, e, { random: (this.o.random ?? Math.random)() });
    this.s = t.next;
    for (const a of t.actions) {
      switch (a.type) {
        case 'send':
          this.sent++;
          this.o.send(encodeControl(a.packet));
          break;
        case 'arm': {
          const old = this.timers.get(a.timer);
          if (old) this.o.clock.clearTimeout(old);
          const timer = a.timer;
          this.timers.set(
            timer,
            this.o.clock.setTimeout(() => {
              this.timers.delete(timer);
              if (!this.stopped) this.dispatch({ type: 'timer', timer });
            }, a.ms),
          );
          break;
        }
        case 'disarm': {
          const old = this.timers.get(a.timer);
          if (old) this.o.clock.clearTimeout(old);
          this.timers.delete(a.timer);
          break;
        }
        case 'state':
          if (a.to === 'up') this.upSince = this.o.clock.now();
          else if (a.from === 'up') {
            this.upSince = undefined;
            this.downs++;
            this.lastDown = a.reason;
          }
          for (const l of this.listeners) l(a.from, a.to, a.reason);
          break;
      }
    }
  }
}
