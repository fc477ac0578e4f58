// Helpers of the API server benchmarks: HTTP calls and watches without a client library (the load
// generator must cost little), bounded parallel loops, and the server in a worker thread.

import { request, Agent, type IncomingMessage } from 'node:http';
import { Worker } from 'node:worker_threads';
import type { StateWriterOptions, StateWriterStats } from '@herald/lab';

export interface BenchRow {
  what: string;
  value: string;
  target: string;
}

export function call(agent: Agent, url: string, method: string, body: unknown, ct = 'application/json'): Promise<number> {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = request(url, { method, agent, headers: { 'Content-Type': ct, 'Content-Length': data.length } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout ${method} ${url}`)));
    req.on('error', reject);
    req.end(data);
  });
}

export interface Watcher {
  events: number;
  close(): void;
}

export function openWatch(url: string, onLine?: (line: string) => void): Promise<Watcher> {
  return new Promise((resolve, reject) => {
    const w: Watcher = { events: 0, close: () => req.destroy() };
    let buf = '';
    const req = request(url, { method: 'GET' }, (res: IncomingMessage) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          w.events++;
          onLine?.(line);
        }
      });
      res.on('error', () => undefined);
      resolve(w);
    });
    req.on('error', (e) => { if (w.events === 0) reject(e); });
    req.end();
  });
}

export async function inParallel(n: number, width: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
}

export async function until(ms: number, ok: () => boolean): Promise<boolean> {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return ok();
}

export interface BenchServer {
  url: string;
  /** The server isolate's used heap after a full GC. */
  heap(): Promise<{ mib: number; gc: boolean }>;
  /** Its start time, state writer figures and event-loop delay since the last resetLoop(). */
  stats(): Promise<ServerStats>;
  resetLoop(): void;
}

export interface ServerStats {
  startupMs: number;
  writer: StateWriterStats | null;
  loopMaxMs: number;
  loopP99Ms: number;
}

export interface WorkerPersistence {
  stateFile?: string;
  stateWriter?: Partial<StateWriterOptions>;
}

/** Starts the server in a worker thread (its own event loop), runs fn, then stops it. */
export async function withServer<T>(historyWindow: number, fn: (s: BenchServer, agent: Agent) => Promise<T>, persist: WorkerPersistence = {}): Promise<T> {
  const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: { historyWindow, ...persist } });
  const next = (type: string): Promise<Record<string, unknown>> => new Promise((resolve, reject) => {
    const onMsg = (m: Record<string, unknown>): void => {
      if (m['type'] !== type) return;
      worker.off('message', onMsg);
      worker.off('error', reject);
      resolve(m);
    };
    worker.on('message', onMsg);
    worker.once('error', reject);
  });
  const url = String((await next('url'))['url']);
  const s: BenchServer = {
    url,
    heap: async () => {
      const reply = next('heap');
      worker.postMessage('heap');
      const m = await reply;
      return { mib: Number(m['bytes']) / (1024 * 1024), gc: m['gc'] === true };
    },
    stats: async () => {
      const reply = next('stats');
      worker.postMessage('stats');
      const m = await reply;
      return { startupMs: Number(m['startupMs']), writer: (m['writer'] ?? null) as StateWriterStats | null, loopMaxMs: Number(m['loopMaxMs']), loopP99Ms: Number(m['loopP99Ms']) };
    },
    resetLoop: () => worker.postMessage('loop-reset'),
  };
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });
  try {
    await call(agent, `${s.url}/api/v1/namespaces`, 'POST', { metadata: { name: 'bench' } });
    return await fn(s, agent);
  } finally {
    agent.destroy();
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage('close');
    const timer = setTimeout(() => { void worker.terminate(); }, 5000);
    await exited;
    clearTimeout(timer);
  }
}

/** Reads the current list resourceVersion (to watch from). */
export function listRv(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}?limit=1`, { method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => {
        const m = /"resourceVersion":"(\d+)"/.exec(body);
        if (m?.[1] === undefined) reject(new Error(`no resourceVersion in ${body.slice(0, 200)}`));
        else resolve(m[1]);
      });
    });
    req.on('error', reject);
    req.end();
  });
}
