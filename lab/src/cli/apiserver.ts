// `herald-lab apiserver --port P [--host H] --kubeconfig-out FILE [--state-file FILE]
//  [--history-window N]`: the embedded Kubernetes API server alone, until SIGTERM or SIGINT.

import { createLogger } from '@herald/shared';
import { startApiServer, type ApiServerOptions } from '../apiserver/index.js';

export interface ApiserverArgs {
  port: number;
  host: string;
  kubeconfigOut: string;
  stateFile: string | undefined;
  historyWindow: number | undefined;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\nusage: herald-lab apiserver --port P [--host H] --kubeconfig-out FILE [--state-file FILE] [--history-window N]`);
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
      default: throw new UsageError(`unknown argument ${JSON.stringify(flag)}`);
    }
  }
  if (out.port === undefined) throw new UsageError('--port is required');
  if (out.kubeconfigOut === undefined) throw new UsageError('--kubeconfig-out is required');
  return { port: out.port, host: out.host ?? '127.0.0.1', kubeconfigOut: out.kubeconfigOut, stateFile: out.stateFile, historyWindow: out.historyWindow };
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
  await new Promise<void>((resolve) => {
    const stop = (signal: string): void => {
      log.info('apiserver_stopping', { signal });
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      resolve();
    };
    const onTerm = (): void => stop('SIGTERM');
    const onInt = (): void => stop('SIGINT');
    process.on('SIGTERM', onTerm);
    process.on('SIGINT', onInt);
  });
  await server.close();
}
