// The embedded API server with Herald's CRDs in its own process, counting every request it
// serves by User-Agent and kind of write (node:http's diagnostics channel, so nothing sits in
// the path). Prints {"kubeconfig": ...} once ready; answers "counts" over IPC.
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { createLogger } from '@herald/shared';
import { startTestCluster } from '@herald/lab';

export type RequestCounts = Record<string, Record<string, number>>;

/** What a request is, for counting: "GET", or the kind of write. */
export function requestKind(method: string, url: string): string {
  const path = url.split('?')[0] ?? '';
  if (method === 'GET') return url.includes('watch=true') ? 'watch' : 'read';
  if (/\/services\/[^/]+\/status$/.test(path)) return `service-status ${method}`;
  if (/\/services\/[^/]+$/.test(path)) return `service ${method}`;
  if (/\/services$/.test(path)) return `service-create ${method}`;
  if (/\/events(\/[^/]+)?$/.test(path)) return `event ${method}`;
  if (/\/ipaddresspools\/[^/]+\/status$/.test(path)) return `pool-status ${method}`;
  if (/\/configurationstates/.test(path)) return `configurationstate ${method}`;
  if (/\/leases/.test(path)) return `lease ${method}`;
  return `other ${method}`;
}

if (process.send) {
  const counts: RequestCounts = {};
  subscribe('http.server.request.start', (msg: unknown) => {
    const req = (msg as { request: IncomingMessage }).request;
    const agent = String(req.headers['user-agent'] ?? '');
    const kind = requestKind(req.method ?? '', req.url ?? '');
    const a = (counts[agent] ??= {});
    a[kind] = (a[kind] ?? 0) + 1;
  });
  const cluster = await startTestCluster({ log: createLogger({ component: 'apiserver', level: 'error' }), historyWindow: 100_000 });
  process.on('message', (m: unknown) => {
    if (m === 'counts') process.send?.({ type: 'counts', counts });
  });
  process.on('SIGTERM', () => {
    void cluster.close().finally(() => process.exit(0));
  });
  process.stdout.write(JSON.stringify({ kubeconfig: cluster.server.kubeconfigYaml() }) + '\n');
}
