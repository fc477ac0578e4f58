// The BFD shell: one session per wanted peer over real UDP (udp-io.ts), demultiplexed by
// discriminator and source (demux.ts), every drop counted by reason. Callers say which sessions
// they want (setSessions) and hear state changes; a session that is no longer wanted tells its
// peer AdminDown before its sender closes.
import { randomInt } from 'node:crypto';
import { systemClock, type Clock } from '@herald/shared/clock';
import type { Logger } from '@herald/shared/log';
import type { IP } from '@herald/shared/net';
import { DROP_TYPES, MULTIHOP_PORT, SINGLE_HOP_PORT, describeDrop, type BfdState, type DropType } from '../wire/bfd/index.js';
import { BfdDemux, type DemuxEntry } from './demux.js';
import type { BfdConfig, BfdStateReason } from './fsm-types.js';
import { BfdSessionCore, type BfdStatus } from './session-core.js';
import { udpIo, type BfdIo, type BfdReceiver, type BfdSender } from './udp-io.js';

export interface BfdPeerSpec {
  /** The caller's name for the session (the BGPPeer's). */
  readonly key: string;
  readonly peerAddress: IP;
  /** Source address of our packets (default: the kernel's choice). */
  readonly localAddress?: IP;
  /** RFC 5883 multihop (UDP 4784), else RFC 5881 single hop (UDP 3784, TTL 255 only). */
  readonly multihop: boolean;
  readonly config: BfdConfig;
  /** Multihop: the lowest TTL accepted (BFDProfile minimumTtl). Single hop always takes 255 only. */
  readonly minimumTtl: number;
}

export type BfdSessionStatus = BfdStatus & { readonly key: string; readonly peerAddress: string; readonly multihop: boolean };

export type BfdEndpointListener = (key: string, from: BfdState, to: BfdState, reason: BfdStateReason) => void;

export interface BfdEndpointOptions {
  readonly log: Logger;
  readonly clock?: Clock;
  readonly io?: BfdIo;
  /** Receiver ports (tests that run two endpoints in one namespace); default 3784 / 4784. */
  readonly ports?: { readonly singleHop: number; readonly multihop: number };
}

interface Session {
  /** The spec in force (its config is replaced by a timer change, which runs a Poll). */
  spec: BfdPeerSpec;
  readonly fingerprint: string;
  readonly core: BfdSessionCore;
  readonly entry: DemuxEntry<string>;
  sender: BfdSender | undefined;
  closed: boolean;
}

/** What, when changed, needs a new session (a new discriminator and sender); timers do not. */
const fingerprint = (s: BfdPeerSpec): string => JSON.stringify({ p: s.peerAddress.toString(), l: s.localAddress?.toString(), m: s.multihop, t: s.multihop ? s.minimumTtl : 255 });
/** How long a stopped session keeps its sender, so its AdminDown packets can leave. */
const LINGER_MS = 100;

export class BfdEndpoint {
  private readonly sessions = new Map<string, Session>();
  private readonly demux = new BfdDemux<string>();
  private readonly receivers = new Map<string, BfdReceiver>();
  private readonly listeners: BfdEndpointListener[] = [];
  private readonly dropCounts = new Map<DropType, number>(DROP_TYPES.map((t) => [t, 0]));
  private readonly io: BfdIo;
  private readonly clock: Clock;
  private readonly ports: { readonly singleHop: number; readonly multihop: number };
  /** Sessions that could not start, with why. */
  private readonly failures = new Map<string, string>();

  constructor(private readonly o: BfdEndpointOptions) {
    this.io = o.io ?? udpIo;
    this.clock = o.clock ?? systemClock;
    this.ports = o.ports ?? { singleHop: SINGLE_HOP_PORT, multihop: MULTIHOP_PORT };
  }

  onState(l: BfdEndpointListener): void {
    this.listeners.push(l);
  }

  /** Makes the sessions match `want`: new ones start, gone ones go AdminDown, timer changes run a Poll. */
  setSessions(want: readonly BfdPeerSpec[]): void {
    const byKey = new Map(want.map((s) => [s.key, s]));
    for (const [key, s] of this.sessions) {
      const w = byKey.get(key);
      if (w && fingerprint(w) === s.fingerprint) continue;
      this.stopSession(s);
    }
    for (const key of [...this.failures.keys()]) if (!byKey.has(key)) this.failures.delete(key);
    for (const w of want) {
      const have = this.sessions.get(w.key);
      if (have) {
        if (JSON.stringify(have.spec.config) !== JSON.stringify(w.config)) have.core.setConfig(w.config);
        have.spec = w;
        continue;
      }
      try {
        this.startSession(w);
        this.failures.delete(w.key);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        if (this.failures.get(w.key) !== why) this.o.log.warn('bfd-session-failed', { peer: w.key, err: why });
        this.failures.set(w.key, why);
      }
    }
    this.closeIdleReceivers();
  }

