// A child process for the BFD stall test (test/test/speaker/bfd-stall.test.ts), run in a node
// namespace: one BFD session to --peer (300 ms x 3), Up, then this process's main thread blocked
// for --block-ms, then a quiet period. Prints one JSON line: the session's state changes from the
// block on, as this side saw them.
//   --mode packet   the session on the packet thread (FastPath: what herald-speaker runs)
//   --mode control  the same BfdEndpoint on the main thread
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createLogger } from '@herald/shared';
import { FastPath, bfd } from '@herald/speaker';

const { values } = parseArgs({ options: { mode: { type: 'string' }, peer: { type: 'string' }, local: { type: 'string' }, 'block-ms': { type: 'string', default: '2500' }, 'quiet-ms': { type: 'string', default: '2000' } } });
const log = createLogger({ component: 'bfd-stall-scenario', level: 'error' });
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const fail = (error: string): never => {
  process.stdout.write(JSON.stringify({ error }) + '\n');
  process.exit(2);
};

async function main(): Promise<void> {
  const peer = values.peer ?? fail('--peer is required');
  const local = values.local ?? fail('--local is required');
  let port: bfd.BfdPort;
  let stop = (): Promise<void> => Promise.resolve();
  if (values.mode === 'packet') {
    const fp = await FastPath.start({
      init: { node: 'node1', keys: [randomBytes(32)], heartbeat: { bindAddress: local, port: 0 }, l2: false, fallbackInterfaces: [], logLevel: 'error' },
      log,
      onFailure: (why) => fail(why),
    });
    port = fp;
    stop = () => fp.stop();
  } else if (values.mode === 'control') {
    const ep = new bfd.BfdEndpoint({ log });
    port = new bfd.LocalBfd(ep);
    stop = () => Promise.resolve(ep.close());
  } else return fail('--mode packet|control');
  const changes: { at: number; from: string; to: string; reason: string }[] = [];
  let state = 'down';
  port.onBfdState((c) => {
    state = c.to;
    changes.push({ at: Date.now(), from: c.from, to: c.to, reason: c.reason.type });
  });
  port.setBfdSessions([{ key: 'r', peerAddress: peer, localAddress: local, multihop: false, desiredMinTxUs: 300_000, requiredMinRxUs: 300_000, detectMult: 3, passive: false, minimumTtl: 254 }]);
  for (let i = 0; i < 200 && state !== 'up'; i++) await sleep(50);
  if (state !== 'up') fail(`session not Up within 10 s: ${JSON.stringify(changes)}`);
  const blockMs = Number(values['block-ms']);
  const t0 = Date.now();
  // The stall: a reconcile pass over many Services used to hold the event loop this long.
  while (Date.now() - t0 < blockMs) {
    /* busy */
  }
  await sleep(Number(values['quiet-ms']));
  process.stdout.write(JSON.stringify({ mode: values.mode, blockedAt: t0, reportedAt: Date.now(), blockMs, changes: changes.filter((c) => c.at >= t0), endState: state }) + '\n');
  await stop();
  process.exit(0);
}

main().catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
