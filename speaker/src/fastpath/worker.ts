// Entry point of the speaker's packet thread (a worker_threads Worker started by fast-path.ts):
// wires the real heartbeat socket, the AF_PACKET sockets and the message port to PacketThread.
// It loads no Kubernetes client and no prom-client: a small heap of its own, and an event loop
// that only packets and timers use. Logs go straight to fd 2 (a worker's process.stderr is
// relayed through the main thread, which is exactly the thread that may be busy).
import { writeSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { systemClock } from '@herald/shared/clock';
import { createLogger } from '@herald/shared/log';
import { L2Announcer } from '../layer2/announcer.js';
import { listLinks } from '../layer2/links.js';
import { L2Tally } from '../layer2/tally.js';
import { Membership } from '../membership/membership.js';
import { UdpTransport } from '../membership/udp-transport.js';
import { PacketSocket } from '../sys/packet-socket.js';
import { BfdHost } from './bfd-host.js';
import { PacketThread } from './packet-thread.js';
import type { FastPathInit, FromWorker, ToWorker } from './protocol.js';

const init = workerData as FastPathInit;
const log = createLogger({ component: 'speaker', level: init.logLevel, fields: { node: init.node, thread: 'packet' }, sink: (line) => writeSync(2, line + '\n') });

async function main(port: MessagePort): Promise<void> {
  const post = (m: FromWorker): void => port.postMessage(m);
  const clock = systemClock;
  const transport = await UdpTransport.open({
    ...(init.heartbeat.bindAddress !== undefined ? { bindAddress: init.heartbeat.bindAddress } : {}),
    port: init.heartbeat.port,
    clock,
    onSocketError: (err) => log.error('heartbeat-socket-error', { err }),
  });
  const membership = new Membership({
    node: init.node,
    keys: init.keys.map((k) => Buffer.from(k)),
    transport,
    clock,
    log: log.child({ part: 'membership' }),
    ...(init.liveness ? { config: init.liveness } : {}),
  });
  const tally = new L2Tally();
  // Silenced by the thread, not the membership alone: a fence takes effect at once, but its end
  // only once the thread has claimed what it holds (packet-thread.ts).
  const ref: { thread?: PacketThread } = {};
  const announcer = init.l2
    ? new L2Announcer({
        counters: tally,
        clock,
        logger: log.child({ part: 'l2' }),
        listLinks,
        openConn: (name, onFrame) => new PacketSocket(name, { onFrame, onError: (err) => log.error('l2-read-failed', { iface: name, err }) }),
        silenced: () => ref.thread?.silenced() ?? true,
      })
    : undefined;
  const bfd = new BfdHost({ clock, log: log.child({ part: 'bfd' }), post });
  const thread = new PacketThread({ node: init.node, membership, announcer, tally, fallbackInterfaces: init.fallbackInterfaces, clock, log, post, bfd, heap: threadHeap, ...(init.reportMs ? { reportMs: init.reportMs } : {}) });
  ref.thread = thread;
  port.on('message', (m: ToWorker) => {
    try {
      thread.handle(m);
    } catch (err) {
      log.error('packet-thread-message-failed', { type: m.type, err });
    }
    if (m.type === 'stop') void transport.close().then(() => port.close());
  });
  thread.start();
  post({ type: 'ready', heartbeatPort: transport.port, incarnation: membership.incarnation.toString() });
}

/** This thread's own heap (a worker's isolate has its own, capped by resourceLimits). */
function threadHeap(): { used: number; limit: number } {
  const h = getHeapStatistics();
  return { used: h.used_heap_size, limit: h.heap_size_limit };
}

if (!parentPort) throw new Error('fastpath/worker.js runs as a worker thread (new Worker), not on its own');
const port = parentPort;
main(port).catch((err: unknown) => port.postMessage({ type: 'fatal', message: err instanceof Error ? err.message : String(err) } satisfies FromWorker));
