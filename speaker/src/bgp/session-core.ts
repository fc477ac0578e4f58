// One BGP session's logic with its I/O and time injected: runs the pure FSM, owns the timers
// (through a Clock), frames and decodes input, and keeps the Adj-RIB-Out. The socket shell
// (session.ts) and the FakeClock tests both drive this class.
//
// Routes go out paced by the socket: a change only queues its prefix (AdjRibOut); a pump encodes
// UPDATEs from the queue in slices and writes while the socket takes them. When a write returns
// false it stops until drained(), so a slow peer costs queued keys, never a growing buffer.
// KEEPALIVEs and NOTIFICATIONs are written at once, never behind the queue.
import type { Clock, TimerHandle } from '@herald/shared/clock';
import type { IP } from '@herald/shared/net';
import { BgpFramer, DecodeError, decodeMessage, encodeMessage, type BgpMessage } from '../wire/bgp/index.js';
import { AdjRibOut } from './adj-rib-out.js';
import type { Advertisement } from './advertisement.js';
import { DesiredRoutes, type DesiredRoute } from './desired-routes.js';
import { initialState, step } from './fsm.js';
import type { DownReason, FsmAction, FsmConfig, FsmEvent, FsmState, Negotiated, SessionState, TimerName, TransitionReason } from './fsm-types.js';

/** The socket side, as the core sees it. */
export interface SessionIO {
  connect(): void;
  /**
   * Writes bytes in order. false: the socket's buffer is full; the core writes no more UPDATEs
   * until drained() (net.Socket.write and its 'drain' event).
   */
  write(b: Buffer): boolean;
  close(): void;
  /** Next hops for our routes, once connected (from the local address of the connection). */
  nextHops(local: IP): { 4?: readonly IP[]; 6?: readonly IP[] };
}

export interface SessionStatus {
  readonly state: SessionState;
  /** ms (clock time) of the last Established, while established. */
  readonly establishedAt: number | undefined;
  /** Prefixes the peer has from us (UPDATEs written to the socket). */
  readonly prefixesSent: number;
  /**
   * Prefixes whose UPDATE (announcement or withdrawal) waits for the socket. SessionCore always
   * sets it; optional only so that status fakes elsewhere need not.
   */
  readonly prefixesQueued?: number;
  /** Times in this session the socket refused more (write returned false) and UPDATEs waited. */
  readonly writeStalls?: number;
  readonly updatesSent: number;
  readonly updatesReceived: number;
  /** Prefixes the peer announced to us (counted, never installed). */
  readonly prefixesReceived: number;
  readonly lastError: DownReason | undefined;
  readonly negotiated: Omit<Negotiated, 'peerOpen'> | undefined;
}

export interface StopOptions {
  /** Withdraw every advertised route first (UPDATEs), then the NOTIFICATION. */
  readonly withdraw?: boolean;
  /** The shutdown communication the Cease carries (RFC 9003; cut to 255 octets). */
  readonly communication?: string;
}

export type StateListener = (state: SessionState, reason: TransitionReason) => void;

export interface SessionCoreOptions {
  readonly fsm: FsmConfig;
  readonly ibgp: boolean;
  readonly clock: Clock;
  readonly io: SessionIO;
  /**
   * Send no End-of-RIB until tableReady(): the routes given so far are not yet the whole table
   * (a speaker that just started). Default false: End-of-RIB follows the table at once.
   */
  readonly holdEndOfRib?: boolean;
}

/** UPDATEs encoded and written at once (one write: at most 16 KB, net.Socket's default buffer). */
const SLICE_MESSAGES = 4;
/** Bytes written before the pump yields to other events (a 0 ms timer), when the socket keeps taking them. */
const TURN_BYTES = 256 * 1024;

export class SessionCore {
  private s: FsmState = initialState;
  private readonly timers = new Map<TimerName, TimerHandle>();
  private framer = new BgpFramer();
  private rib: AdjRibOut | undefined;
  private readonly desired: DesiredRoutes;
  private local: IP | undefined;
  private establishedAt: number | undefined;
  /** The socket takes more; false from a refused write until drained(). */
  private writable = true;
  private pumpTimer: TimerHandle | undefined;
  private writeStalls = 0;
  private updatesSent = 0;
  private updatesReceived = 0;
  private prefixesReceived = 0;
  private lastError: DownReason | undefined;
  private readonly listeners: StateListener[] = [];
  /** The advertised routes are the speaker's whole table (End-of-RIB may go). */
  private ready: boolean;

