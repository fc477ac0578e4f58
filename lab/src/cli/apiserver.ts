// `herald-lab apiserver --port P [--host H] --kubeconfig-out FILE [--state-file FILE]
//  [--history-window N] [--shutdown-grace-seconds S]`: the embedded Kubernetes API server alone.
// SIGTERM stops it gracefully, as kube-apiserver does: the listener closes at once, open watch
// streams live on until they end or the grace period passes. SIGINT stops it at once.

import { createLogger } from '@herald/shared';
import { startApiServer, type ApiServerOptions } from '../apiserver/index.js';

export interface ApiserverArgs {
  port: number;
  host: string;
  kubeconfigOut: string;
  stateFile: string | undefined;
  historyWindow: number | undefined;
  shutdownGraceSeconds: number;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\nusage: herald-lab apiserver --port P [--host H] --kubeconfig-out FILE [--state-file FILE] [--history-window N] [--shutdown-grace-seconds S]`);
    this.name = 'UsageError';
  }
}

function int(flag: string, v: string | undefined, min: number, max: number): number {
  const n = Number(v);
  if (v === undefined || !Number.isInteger(n) || n < min || n > max) throw new UsageError(`${flag} wants an integer in ${min}..${max}, got ${JSON.stringify(v)}`);
  return n;
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
      default: throw new UsageError(`unknown argument ${JSON.stringify(flag)}`);
    }
  }
  if (out.port === undefined) throw new UsageError('--port is required');
  if (out.kubeconfigOut === undefined) throw new UsageError('--kubeconfig-out is required');
  return {
    port: out.port, host: out.host ?? '127.0.0.1', kubeconfigOut: out.kubeconfigOut, stateFile: out.stateFile,
    historyWindow: out.historyWindow, shutdownGraceSeconds: out.shutdownGraceSeconds ?? 5,
  };
}

/** Runs the server until SIGTERM/SIGINT, then closes it (flushing the state file). */
export async function runApiserverCommand(argv: string[]): Promise<void> {
  const args = parseApiserverArgs(argv);
  const log = createLogger({ component: 'apiserver' });
  const opts: ApiServerOptions = { port: args.port, host: args.host, logger: log };
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
