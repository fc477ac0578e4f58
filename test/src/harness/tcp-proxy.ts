// A TCP proxy in front of an HTTP server that a test can cut: every open connection is destroyed
// at once (watches drop mid-stream, as when an API server restarts or a load balancer resets),
// and while paused new connections are refused. It notes the request lines it forwards, so a
// test can see which lists and watches clients made.
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface CuttableProxy {
  readonly url: string;
  /** Destroys every connection open now; returns how many. */
  cut(): number;
  /** Refuse (reset) new connections until resume(). */
  pause(): void;
  resume(): void;
  /** "GET /api/v1/services?limit=500" ... in the order they were forwarded. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function cuttableProxy(target: URL): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  let paused = false;
  const server: Server = createServer((client) => {
    if (paused) {
      client.destroy();
      return;
    }
    const up = createConnection({ host: target.hostname, port: Number(target.port) });
    for (const s of [client, up]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString('latin1').matchAll(/(?:^|\r\n)(GET|POST|PUT|PATCH|DELETE) (\S+) HTTP\/1\.1\r\n/g)) requests.push(`${m[1]} ${m[2]}`);
    });
    client.pipe(up);
    up.pipe(client);
    client.on('close', () => up.destroy());
    up.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    cut() {
      const n = sockets.size;
      for (const s of sockets) s.destroy();
      return n;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
