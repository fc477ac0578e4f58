// A tiny HTTP server for client tests: it answers each request with the next scripted reply
// (or a default), and records what it was sent.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  readonly method: string;
  readonly url: string;
  readonly body: string;
  readonly headers: IncomingMessage['headers'];
  readonly at: number;
}

export type Reply = { status: number; headers?: Record<string, string>; body?: unknown } | ((req: Seen, res: ServerResponse) => void);

export interface FakeApiServer {
  readonly url: string;
  readonly seen: Seen[];
  /** Replies used in order; when they run out, `fallback` answers. */
  script(...replies: Reply[]): void;
  fallback: Reply;
  close(): Promise<void>;
}

export const kubeconfigFor = (server: string): string =>
  `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: ${server}\n    insecure-skip-tls-verify: true\ncontexts:\n- name: c\n  context:\n    cluster: c\n    user: u\ncurrent-context: c\nusers:\n- name: u\n  user:\n    token: t\n`;

export async function startFakeApiServer(): Promise<FakeApiServer> {
  const queue: Reply[] = [];
  const seen: Seen[] = [];
  const sockets = new Set<import('node:net').Socket>();
  const s: { fallback: Reply } = { fallback: { status: 200, body: {} } };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Seen = { method: req.method ?? '', url: req.url ?? '', body: Buffer.concat(chunks).toString('utf8'), headers: req.headers, at: performance.now() };
      seen.push(r);
      const reply = queue.shift() ?? s.fallback;
      if (typeof reply === 'function') return reply(r, res);
      const body = JSON.stringify(reply.body ?? { kind: 'Status', apiVersion: 'v1', code: reply.status });
      res.writeHead(reply.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...reply.headers });
      res.end(body);
    });
  });
  server.on('connection', (c) => {
    sockets.add(c);
    c.on('close', () => sockets.delete(c));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    script: (...replies) => void queue.push(...replies),
    get fallback() {
      return s.fallback;
    },
    set fallback(r: Reply) {
      s.fallback = r;
    },
    close: async () => {
      for (const c of sockets) c.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
