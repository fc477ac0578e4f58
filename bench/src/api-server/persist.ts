// Benchmark of the API server's persistence at scale: the restore of 10,000 Services + 10,000
// EndpointSlices from the state file (beside the floor of parsing that file alone), and PATCH
// latency and the server's event-loop stalls while the state file is journaled and compacted,
// beside the same load on a server without a state file.

import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Agent } from 'node:http';
import { call, inParallel, withServer, type BenchRow, type BenchServer, type WorkerPersistence } from './util.js';
import { listSegments, segmentPath } from '@herald/lab';
import { max, percentile as pct } from '../stats.js';

const svc = (i: number): unknown => ({
  metadata: { name: `s${i}`, labels: { app: `s${i}` } },
  spec: { type: 'LoadBalancer', ipFamilies: ['IPv6'], ports: [{ name: 'http', port: 80 }], selector: { app: `s${i}` } },
});
const slice = (i: number): unknown => ({
  metadata: { name: `s${i}-a`, labels: { 'kubernetes.io/service-name': `s${i}` } },
  addressType: 'IPv6', ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  endpoints: [{ addresses: [`2001:db8:1::${(i % 65535 + 1).toString(16)}`], conditions: { ready: true }, nodeName: `node${i % 3}` }],
});

async function fill(s: BenchServer, agent: Agent, n: number): Promise<number> {
  let failed = 0;
  await inParallel(n, 32, async (i) => {
    if (await call(agent, `${s.url}/api/v1/namespaces/bench/services`, 'POST', svc(i)) !== 201) failed++;
    if (await call(agent, `${s.url}/apis/discovery.k8s.io/v1/namespaces/bench/endpointslices`, 'POST', slice(i)) !== 201) failed++;
  });
  return failed;
}

interface Load {
  lat: number[];
  failed: number;
  loopMaxMs: number;
  compactions: number;
}

/** `n` PATCHes of the Services, 32 in flight, each timed; the server's loop stalls meanwhile. */
async function patches(s: BenchServer, agent: Agent, n: number, services: number): Promise<Load> {
  const before = (await s.stats()).writer?.compactions ?? 0;
  s.resetLoop();
  const lat: number[] = [];
  let failed = 0;
  await inParallel(n, 32, async (i) => {
    const t0 = performance.now();
    const code = await call(agent, `${s.url}/api/v1/namespaces/bench/services/s${i % services}`, 'PATCH', { metadata: { labels: { round: String(i) } } }, 'application/merge-patch+json');
    lat.push(performance.now() - t0);
    if (code !== 200) failed++;
  });
  const st = await s.stats();
  return { lat, failed, loopMaxMs: st.loopMaxMs, compactions: (st.writer?.compactions ?? 0) - before };
}

const f = (x: number): string => (x >= 10 ? x.toFixed(0) : x.toFixed(1));
const latency = (l: Load): string => `p50 ${f(pct(l.lat, 50))} ms, p95 ${f(pct(l.lat, 95))} ms, p99 ${f(pct(l.lat, 99))} ms, max ${f(max(l.lat))} ms${l.failed > 0 ? ` (${l.failed} FAILED)` : ''}`;

/** Parsing the base and every journal line alone: the floor of any restore. */
function parseFloorMs(stateFile: string): number {
  const t0 = performance.now();
  if (sizeOf(stateFile) > 0) JSON.parse(readFileSync(stateFile, 'utf8'));
  for (const n of listSegments(stateFile)) for (const l of readFileSync(segmentPath(stateFile, n), 'utf8').split('\n')) if (l !== '') JSON.parse(l);
  return performance.now() - t0;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function sizes(stateFile: string): { base: number; journal: number } {
  return { base: sizeOf(stateFile), journal: listSegments(stateFile).reduce((a, n) => a + sizeOf(segmentPath(stateFile, n)), 0) };
}

export async function persistenceAtScale(n = 10_000): Promise<BenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'apiserver-bench-state-'));
  const stateFile = join(dir, 'state.json');
  const persist: WorkerPersistence = { stateFile };
  const updates = 2 * n;
  try {
    const filled = await withServer(10_000, (s, agent) => fill(s, agent, n), persist);
    const size = sizes(stateFile);
    const floorMs = parseFloorMs(stateFile);
    const withState = await withServer(10_000, async (s, agent) => ({ restoreMs: (await s.stats()).startupMs, load: await patches(s, agent, updates, n) }), persist);
    const without = await withServer(10_000, async (s, agent) => {
      await fill(s, agent, n);
      return patches(s, agent, updates, n);
    });
    const mb = (b: number): string => (b / (1024 * 1024)).toFixed(1);
    const note = filled > 0 ? ` (${filled} creates FAILED)` : '';
    return [
      { what: `apiserver: restore ${n} Services + ${n} EndpointSlices from the state file (${mb(size.base)} MB base + ${mb(size.journal)} MB journal)${note}`,
        value: `${f(withState.restoreMs)} ms`, target: `< 2000 ms; reference: parsing the same files alone ${f(floorMs)} ms` },
      { what: `apiserver: PATCH latency, ${updates} PATCHes (32 in flight) with ${2 * n} objects present, state file on (${withState.load.compactions} compactions meanwhile)`,
        value: latency(withState.load), target: `reference, no state file: ${latency(without)}` },
      { what: 'apiserver: longest event-loop stall of the server during those PATCHes, state file on',
        value: `${f(withState.load.loopMaxMs)} ms`, target: `<= 2x the reference; reference, no state file: ${f(without.loopMaxMs)} ms` },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
