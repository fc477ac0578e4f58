// Benchmark of the embedded API server: sustained writes/s with 20 active watchers, watch
// delivery latency (p50/p99), and heap after N and 10N writes (bounded by the history window).
// The server runs in a worker thread (its own event loop); the load generator on the main thread.

import { request, Agent, type IncomingMessage } from 'node:http';
import { Worker } from 'node:worker_threads';

export interface BenchRow {
  what: string;
  value: string;
  target: string;
}

function call(agent: Agent, url: string, method: string, body: unknown, ct = 'application/json'): Promise<number> {
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

interface Watcher {
  events: number;
  close(): void;
}

function openWatch(url: string, onLine?: (line: string) => void): Promise<Watcher> {
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

async function inParallel(n: number, width: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      await fn(i);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
}

async function until(ms: number, ok: () => boolean): Promise<boolean> {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  return ok();
}

interface BenchServer {
  url: string;
  /** The server isolate's used heap after a full GC. */
  heap(): Promise<{ mib: number; gc: boolean }>;
}

/** Starts the server in a worker thread (its own event loop), runs fn, then stops it. */
async function withServer<T>(historyWindow: number, fn: (s: BenchServer, agent: Agent) => Promise<T>): Promise<T> {
  const worker = new Worker(new URL('./bench-worker.js', import.meta.url), { workerData: { historyWindow } });
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

const cmUrl = (s: BenchServer): string => `${s.url}/api/v1/namespaces/bench/configmaps`;

async function writesWithWatchers(): Promise<BenchRow> {
  const writes = 10_000;
  return withServer(10_000, async (s, agent) => {
    const watchers = await Promise.all(Array.from({ length: 20 }, () => openWatch(`${cmUrl(s)}?watch=true&resourceVersion=1`)));
    const t0 = performance.now();
    await inParallel(writes, 32, (i) => call(agent, cmUrl(s), 'POST', { metadata: { name: `c${i}` }, data: { i: String(i) } }));
    const delivered = await until(30_000, () => watchers.every((w) => w.events >= writes));
    const secs = (performance.now() - t0) / 1000;
    for (const w of watchers) w.close();
    const rate = Math.round(writes / secs);
    return { what: 'apiserver: writes/s sustained, 20 watchers (all events delivered)', value: delivered ? `${rate}/s` : `${rate}/s (NOT all delivered)`, target: '>= 1000/s' };
  });
}

async function watchLatency(): Promise<BenchRow[]> {
  const n = 2000;
  return withServer(10_000, async (s, agent) => {
    const lat: number[] = [];
    const others = await Promise.all(Array.from({ length: 19 }, () => openWatch(`${cmUrl(s)}?watch=true&resourceVersion=1`)));
    const mine = await openWatch(`${cmUrl(s)}?watch=true&resourceVersion=1`, (line) => {
      const m = /"sent":"([0-9.]+)"/.exec(line);
      if (m?.[1] !== undefined) lat.push(performance.now() - Number(m[1]));
    });
    await inParallel(n, 1, async (i) => {
      await call(agent, cmUrl(s), 'POST', { metadata: { name: `l${i}` }, data: { sent: String(performance.now()) } });
    });
    await until(10_000, () => lat.length >= n);
    mine.close();
    for (const w of others) w.close();
    lat.sort((a, b) => a - b);
    const pct = (p: number): string => `${(lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] ?? NaN).toFixed(2)} ms`;
    return [
      { what: 'apiserver: watch delivery latency p50 (one write in flight, 20 watchers; sent -> event parsed)', value: pct(0.5), target: '-' },
      { what: 'apiserver: watch delivery latency p99', value: pct(0.99), target: '< 20 ms' },
    ];
  });
}

async function memoryBound(): Promise<BenchRow[]> {
  const window = 2000;
  const n = 5000;
  const objects = 200;
  return withServer(window, async (s, agent) => {
    await inParallel(objects, 16, (i) => call(agent, cmUrl(s), 'POST', { metadata: { name: `m${i}` }, data: { v: '0' } }));
    const write = (i: number): Promise<number> =>
      call(agent, `${cmUrl(s)}/m${i % objects}`, 'PATCH', { data: { v: String(i), pad: 'x'.repeat(200) } }, 'application/merge-patch+json');
    await inParallel(n, 32, write);
    const atN = await s.heap();
    await inParallel(9 * n, 32, (i) => write(n + i));
    const at10N = (await s.heap()).mib;
    return [
      { what: `apiserver: server heap after N=${n} writes (window ${window}, ${objects} objects)${atN.gc ? '' : ' (no gc)'}`, value: `${atN.mib.toFixed(1)} MiB`, target: '-' },
      { what: `apiserver: server heap after 10N=${10 * n} writes`, value: `${at10N.toFixed(1)} MiB (${at10N <= atN.mib * 1.25 ? 'bounded' : 'GROWING'})`, target: '<= 1.25x the N figure' },
    ];
  });
}

export async function benchApiServer(): Promise<{ rows: BenchRow[] }> {
  const rows: BenchRow[] = [];
  rows.push(await writesWithWatchers());
  rows.push(...await watchLatency());
  rows.push(...await memoryBound());
  return { rows };
}
