// `herald-lab apiserver --port P [--host H] --kubeconfig-out FILE [--state-file FILE]
//  [--history-window N] [--shutdown-grace-seconds S] [--max-requests-inflight N]
//  [--max-mutating-requests-inflight N] [--force-429 RULE]`: the embedded Kubernetes API server alone.
// --force-429 (test only) rejects API requests on top of the in-flight limits: `every=N`, `next=N`
// or `window-ms=MS`, optionally followed by `,watches` (watches too) and `,status` (a Status body
// instead of kube-apiserver's plain-text 429).
// SIGTERM stops it gracefully, as kube-apiserver does: the listener closes at once, open watch
// streams live on until they end or the grace period passes. SIGINT stops it at once.

import { createLogger } from '@herald/shared';
import { startApiServer, type ApiServerOptions, type ForcedRejections } from '../apiserver/index.js';

export interface ApiserverArgs {
  port: number;
  host: string;
  kubeconfigOut: string;
  stateFile: string | undefined;
  historyWindow: number | undefined;
  shutdownGraceSeconds: number;
  maxRequestsInflight: number;
  maxMutatingRequestsInflight: number;
  force429: ForcedRejections | undefined;
}

const usage = 'usage: herald-lab apiserver --port P [--host H] --kubeconfig-out FILE [--state-file FILE] [--history-window N] [--shutdown-grace-seconds S]'
  + ' [--max-requests-inflight N] [--max-mutating-requests-inflight N] [--force-429 every=N|next=N|window-ms=MS[,watches][,status]]';

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${usage}`);
    this.name = 'UsageError';
  }
}

function int(flag: string, v: string | undefined, min: number, max: number): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} wants an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  return n;
}

/** `every=N`, `next=N` or `window-ms=MS`, then optional `,watches` and `,status`. */
export function parseForce429(v: string | undefined): ForcedRejections {
  const [rule = '', ...flags] = (v ?? '').split(',');
  const m = /^(every|next|window-ms)=(\d+)$/.exec(rule);
  const n = Number(m?.[2]);
  if (m === null || !(n > 0)) throw new UsageError(`--force-429 wants every=N, next=N or window-ms=MS (N, MS > 0), got ${JSON.stringify(v)}`);
  const extra = { ...(flags.includes('watches') ? { watches: true } : {}), ...(flags.includes('status') ? { form: 'status' as const } : {}) };
  const unknown = flags.filter((f) => f !== 'watches' && f !== 'status');
  if (unknown.length > 0) throw new UsageError(`--force-429: unknown option ${JSON.stringify(unknown[0])} (want watches or status)`);
  if (m[1] === 'window-ms') return { type: 'window', ms: n, ...extra };
  return { type: m[1] === 'every' ? 'every' : 'next', n, ...extra };
}

export function parseApiserverArgs(argv: readonly string[]): ApiserverArgs {
  const out: Partial<ApiserverArgs> = { host: '127.0.0.1' };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const val = argv[i + 1];
    switch (flag) {
      case '--port': out.port = int(flag, val, 0, 65535); i++; break;
      case '--host': if (val === undefined) throw new UsageError('--host wants an address'); out.host = val; i++; break;
      case '--kubeconfig-out': if (val === undefined) throw new UsageError('--kubeconfig-out wants a file'); out.kubeconfigOut = val; i++; break;
      case '--state-file': if (val === undefined) throw new UsageError('--state-file wants a file'); out.stateFile = val; i++; break;
      case '--history-window': out.historyWindow = int(flag, val, 10, 10_000_000); i++; break;
      case '--shutdown-grace-seconds': out.shutdownGraceSeconds = int(flag, val, 0, 3600); i++; break;
      case '--max-requests-inflight': out.maxRequestsInflight = int(flag, val, 0, 1_000_000); i++; break;
      case '--max-mutating-requests-inflight': out.maxMutatingRequestsInflight = int(flag, val, 0, 1_000_000); i++; break;
      case '--force-429': out.force429 = parseForce429(val); i++; break;
      default: throw new UsageError(`unknown argument ${JSON.stringify(flag)}`);
    }
  }
  if (out.port === undefined) throw new UsageError('--port is required');
  if (out.kubeconfigOut === undefined) throw new UsageError('--kubeconfig-out is required');
  return {
    port: out.port, host: out.host ?? '127.0.0.1', kubeconfigOut: out.kubeconfigOut, stateFile: out.stateFile,
    historyWindow: out.historyWindow, shutdownGraceSeconds: out.shutdownGraceSeconds ?? 5,
    maxRequestsInflight: out.maxRequestsInflight ?? 400, maxMutatingRequestsInflight: out.maxMutatingRequestsInflight ?? 200,
    force429: out.force429,
  };
}

/** Runs the server until SIGTERM/SIGINT, then closes it (flushing the state file). */
export async function runApiserverCommand(argv: string[]): Promise<void> {
  const args = parseApiserverArgs(argv);
  const log = createLogger({ component: 'apiserver' });
  const opts: ApiServerOptions = {
    port: args.port, host: args.host, logger: log,
    maxRequestsInflight: args.maxRequestsInflight, maxMutatingRequestsInflight: args.maxMutatingRequestsInflight,
  };
  if (args.force429 !== undefined) opts.forceTooManyRequests = args.force429;
  if (args.stateFile !== undefined) opts.stateFile = args.stateFile;
  if (args.historyWindow !== undefined) opts.historyWindow = args.historyWindow;
  const server = await startApiServer(opts);
  await server.writeKubeconfig(args.kubeconfigOut);
  log.info('kubeconfig_written', { path: args.kubeconfigOut, url: server.url });
  const signal = await new Promise<'SIGTERM' | 'SIGINT'>((resolve) => {
    const onTerm = (): void => { off(); resolve('SIGTERM'); };
    const onInt = (): void => { off(); resolve('SIGINT'); };
    const off = (): void => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
    };
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
  log.info('apiserver_stopping', { signal, watches: server.watchCount() });
  if (signal === 'SIGTERM') {
    await server.stopListening();
    const deadline = Date.now() + args.shutdownGraceSeconds * 1000;
    while (server.watchCount() > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  }
  await server.close();
}
