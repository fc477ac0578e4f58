// A backend "pod" for the lab: a tiny HTTP server on a node's address that says who answered.
// Run as `herald-lab backend --node node1 --listen 192.0.2.11:8081=web-l2 [--listen ...]`
// inside the node's namespace.
import { createServer, type Server } from 'node:http';

export interface BackendListen {
  readonly host: string;
  readonly port: number;
  readonly service: string;
}

export function parseListen(s: string): BackendListen {
  const m = /^(\[[^\]]+\]|[^:]+):(\d+)=(.+)$/.exec(s);
  if (!m) throw new Error(`invalid --listen ${JSON.stringify(s)}: want HOST:PORT=SERVICE`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]), service: m[3]! };
}

export async function runBackends(node: string, listens: readonly BackendListen[]): Promise<Server[]> {
  const servers: Server[] = [];
  for (const l of listens) {
    const server = createServer((req, res) => {
      const body = JSON.stringify({ service: l.service, node, client: req.socket.remoteAddress }) + '\n';
      res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end(body);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(l.port, l.host, () => resolve());
    });
    servers.push(server);
  }
  return servers;
}
