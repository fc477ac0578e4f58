// A child process for the stall test (test/test/speaker/stall.test.ts), run inside a network
// namespace whose loopback carries 192.0.2.11-13: three speakers' membership in this one
// process, then this process's main thread blocked for --block-ms, then a quiet period. It
// prints one JSON line: what the speakers reported about each other and themselves from the
// moment of the block on.
//   --mode packet   the speakers' packet threads (FastPath: what herald-speaker runs)
//   --mode control  the same Membership on the main thread (how herald-speaker ran before)
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createLogger, systemClock } from '@herald/shared';
import { FastPath, membership as m } from '@herald/speaker';

const { values } = parseArgs({ options: { mode: { type: 'string' }, 'block-ms': { type: 'string', default: '2500' }, 'quiet-ms': { type: 'string', default: '3000' } } });
const NODES = [
  { name: 'node1', ip: '192.0.2.11' },
  { name: 'node2', ip: '192.0.2.12' },
  { name: 'node3', ip: '192.0.2.13' },
];
const PORT = 7473;
const key = randomBytes(32);
const log = createLogger({ component: 'stall-scenario', level: 'error' });

interface Report {
  readonly node: string;
  readonly at: number;
  readonly fenced: boolean;
  readonly statuses: readonly (readonly [string, string])[];
}

interface Handle {
  setMembers(facts: ReadonlyMap<string, m.MemberFacts>, addresses: ReadonlyMap<string, readonly string[]>): void;
  ownLeaseRenewed(sentAt: number, key: string): void;
  fenced(): boolean;
  live(): ReadonlySet<string>;
  /** Heartbeats accepted so far, and the worst lag of the thread that runs membership. */
  accepted(): number;
  maxLagMs(): number;
  stop(): Promise<void>;
}

const reports: Report[] = [];
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function packet(n: { name: string; ip: string }): Promise<Handle> {
  const fp = await FastPath.start({
    init: { node: n.name, keys: [key], heartbeat: { bindAddress: n.ip, port: PORT }, l2: false, fallbackInterfaces: [], logLevel: 'error' },
    log,
    onFailure: (why) => {
      process.stdout.write(JSON.stringify({ error: why }) + '\n');
      process.exit(2);
    },
  });
  fp.onChange(() => reports.push({ node: n.name, at: Date.now(), fenced: fp.fenced(), statuses: fp.membership().statuses }));
  let lag = 0;
  return {
    setMembers: (f, a) => fp.setMembers(f, a),
    ownLeaseRenewed: (s, k) => fp.ownLeaseRenewed(s, k),
    fenced: () => fp.fenced(),
    live: () => fp.live(),
    accepted: () => fp.counters?.accepted ?? 0,
    maxLagMs: () => (lag = Math.max(lag, fp.counters?.maxLagMs ?? 0)),
    stop: () => fp.stop(),
  };
}

async function control(n: { name: string; ip: string }): Promise<Handle> {
  const transport = await m.UdpTransport.open({ bindAddress: n.ip, port: PORT, clock: systemClock });
  const mem = new m.Membership({ node: n.name, keys: [key], transport, clock: systemClock, log });
  mem.onChange((c) => reports.push({ node: n.name, at: Date.now(), fenced: c.fenced, statuses: [...c.view.members].map(([k, s]) => [k, m.statusText(s)] as const) }));
  mem.start();
  return {
    setMembers: (f, a) => mem.setMembers(f, a),
    ownLeaseRenewed: (s, k) => mem.ownLeaseRenewed(s, k),
    fenced: () => mem.isFenced(),
    live: () => mem.view().live,
    accepted: () => mem.counters.accepted,
    maxLagMs: () => NaN,
    stop: async () => {
      mem.stop();
      await transport.close();
    },
  };
}

async function main(): Promise<void> {
  const handles = await Promise.all(NODES.map((n) => (values.mode === 'packet' ? packet(n) : control(n))));
  const facts = new Map(NODES.map((n) => [n.name, { lease: { renewKey: '1', durationMs: 10_000 }, nodeReady: true }]));
  const addresses = new Map(NODES.map((n) => [n.name, [n.ip]]));
  const renew = (): void => {
    for (const h of handles) h.ownLeaseRenewed(systemClock.now(), '1');
  };
  for (const h of handles) h.setMembers(facts, addresses);
  renew();
  const timer = setInterval(renew, 2000);
  const ok = (): boolean => handles.every((h) => !h.fenced() && h.live().size === 3);
  for (let i = 0; i < 200 && !ok(); i++) await sleep(50);
  if (!ok()) throw new Error('the three speakers never all came up live and unfenced');
  await sleep(1500);
  const acceptedBefore = handles.reduce((a, h) => a + h.accepted(), 0);
  const from = Date.now();
  const blockMs = Number(values['block-ms']);
  // The bulk work: one synchronous run, as a reconcile pass of O(all Services) was.
  while (Date.now() - from < blockMs);
  await sleep(Number(values['quiet-ms']));
  clearInterval(timer);
  const acceptedDuring = handles.reduce((a, h) => a + h.accepted(), 0) - acceptedBefore;
  const after = reports.filter((r) => r.at >= from);
  const fences = after.filter((r) => r.fenced).length;
  const notLive = after.flatMap((r) => r.statuses.filter(([n, s]) => n !== r.node && s !== 'live').map(([n, s]) => `${r.node} says ${n} ${s}`));
  process.stdout.write(JSON.stringify({ mode: values.mode, blockMs, reports: after.length, fences, notLive: [...new Set(notLive)], endOk: ok(), acceptedDuring, maxLagMs: Math.max(...handles.map((h) => h.maxLagMs())) }) + '\n');
  await Promise.all(handles.map((h) => h.stop()));
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stdout.write(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }) + '\n');
  process.exit(1);
});
