// A restart of the embedded API server as kube-apiserver lives through one: kill -9 (every
// connection, watches included, cut at once), an optional stall, and a start on the same address
// over the same storage, so objects and resourceVersions carry on. Watch windows start empty at
// the current resourceVersion, as a rebuilt watch cache does: a watch from an older version gets
// 410 and its informer relists; one from the current version re-watches.

import { setTimeout as sleep } from 'node:timers/promises';
import { startApiServer, type ApiServer, type ApiServerOptions } from './server.js';

export interface RestartResult {
  readonly server: ApiServer;
  /** From the kill until the new server listens. */
  readonly downMs: number;
  /** The new server's own start (storage handover and listen). */
  readonly startMs: number;
}

/** Kills `server`, waits stallMs, and starts it again with `opts` on the same port. */
export async function restartApiServer(server: ApiServer, opts: ApiServerOptions, stallMs = 0): Promise<RestartResult> {
  const t0 = performance.now();
  const storage = await server.kill();
  if (stallMs > 0) await sleep(stallMs);
  const next = await startApiServer({ ...opts, port: server.port, storage });
  return { server: next, downMs: performance.now() - t0, startMs: next.startupMs() };
}
