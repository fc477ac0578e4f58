// Benchmark of the embedded API server: sustained writes/s with 20 active watchers (on an empty
// store, and with 10,000 Services present), watch delivery latency (p50/p99), and heap after N
// and 10N writes (bounded by the history window). Others use the write rates as the ceiling of
// what the server can take. The server runs in a worker thread (its own event loop); the load
// generator on the main thread.

import { call, inParallel, listRv, openWatch, until, withServer, type BenchRow, type BenchServer } from './util.js';
import { persistenceAtScale } from './persist.js';
import { percentile } from '../stats.js';

export type { BenchRow } from './util.js';

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

const svcUrl = (s: BenchServer): string => `${s.url}/api/v1/namespaces/bench/services`;
const service = (i: number): unknown => ({ metadata: { name: `s${i}` }, spec: { ipFamilies: ['IPv6'], ports: [{ port: 80 }], selector: { app: `s${i}` } } });

/** Creates n Services (timed), then n updates of them with 20 watchers open (timed). */
export async function writesAtScale(n = 10_000): Promise<BenchRow[]> {
  const updates = n;
  return withServer(10_000, async (s, agent) => {
    const t0 = performance.now();
    let failed = 0;
    await inParallel(n, 32, async (i) => { if (await call(agent, svcUrl(s), 'POST', service(i)) !== 201) failed++; });
    const createSecs = (performance.now() - t0) / 1000;
    const rv = await listRv(svcUrl(s));
    const watchers = await Promise.all(Array.from({ length: 20 }, () => openWatch(`${svcUrl(s)}?watch=true&resourceVersion=${rv}`)));
    const t1 = performance.now();
    await inParallel(updates, 32, async (i) => {
      const code = await call(agent, `${svcUrl(s)}/s${i % n}`, 'PATCH', { metadata: { labels: { round: String(i) } } }, 'application/merge-patch+json');
      if (code !== 200) failed++;
    });
    const delivered = await until(60_000, () => watchers.every((w) => w.events >= updates));
    const updSecs = (performance.now() - t1) / 1000;
    for (const w of watchers) w.close();
    const note = `${failed === 0 ? '' : ` (${failed} FAILED)`}`;
    return [
      { what: `apiserver: Service creates/s, growing 0 -> ${n} Services (32 in flight)${note}`, value: `${Math.round(n / createSecs)}/s`, target: '>= 1000/s' },
      { what: `apiserver: Service updates/s sustained with ${n} Services present, 20 watchers (all events delivered)${note}`,
        value: delivered ? `${Math.round(updates / updSecs)}/s` : `${Math.round(updates / updSecs)}/s (NOT all delivered)`, target: '>= 1000/s; reference: the empty-store row above' },
    ];
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
    const pct = (p: number): string => `${percentile(lat, p).toFixed(2)} ms`;
    return [
      { what: 'apiserver: watch delivery latency p50 (one write in flight, 20 watchers; sent -> event parsed)', value: pct(50), target: '-' },
      { what: 'apiserver: watch delivery latency p99', value: pct(99), target: '< 20 ms' },
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
  rows.push(...await writesAtScale());
  rows.push(...await persistenceAtScale());
  rows.push(...await watchLatency());
  rows.push(...await memoryBound());
  return { rows };
}
