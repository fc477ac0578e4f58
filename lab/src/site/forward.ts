// A byte forwarder between TCP and Unix sockets. The lab serves its API server on the host's
// loopback; one forwarder in the management namespace (on the lab network) and one on the host
// join them through a Unix socket, which both namespaces see because they share the filesystem.
// So speakers reach the API over the lab network, and cutting a node's link cuts its API access.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { rmSync } from 'node:fs';

export type Endpoint = { readonly type: 'tcp'; readonly host: string; readonly port: number } | { readonly type: 'unix'; readonly path: string };

export function parseEndpoint(s: string): Endpoint {
  if (s.startsWith('unix:')) return { type: 'unix', path: s.slice(5) };
  const m = /^(?:tcp:)?(\[[^\]]+\]|[^:]+):(\d+)$/.exec(s);
  if (!m) throw new Error(`invalid endpoint ${JSON.stringify(s)}: want unix:/path or host:port`);
  return { type: 'tcp', host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

function dial(to: Endpoint): Socket {
  return to.type === 'unix' ? connect(to.path) : connect(to.port, to.host);
}

export async function forward(listen: Endpoint, to: Endpoint): Promise<Server> {
  const server = createServer((inbound) => {
    const outbound = dial(to);
    inbound.pipe(outbound).pipe(inbound);
    const close = (): void => {
      inbound.destroy();
      outbound.destroy();
    };
    inbound.on('error', close);
    outbound.on('error', close);
    inbound.on('close', close);
    outbound.on('close', close);
  });
  if (listen.type === 'unix') rmSync(listen.path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (listen.type === 'unix') server.listen(listen.path, () => resolve());
    else server.listen(listen.port, listen.host, () => resolve());
  });
  return server;
}