  constructor(private readonly o: SessionCoreOptions) {
    this.desired = new DesiredRoutes(o.ibgp);
    this.ready = !o.holdEndOfRib;
  }

  /**
   * The routes given so far are the speaker's whole initial table: an established session sends
   * its End-of-RIB after them; later sessions send it right after their table.
   */
  tableReady(): void {
    if (this.ready) return;
    this.ready = true;
    this.rib?.releaseEndOfRib();
    this.schedulePump();
  }

  onState(l: StateListener): void {
    this.listeners.push(l);
  }

  get state(): SessionState {
    return this.s.state;
  }

  status(): SessionStatus {
    const n = this.s.state === 'established' ? this.s.negotiated : undefined;
    let negotiated: SessionStatus['negotiated'];
    if (n) {
      const { peerOpen: _p, ...rest } = n;
      negotiated = rest;
    }
    return {
      state: this.s.state,
      establishedAt: this.establishedAt,
      prefixesSent: this.rib?.size ?? 0,
      prefixesQueued: this.rib?.queued ?? 0,
      writeStalls: this.writeStalls,
      updatesSent: this.updatesSent,
      updatesReceived: this.updatesReceived,
      prefixesReceived: this.prefixesReceived,
      lastError: this.lastError,
      negotiated,
    };
  }

  start(): void {
    this.dispatch({ type: 'start' });
  }

  /**
   * Stops the session. `withdraw`: an established session first withdraws every route it
   * advertised, written at once whatever the socket's backpressure (the hitless drain: the router
   * moves traffic away before the NOTIFICATION, and before the process waits on anything else).
   * `communication`: the Cease / Administrative Shutdown carries it (RFC 9003).
   */
  stop(opts: StopOptions = {}): void {
    const rib = this.rib;
    if (opts.withdraw && this.s.state === 'established' && rib) {
      this.desired.replace(new Map(), this.onChanged);
      this.stopPump();
      // Bounded: each round sends at least one queued prefix or the End-of-RIB, and the queue
      // only shrinks here.
      for (let i = 0, n = rib.queued + 1; i <= n && rib.busy; i++) {
        const bufs = rib.next(SLICE_MESSAGES * 16);
        if (bufs.length === 0) break;
        this.updatesSent += bufs.length;
        this.o.io.write(bufs.length === 1 ? bufs[0]! : Buffer.concat(bufs));
      }
    }
    this.dispatch(opts.communication !== undefined ? { type: 'stop', communication: opts.communication } : { type: 'stop' });
  }

  /** BFD declared the peer unreachable: down at once, then reconnect as after any failure. */
  bfdDown(): void {
    this.dispatch({ type: 'bfd-down' });
  }

  /**
   * The routes this session should advertise, whole. Keys identify prefixes: one key per prefix,
   * the same key for it in every call (the reconciler uses the prefix text). Only what differs
   * from the last table is queued; an identical table queues nothing and sends nothing.
   */
  setAdvertised(want: ReadonlyMap<string, Advertisement>): void {
    if (this.desired.replace(want, this.onChanged) > 0) this.schedulePump();
  }

  /**
   * Changes to the advertised routes (keys as for setAdvertised; undefined: withdraw). Costs in
   * proportion to the changes; re-applying a route as it is queues nothing.
   */
  updateAdvertised(changes: ReadonlyMap<string, Advertisement | undefined>): void {
    if (this.desired.apply(changes, this.onChanged) > 0) this.schedulePump();
  }

  /** The socket drained what it refused: UPDATEs may flow again. */
  drained(): void {
    if (this.writable) return;
    this.writable = true;
    this.pump();
  }

  private readonly onChanged = (key: string, route: DesiredRoute | undefined): void => this.rib?.changed(key, route);

  connected(local: IP): void {
    this.local = local;
    this.dispatch({ type: 'tcp-connected', localAddress: local });
  }

  failed(error: string): void {
    this.dispatch({ type: 'tcp-failed', error });
  }

  closed(): void {
    this.dispatch({ type: 'tcp-closed' });
  }