  status(key: string): BfdSessionStatus | undefined {
    const s = this.sessions.get(key);
    return s ? { ...s.core.status(), key, peerAddress: s.spec.peerAddress.toString(), multihop: s.spec.multihop } : undefined;
  }

  statuses(): BfdSessionStatus[] {
    return [...this.sessions.keys()].sort().flatMap((k) => this.status(k) ?? []);
  }

  failure(key: string): string | undefined {
    return this.failures.get(key);
  }

  /** Packets dropped since start, by reason (every reason present, 0 if none). */
  drops(): ReadonlyMap<DropType, number> {
    return this.dropCounts;
  }

  close(): void {
    for (const s of [...this.sessions.values()]) this.stopSession(s);
    for (const r of this.receivers.values()) r.close();
    this.receivers.clear();
  }

  private receiverKey(family: 4 | 6, multihop: boolean): string {
    return `${family}/${multihop ? this.ports.multihop : this.ports.singleHop}`;
  }

  private ensureReceiver(family: 4 | 6, multihop: boolean): void {
    const k = this.receiverKey(family, multihop);
    if (this.receivers.has(k)) return;
    const port = multihop ? this.ports.multihop : this.ports.singleHop;
    const r = this.io.openReceiver(
      family,
      port,
      (d) => this.onDatagram(d.payload, d.from, d.ttl, multihop),
      (err) => this.o.log.error('bfd-receive-failed', { port, family, err }),
    );
    this.receivers.set(k, r);
  }

  private closeIdleReceivers(): void {
    for (const [k, r] of this.receivers) {
      const used = [...this.sessions.values()].some((s) => this.receiverKey(s.spec.peerAddress.family, s.spec.multihop) === k);
      if (!used) {
        r.close();
        this.receivers.delete(k);
      }
    }
  }

  private newDiscriminator(): number {
    for (let i = 0; i < 64; i++) {
      const d = randomInt(1, 0xffffffff);
      if (!this.demux.hasDiscriminator(d)) return d;
    }
    throw new Error('no free BFD discriminator after 64 draws');
  }

  private startSession(spec: BfdPeerSpec): void {
    this.ensureReceiver(spec.peerAddress.family, spec.multihop);
    const localDiscr = this.newDiscriminator();
    const log = this.o.log.child({ peer: spec.key, peerAddress: spec.peerAddress.toString() });
    const core = new BfdSessionCore({
      config: spec.config,
      localDiscr,
      clock: this.clock,
      send: (b) => s.sender?.send(b),
    });
    const entry: DemuxEntry<string> = { session: spec.key, localDiscr, peerAddress: spec.peerAddress, multihop: spec.multihop, minTtl: spec.multihop ? spec.minimumTtl : 255 };
    const s: Session = { spec, fingerprint: fingerprint(spec), core, entry, sender: undefined, closed: false };
    this.demux.add(entry);
    this.sessions.set(spec.key, s);
    core.onState((from, to, reason) => {
      log.info('bfd-state', { from, to, reason, multihop: spec.multihop });
      for (const l of this.listeners) l(spec.key, from, to, reason);
    });
    const port = spec.multihop ? this.ports.multihop : this.ports.singleHop;
    this.io.openSender(spec.peerAddress, port, spec.localAddress, (err) => log.debug('bfd-send-failed', { err })).then(
      (sender) => {
        if (s.closed) return sender.close();
        s.sender = sender;
        core.start();
      },
      (err: unknown) => {
        const why = err instanceof Error ? err.message : String(err);
        log.warn('bfd-session-failed', { err: why });
        this.failures.set(spec.key, why);
        this.stopSession(s);
      },
    );
  }

  private stopSession(s: Session): void {
    if (s.closed) return;
    s.closed = true;
    s.core.stop();
    this.demux.remove(s.entry);
    if (this.sessions.get(s.spec.key) === s) this.sessions.delete(s.spec.key);
    const sender = s.sender;
    if (sender) this.clock.setTimeout(() => sender.close(), LINGER_MS);
  }

  private onDatagram(payload: Buffer, from: IP, ttl: number | undefined, multihop: boolean): void {
    const r = this.demux.classify(payload, from, ttl, multihop);
    const reason = r.ok ? this.sessions.get(r.session)?.core.receive(r.packet) : r.reason;
    if (!reason) return;
    this.dropCounts.set(reason.type, (this.dropCounts.get(reason.type) ?? 0) + 1);
    this.o.log.debug('bfd-dropped', { from: from.toString(), reason: reason.type, why: describeDrop(reason) });
  }
}
