// A BGP session over a real TCP connection: the thin shell around SessionCore. Active mode: it
// connects to the peer (source address bound, TCP MD5 and TTL set before connect through
// sys/tcp-md5.ts), and re-connects with backoff. It never installs received routes.
import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
import { networkInterfaces } from 'node:os';
import { systemClock, type Clock } from '@herald/shared/clock';
import type { BGPPeer } from '@herald/shared/config';
import { createLogger, type Logger } from '@herald/shared/log';
import { IP } from '@herald/shared/net';
import { createBgpSocketFd } from '../sys/tcp-md5.js';
import { AFI, SAFI, type AddressFamily } from '../wire/bgp/index.js';
import type { Advertisement } from './advertisement.js';
import type { FsmConfig, SessionState, TransitionReason } from './fsm-types.js';
import { nextHopsFor } from './next-hops.js';
import { selectRouterId } from './router-id.js';
import { SessionCore, type SessionStatus, type StopOptions } from './session-core.js';

export interface BgpSessionOptions {
  readonly peer: BGPPeer;
  /** Overrides peer.sourceAddress. */
  readonly localAddress?: IP;
  /** Used when the peer has no routerID. */
  readonly routerId?: IP;
  /** Default: IPv4 and IPv6 unicast. */
  readonly families?: readonly AddressFamily[];
  /**
   * GTSM (RFC 5082) for a directly connected peer: send with TTL 255 and accept only TTL 255.
   * (The BGPPeer API has no field for it yet.)
   */
  readonly gtsm?: boolean;
  /** No End-of-RIB until tableReady() (the speaker's first pass is not done). Default false. */
  readonly holdEndOfRib?: boolean;
  /** Max connect-retry backoff, ms (default 60 s). */
  readonly maxRetryMs?: number;
  readonly clock?: Clock;
  readonly log?: Logger;
}

export interface BgpSessionEvents {
  state: [state: SessionState, reason: TransitionReason];
}

export class BgpSession extends EventEmitter<BgpSessionEvents> {
  readonly core: SessionCore;
  private sock: Socket | undefined;
  private gen = 0;
  private readonly log: Logger;

  constructor(private readonly o: BgpSessionOptions) {
    super();
    const p = o.peer;
    this.log = (o.log ?? createLogger({ component: 'bgp' })).child({ peer: p.name, peerAddress: p.peerAddress.toString() });
    const nodeAddrs = Object.values(networkInterfaces()).flatMap((l) => (l ?? []).flatMap((a) => IP.tryParse(a.address) ?? []));
    const rid = selectRouterId({ configured: p.routerID ?? o.routerId, sourceAddress: o.localAddress ?? p.sourceAddress, nodeAddresses: nodeAddrs });
    if (!rid) throw new Error(`peer ${p.name}: no router ID (no IPv4 address here and none configured)`);
    const fsm: FsmConfig = {
      localAS: p.myASN,
      peerAS: p.peerASN,
      routerId: rid.id,
      holdTime: p.holdTime,
      keepaliveTime: p.keepaliveTime,
      connectRetryMs: Math.max(1, p.connectTime) * 1000,
      maxRetryMs: o.maxRetryMs ?? 60_000,
      families: o.families ?? [
        { afi: AFI.ipv4, safi: SAFI.unicast },
        { afi: AFI.ipv6, safi: SAFI.unicast },
      ],
      gracefulRestart: p.enableGracefulRestart,
    };
    this.core = new SessionCore({
      fsm,
      ibgp: p.isIBGP,
      clock: o.clock ?? systemClock,
      ...(o.holdEndOfRib ? { holdEndOfRib: true } : {}),
      io: {
        connect: () => this.connect(),
        // No socket: the session is going down; nothing waits for a 'drain' that cannot come.
        write: (b) => this.sock?.write(b) ?? true,
        close: () => this.closeSocket(),
        nextHops: (local) => nextHopsFor(local, p.peerAddress, networkInterfaces()),
      },
    });
    this.core.onState((state, reason) => {
      if (reason.type === 'down') this.log.warn('bgp.down', { state, reason: reason.reason });
      else this.log.info('bgp.state', { state });
      this.emit('state', state, reason);
    });
  }

  start(): void {
    this.core.start();
  }

  stop(opts?: StopOptions): void {
    this.core.stop(opts);
  }

  bfdDown(): void {
    this.core.bfdDown();
  }

  /** The routes given so far are the whole table: End-of-RIB may go (see holdEndOfRib). */
  tableReady(): void {
    this.core.tableReady();
  }

  /** The whole table (one key per prefix, e.g. its text); queues only what differs from the last one. */
  setAdvertised(want: ReadonlyMap<string, Advertisement>): void {
    this.core.setAdvertised(want);
  }

  /** Changes only (keys as for setAdvertised; undefined: withdraw); cost in proportion to them. */
  updateAdvertised(changes: ReadonlyMap<string, Advertisement | undefined>): void {
    this.core.updateAdvertised(changes);
  }

  status(): SessionStatus {
    return this.core.status();
  }

  /** TTL out and minimum TTL in: GTSM 255/255; eBGP multihop 255; eBGP direct 1; iBGP default. */
  private ttl(): { ttl?: number; minTtl?: number } {
    const p = this.o.peer;
    if (this.o.gtsm && !p.ebgpMultiHop) return { ttl: 255, minTtl: 255 };
    if (p.isIBGP) return {};
    return { ttl: p.ebgpMultiHop ? 255 : 1 };
  }

  private connect(): void {
    this.closeSocket();
    const g = ++this.gen;
    const p = this.o.peer;
    let sock: Socket;
    try {
      const local = this.o.localAddress ?? p.sourceAddress;
      const ttl = this.ttl();
      const fd = createBgpSocketFd({
        peer: p.peerAddress,
        ...(local ? { localAddress: local } : {}),
        ...(p.password ? { password: p.password } : {}),
        ...ttl,
      });
      sock = new Socket({ fd, readable: true, writable: true });
    } catch (err) {
      queueMicrotask(() => {
        if (g === this.gen) this.core.failed(err instanceof Error ? err.message : String(err));
      });
      return;
    }
    this.sock = sock;
    let up = false;
    sock.setNoDelay(true);
    sock.on('connect', () => {
      if (g !== this.gen) return;
      up = true;
      this.core.connected(IP.parse(sock.localAddress ?? ''));
    });
    sock.on('data', (chunk: Buffer) => {
      if (g === this.gen) this.core.data(chunk);
    });
    sock.on('drain', () => {
      if (g === this.gen) this.core.drained();
    });
    sock.on('error', (err) => {
      if (g !== this.gen) return;
      this.log.debug('bgp.socket-error', { error: err.message });
      if (!up) this.core.failed(err.message);
    });
    sock.on('close', () => {
      if (g !== this.gen) return;
      this.sock = undefined;
      if (up) this.core.closed();
    });
    sock.connect({ port: p.peerPort, host: p.peerAddress.toString() });
  }

  private closeSocket(): void {
    const s = this.sock;
    this.gen++;
    this.sock = undefined;
    if (s) {
      s.end();
      s.destroySoon();
      setTimeout(() => s.destroy(), 1000).unref();
    }
  }
}
