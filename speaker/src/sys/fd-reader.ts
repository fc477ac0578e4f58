// Event-driven reads of a non-blocking socket fd, shared by the packet sockets (ARP/NDP) and the
// BFD receive sockets: libuv watches the fd (koffi.node.poll), and on readiness up to
// `maxPerWakeup` reads are made (MSG_DONTWAIT) before yielding to the event loop, which polls
// again. No busy polling, no thread-pool thread parked in read(), and close() is immediate.
//
// koffi calls back with (status, events), whatever its .d.ts says. On POLLERR (a link going down
// sets ENETDOWN on a packet socket; an ICMP port unreachable sets ECONNREFUSED on a UDP one)
// libuv reports a negative status and stops the handle: reading clears the error, and the
// handle is started again so the socket survives it.
import koffi from 'koffi';

type PollHandle = ReturnType<typeof koffi.node.poll>;

const EAGAIN = 11;
const EINTR = 4;

export interface FdReaderOptions {
  readonly fd: number;
  readonly maxPerWakeup: number;
  /** One read, handled: the byte count (>= 0), or < 0 with koffi.errno() set. */
  readonly readOne: () => number;
  /** Errors after which reading goes on with the next read instead of stopping. */
  readonly skipErrnos: readonly number[];
  /** Any other read error: the reader has stopped. */
  readonly onError: (errno: number) => void;
}

export class FdReader {
  private readonly poll: PollHandle;
  private open = true;

  constructor(private readonly o: FdReaderOptions) {
    this.poll = koffi.node.poll(o.fd, { readable: true }, this.onPoll);
  }

  private readonly onPoll = ((status: number) => {
    this.drain();
    if (status < 0 && this.open) this.poll.start({ readable: true }, this.onPoll);
  }) as unknown as (ev: { readable: boolean }) => void;

  private drain(): void {
    for (let i = 0; i < this.o.maxPerWakeup && this.open; i++) {
      if (this.o.readOne() >= 0) continue;
      const errno = koffi.errno();
      if (errno === EAGAIN || errno === EINTR) return;
      if (this.o.skipErrnos.includes(errno)) continue;
      this.poll.stop();
      this.o.onError(errno);
      return;
    }
  }

  /** Stops watching for good (before the fd is closed). */
  close(): void {
    if (!this.open) return;
    this.open = false;
    this.poll.close();
  }
}
