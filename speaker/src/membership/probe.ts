// A stand-alone membership node for end-to-end tests and the benchmark: real UDP heartbeats and
// the real Membership shell, with a static member list and a stub Lease (renewals always succeed
// locally, never echoed, so no Kubernetes expiry is ever judged; the real API server comes in
// with the speaker's main). Prints one JSON line per change of its view on stdout.
//
//   probe --node node1 --key-file K --peer node1=192.0.2.11 --peer node2=192.0.2.12 ...
//         [--bind ADDR] [--port 7473] [--log-level warn]
// SIGTERM: graceful leave (waits for `announced` from the peers, at most 2 s), then exit.
import { systemClock } from '@herald/shared/clock';
import { createLogger, parseLogLevel, type Logger } from '@herald/shared/log';
import { loadKeys } from './key-file.js';
import { statusText, type MemberFacts } from './liveness.js';
import { Membership } from './membership.js';
import { DEFAULT_HEARTBEAT_PORT, UdpTransport } from './udp-transport.js';

export interface ProbeArgs {
  readonly node: string;
  readonly keyFiles: readonly string[];
  readonly peers: ReadonlyMap<string, string>;
  readonly bind: string | undefined;
  readonly port: number;
  readonly logLevel: string;
}

export class ProbeUsageError extends Error {
  override readonly name = 'ProbeUsageError';
}

export function parseProbeArgs(argv: readonly string[]): ProbeArgs {
  let node: string | undefined;
  const keyFiles: string[] = [];
  const peers = new Map<string, string>();
  let bind: string | undefined;
  let port = DEFAULT_HEARTBEAT_PORT;
  let logLevel = 'warn';
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = argv[i + 1];
    if (v === undefined) throw new ProbeUsageError(`${a} needs a value`);
    i++;
    if (a === '--node') node = v;
    else if (a === '--key-file') keyFiles.push(v);
    else if (a === '--bind') bind = v;
    else if (a === '--port') port = Number(v);
    else if (a === '--log-level') logLevel = v;
    else if (a === '--peer') {
      const eq = v.indexOf('=');
      if (eq <= 0) throw new ProbeUsageError(`--peer wants name=address, got ${v}`);
      peers.set(v.slice(0, eq), v.slice(eq + 1));
    } else throw new ProbeUsageError(`unknown flag ${a}`);
  }
  if (!node) throw new ProbeUsageError('--node is required');
  if (!peers.has(node)) throw new ProbeUsageError('--peer must list this node too');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ProbeUsageError('bad --port');
  return { node, keyFiles, peers, bind, port, logLevel };
}

/** One JSON line the probe prints ('started', 'view', 'left'), as its readers parse it. */
export interface ProbeLine {
  readonly event: string;
  readonly wallMs: number;
  readonly fenced?: boolean;
  readonly live?: string[];
  readonly members?: Record<string, string>;
}

/** Runs until SIGTERM/SIGINT. `out` receives the JSON view lines (ProbeLine). */
export async function runProbe(argv: readonly string[], out: Logger): Promise<void> {
  const args = parseProbeArgs(argv);
  const log = createLogger({ component: 'membership', level: parseLogLevel(args.logLevel), fields: { node: args.node } });
  const keys = await loadKeys(args.keyFiles);
  const clock = systemClock;
  const transport = await UdpTransport.open({ bindAddress: args.bind, port: args.port, clock, onSocketError: (err) => log.warn('udp-error', { err }) });
  const m = new Membership({ node: args.node, keys, transport, clock, log });
  const facts = new Map<string, MemberFacts>([...args.peers.keys()].map((n) => [n, { lease: { renewKey: 'static', durationMs: 10_000 }, nodeReady: true }]));
  m.setMembers(facts, new Map([...args.peers].map(([n, a]) => [n, [a]])));
  let renewals = 0;
  const renew = (): void => m.ownLeaseRenewed(clock.now(), `stub-${renewals++}`);
  renew();
  const renewTimer = setInterval(renew, 2000);
  m.onChange((c) => {
    out.info('view', {
      wallMs: Date.now(), fenced: c.fenced, reason: c.view.fence.fenced ? c.view.fence.reason.type : undefined,
      live: [...c.live].sort(), members: Object.fromEntries([...c.view.members].map(([n, s]) => [n, statusText(s)])),
    });
  });
  m.start();
  out.info('started', { wallMs: Date.now(), incarnation: m.incarnation, port: transport.port });
  await new Promise<void>((resolve) => {
    const leave = (): void => {
      void m.leave(2000).then((r) => {
        out.info('left', { wallMs: Date.now(), ...r });
        resolve();
      });
    };
    process.once('SIGTERM', leave);
    process.once('SIGINT', leave);
  });
  clearInterval(renewTimer);
  m.stop();
  await transport.close();
}
