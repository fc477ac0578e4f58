// Unicast UDP for heartbeats (default port 7473), IPv4 or IPv6. Thin: it moves datagrams and
// bounds the send rate; authentication and meaning live in the codec and the core.
import { createSocket, type Socket } from 'node:dgram';
import { isIP } from 'node:net';
import type { Clock } from '@herald/shared/clock';

export const DEFAULT_HEARTBEAT_PORT = 7473;

export interface PacketTransport {
  send(address: string, buf: Buffer): void;
  onMessage(cb: (buf: Buffer, from: { address: string; port: number }) => void): void;
  close(): Promise<void>;
}

export interface UdpTransportOptions {
  /** Address to bind; default "::" (both families where the kernel allows), else "0.0.0.0". */
  readonly bindAddress?: string;
  readonly port?: number;
  /** Port peers listen on (default: the same as ours). */
  readonly peerPort?: number;
  readonly clock: Clock;
  /**
   * Token bucket: at most this many datagrams per second (bursts up to one second's worth).
   * Default 5000: a heartbeat goes to every member 10 times a second, so 100 members need ~1000
   * (plus handoff acks); the bound is there to stop a bug from flooding the segment, not to pace.
   */
  readonly maxSendsPerSecond?: number;
  /**
   * Receive buffer to ask for (SO_RCVBUF; the kernel caps it at net.core.rmem_max). Default 1 MiB:
   * what queues while our loop stalls must still be there when it runs again (at 100 members a
   * 300 ms stall queues ~300 datagrams, more than the usual 208 KiB default holds).
   */
  readonly recvBufferBytes?: number;
  readonly onSendError?: (err: Error) => void;
  readonly onSocketError?: (err: Error) => void;
}

export interface UdpCounters {
  sent: number;
  received: number;
  /** Dropped by the rate bound. */
  rateDropped: number;
  sendErrors: number;
}

export class UdpTransport implements PacketTransport {
  readonly counters: UdpCounters = { sent: 0, received: 0, rateDropped: 0, sendErrors: 0 };
  private tokens: number;
  private lastRefill: number;
  private readonly rate: number;
  private readonly listeners: ((buf: Buffer, from: { address: string; port: number }) => void)[] = [];
  private closed = false;

  private constructor(
    private readonly sock: Socket,
    private readonly dualStack: boolean,
    private readonly o: UdpTransportOptions,
  ) {
    this.rate = o.maxSendsPerSecond ?? 5000;
    this.tokens = this.rate;
    this.lastRefill = o.clock.now();
    sock.on('message', (msg, rinfo) => {
      this.counters.received++;
      const from = { address: unmap(rinfo.address), port: rinfo.port };
      for (const l of this.listeners) l(msg, from);
    });
    sock.on('error', (err) => o.onSocketError?.(err));
  }

  /** Binds the socket. With no bindAddress, tries "::" dual-stack, then "0.0.0.0". */
  static async open(o: UdpTransportOptions): Promise<UdpTransport> {
    const port = o.port ?? DEFAULT_HEARTBEAT_PORT;
    if (o.bindAddress !== undefined) {
      const fam = isIP(o.bindAddress);
      if (fam === 0) throw new Error(`heartbeat bind address ${JSON.stringify(o.bindAddress)} is not an IP address`);
      const sock = await bind(fam === 6 ? 'udp6' : 'udp4', o.bindAddress, port, o.recvBufferBytes);
      return new UdpTransport(sock, false, o);
    }
    try {
      return new UdpTransport(await bind('udp6', '::', port, o.recvBufferBytes), true, o);
    } catch {
      return new UdpTransport(await bind('udp4', '0.0.0.0', port, o.recvBufferBytes), false, o);
    }
  }

  get port(): number {
    return this.sock.address().port;
  }

  /** The receive buffer the kernel granted (Linux reports twice the payload it holds). */
  get recvBufferBytes(): number {
    return this.sock.getRecvBufferSize();
  }

  onMessage(cb: (buf: Buffer, from: { address: string; port: number }) => void): void {
    this.listeners.push(cb);
  }

  send(address: string, buf: Buffer): void {
    if (this.closed) return;
    const now = this.o.clock.now();
    this.tokens = Math.min(this.rate, this.tokens + ((now - this.lastRefill) * this.rate) / 1000);
    this.lastRefill = now;
    if (this.tokens < 1) {
      this.counters.rateDropped++;
      return;
    }
    this.tokens -= 1;
    const dest = this.dualStack && isIP(address) === 4 ? `::ffff:${address}` : address;
    const port = this.o.peerPort ?? this.o.port ?? DEFAULT_HEARTBEAT_PORT;
    this.sock.send(buf, port, dest, (err) => {
      if (err) {
        this.counters.sendErrors++;
        this.o.onSendError?.(err);
      } else this.counters.sent++;
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => this.sock.close(() => resolve()));
  }
}

function bind(type: 'udp4' | 'udp6', address: string, port: number, recvBufferBytes = 1 << 20): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = createSocket({ type, ipv6Only: false, reuseAddr: false, recvBufferSize: recvBufferBytes });
    const onError = (err: Error): void => {
      sock.close();
      reject(err);
    };
    sock.once('error', onError);
    sock.bind({ address, port, exclusive: true }, () => {
      sock.off('error', onError);
      resolve(sock);
    });
  });
}

/** "::ffff:192.0.2.1" -> "192.0.2.1". */
function unmap(a: string): string {
  return a.startsWith('::ffff:') && isIP(a.slice(7)) === 4 ? a.slice(7) : a;
}