  data(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.framer.push(chunk);
    } catch (err) {
      this.decodeFailed(err);
      return;
    }
    for (const f of frames) {
      if (this.s.state === 'idle') return;
      let m: BgpMessage;
      try {
        m = decodeMessage(f, { fourOctetAs: this.s.negotiated?.fourOctetAs ?? true });
      } catch (err) {
        this.decodeFailed(err);
        return;
      }
      this.dispatch({ type: 'message', message: m });
    }
  }

  private decodeFailed(err: unknown): void {
    if (!(err instanceof DecodeError)) throw err;
    this.dispatch({ type: 'decode-error', code: err.code, subcode: err.subcode, data: err.data, error: err.message });
  }

  private dispatch(e: FsmEvent): void {
    const before = this.s.state;
    const t = step(this.o.fsm, this.s, e);
    this.s = t.next;
    for (const a of t.actions) this.act(a);
    if (t.reason.type === 'down') this.lastError = t.reason.reason;
    // Failed connects never reach Established, so the FSM reports no 'down'; remember them anyway,
    // so an operator sees why a session never comes up.
    else if (e.type === 'tcp-failed') this.lastError = { type: 'tcp-failed', error: e.error };
    else if (e.type === 'timer' && e.timer === 'connectRetry' && before === 'connect') {
      this.lastError = { type: 'tcp-failed', error: 'no answer to the TCP connect (port filtered, or a TCP MD5 password mismatch)' };
    }
    if (before !== this.s.state || t.reason.type === 'down') for (const l of this.listeners) l(this.s.state, t.reason);
  }

  /** OPEN, KEEPALIVE, NOTIFICATION: written at once, whatever UPDATEs are queued. */
  private send(m: BgpMessage): void {
    this.write(encodeMessage(m, { fourOctetAs: this.s.negotiated?.fourOctetAs ?? true }));
  }

  private write(b: Buffer): void {
    if (this.o.io.write(b) || !this.writable) return;
    this.writable = false;
    this.writeStalls++;
  }

  private schedulePump(): void {
    if (this.pumpTimer || !this.rib?.busy || !this.writable) return;
    this.pumpTimer = this.o.clock.setTimeout(() => {
      this.pumpTimer = undefined;
      this.pump();
    }, 0);
  }

  /** Writes queued UPDATEs while the socket takes them, a turn at a time. */
  private pump(): void {
    let bytes = 0;
    while (this.writable && this.rib && this.s.state === 'established') {
      const bufs = this.rib.next(SLICE_MESSAGES);
      if (bufs.length === 0) return;
      const b = bufs.length === 1 ? bufs[0]! : Buffer.concat(bufs);
      this.updatesSent += bufs.length;
      this.write(b);
      this.restartKeepalive();
      bytes += b.length;
      if (bytes >= TURN_BYTES) {
        this.schedulePump();
        return;
      }
    }
  }

  private stopPump(): void {
    if (this.pumpTimer) this.o.clock.clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
  }

  /** Any message counts as a keepalive (RFC 4271 §4.4), so the timer restarts after a send. */
  private restartKeepalive(): void {
    const n = this.s.negotiated;
    if (n && n.keepaliveTime > 0) this.startTimer('keepalive', n.keepaliveTime * 1000);
  }

  private startTimer(name: TimerName, ms: number): void {
    this.stopTimer(name);
    this.timers.set(
      name,
      this.o.clock.setTimeout(() => {
        this.timers.delete(name);
        this.dispatch({ type: 'timer', timer: name });
      }, ms),
    );
  }

  private stopTimer(name: TimerName): void {
    const h = this.timers.get(name);
    if (h) this.o.clock.clearTimeout(h);
    this.timers.delete(name);
  }

  private act(a: FsmAction): void {
    switch (a.type) {
      case 'connect':
        this.framer = new BgpFramer();
        this.writable = true;
        this.o.io.connect();
        return;
      case 'close':
        this.o.io.close();
        return;
      case 'send':
        this.send(a.message);
        return;
      case 'start-timer':
        this.startTimer(a.timer, a.ms);
        return;
      case 'stop-timer':
        this.stopTimer(a.timer);
        return;
      case 'established': {
        const n = a.negotiated;
        this.establishedAt = this.o.clock.now();
        this.writeStalls = 0;
        this.rib = new AdjRibOut(
          {
            localAS: this.o.fsm.localAS,
            ibgp: this.o.ibgp,
            codec: { fourOctetAs: n.fourOctetAs },
            families: n.families,
            nextHops: this.local ? this.o.io.nextHops(this.local) : {},
          },
          this.desired,
        );
        this.rib.sendTable();
        if (!this.ready) this.rib.holdEndOfRib();
        this.schedulePump();
        return;
      }
      case 'resend-table':
        this.rib?.refresh();
        this.schedulePump();
        return;
      case 'received-update': {
        this.updatesReceived++;
        const m = a.message;
        if (!m.treatAsWithdraw) this.prefixesReceived += m.nlri.length + (m.attributes.mpReach?.nlri.length ?? 0);
        return;
      }
      case 'down':
        this.establishedAt = undefined;
        this.rib = undefined;
        this.stopPump();
        return;
    }
  }
}
