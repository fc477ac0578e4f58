// The real sockets of the BFD shell: one receiver per (family, port) through UdpTtlSocket (it
// reports each datagram's TTL), and one sender per session through node:dgram, bound to a source
// port in 49152-65535 (RFC 5881 §4, the same port for the whole session) with TTL 255.
import { createSocket, type Socket } from 'node:dgram';
import type { IP } from '@herald/shared/net';
import { SOURCE_PORT_MAX, SOURCE_PORT_MIN } from '../wire/bfd/index.js';
import { UdpTtlSocket, type Datagram } from '../sys/udp-ttl-socket.js';

export interface BfdReceiver {
  close(): void;
}

export interface BfdSender {
  send(b: Buffer): void;
  close(): void;
}

/** The I/O the endpoint needs; tests may substitute fakes. */
export interface BfdIo {
  openReceiver(family: 4 | 6, port: number, onDatagram: (d: Datagram) => void, onError: (err: Error) => void): BfdReceiver;
  /** Resolves once bound; rejects when no source port could be bound. */
  openSender(peer: IP, port: number, local: IP | undefined, onError: (err: Error) => void): Promise<BfdSender>;
}

const BIND_TRIES = 32;

function bindOnce(s: Socket, port: number, address: string | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onErr = (err: Error): void => reject(err);
    s.once('error', onErr);
    s.bind({ port, ...(address ? { address } : {}), exclusive: true }, () => {
      s.off('error', onErr);
      resolve();
    });
  });
}

export const udpIo: BfdIo = {
  openReceiver(family, port, onDatagram, onError) {
    return new UdpTtlSocket({ family, port, onDatagram, onError });
  },

  async openSender(peer, port, local, onError) {
    const type = peer.family === 4 ? 'udp4' : 'udp6';
    let lastErr: unknown;
    for (let i = 0; i < BIND_TRIES; i++) {
      const s = createSocket({ type });
      const src = SOURCE_PORT_MIN + Math.floor(Math.random() * (SOURCE_PORT_MAX - SOURCE_PORT_MIN + 1));
      try {
        await bindOnce(s, src, local?.toString());
      } catch (err) {
        lastErr = err;
        s.close();
        continue;
      }
      s.setTTL(255);
      s.on('error', onError);
      const host = peer.toString();
      return {
        send: (b) => s.send(b, port, host, (err) => err && onError(err)),
        close: () => s.close(),
      };
    }
    throw new Error(`no free BFD source port in ${SOURCE_PORT_MIN}-${SOURCE_PORT_MAX} after ${BIND_TRIES} tries`, { cause: lastErr });
  },
};
