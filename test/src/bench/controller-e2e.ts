// End-to-end controller benchmark (DESIGN §8: "controller: created -> status, at the API
// server's pace"). Three processes, as in a cluster: the embedded API server (counting every
// request it serves, by User-Agent and kind), herald-controller started from its bin with its
// default flags, and this one (the creator and a watch that times each Service's status).
//
// 1. The controller starts on an empty cluster: RSS idle.
// 2. Reference, same run, same server, with the controller attached: the rate at which the server
//    takes exactly the writes one Service costs (create, status patch, annotation patch) from
//    one serial client, and from 16 at once; measured on the empty server and again with the N
//    Services stored (the embedded server's Service writes slow down as it holds more). Those
//    Services carry another class and are deleted again.
// 3. N Services: the first 1,000 as a burst (16 creates in flight, as fast as the server takes
//    them), then the rest from a serial creator: one create in flight, so the creator goes at the
//    pace the API server answers, and that pace is shared with the controller's own 2 writes per
//    Service. Created -> status is timed from the create being sent to the watch seeing the IP.
//    RSS at 1,000 (after the burst) and at N.
// 4. The controller is restarted on the N settled Services: time to ready, time until every
//    Service was decided again, and the writes it made (goal 0).
//
// Knobs (bench only): HERALD_BENCH_SERVICES (default 10,000), HERALD_BENCH_CPU_PROF=DIR (the
// controller runs with --cpu-prof into DIR), HERALD_BENCH_CONTROLLER_BIN (another build of
// herald-controller, e.g. main's, to compare), HERALD_BENCH_CONTROLLER_ARGS (extra flags, space
// separated, e.g. "--kube-api-qps=5 --kube-api-burst=10").
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CoreV1Api } from '@kubernetes/client-node';
import { PooledKubeConfig } from '@herald/shared';
import { applyObjects } from '@herald/lab';
import type { RequestCounts } from './controller-apiserver-child.js';
import { StatusWatch, createServices, latencies, peakPerSecond } from './controller-load.js';
import { fmtRss, startControllerProcess, type ControllerProcess, type Rss } from './controller-process.js';
import { serviceWriteRate, type WriteRate } from './controller-reference.js';
import { percentile } from '@herald/bench/stats';

interface Row {
  what: string;
  value: string;
  target: string;
}

const NS = 'bench';
const REF_NS = 'bench-ref';
const BENCH_UA = 'herald-bench';

interface ApiServerChild {
  readonly kubeconfig: string;
  counts(): Promise<RequestCounts>;
  stop(): Promise<void>;
}

async function startApiServerChild(): Promise<ApiServerChild> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./controller-apiserver-child.js', import.meta.url)), [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const rl = createInterface({ input: child.stdout! });
  const line = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('API server did not start in 30 s')), 30_000);
    rl.once('line', (l) => {
      clearTimeout(t);
      resolve(l);
    });
    child.once('exit', (code) => reject(new Error(`API server exited ${String(code)}`)));
  });
  const { kubeconfig } = JSON.parse(line) as { kubeconfig: string };
  return {
    kubeconfig,
    counts: () =>
      new Promise<RequestCounts>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error('API server did not answer "counts" in 10 s')), 10_000);
        child.once('message', (m: unknown) => {
          clearTimeout(t);
          resolve((m as { counts: RequestCounts }).counts);
        });
        child.send('counts');
      }),
    stop: async () => {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/**
 * Requests made by everyone but this bench (the controller: the only other client) between two
 * snapshots, by kind ("service-status PATCH", "read", ...). By exclusion, so a build that sends
 * another User-Agent (main's, for a before/after) is counted too.
 */
function delta(before: RequestCounts, after: RequestCounts): Map<string, number> {
  const out = new Map<string, number>();
  for (const [agent, a] of Object.entries(after)) {
    if (agent === BENCH_UA) continue;
    const b = before[agent] ?? {};
    for (const [k, v] of Object.entries(a)) {
      const d = v - (b[k] ?? 0);
      if (d > 0) out.set(k, (out.get(k) ?? 0) + d);
    }
  }
  return out;
}

const isWrite = (kind: string): boolean => kind !== 'read' && kind !== 'watch';
const sumWrites = (m: ReadonlyMap<string, number>): number => [...m].filter(([k]) => isWrite(k)).reduce((s, [, v]) => s + v, 0);
const writeList = (m: ReadonlyMap<string, number>): string => [...m].filter(([k]) => isWrite(k)).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';

async function until(what: string, timeoutMs: number, f: () => Promise<boolean>): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < 100_000; i++) {
    if (await f()) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(20);
  }
  throw new Error(`${what}: gave up`);
}

/** Ready, and every one of `n` Services decided (reconcile count), nothing queued or being written. */
async function settled(ctl: ControllerProcess, n: number): Promise<boolean> {
  const m = await ctl.metrics();
  return (
    (m.get('herald_controller_reconcile_duration_seconds_count') ?? 0) >= n &&
    (m.get('herald_controller_workqueue_depth') ?? 0) === 0 &&
    (m.get('herald_controller_service_writes_waiting') ?? 0) === 0 &&
    (m.get('herald_events_queued') ?? 0) === 0
  );
}

async function deleteAll(core: CoreV1Api, namespace: string, names: readonly string[], lanes: number, deadline: number): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < names.length && performance.now() < deadline) await core.deleteNamespacedService({ name: names[next++]!, namespace }).catch(() => undefined);
  };
  await Promise.all(Array.from({ length: lanes }, lane));
}

const ms = (x: number): string => `${x.toFixed(0)} ms`;

function summaryLine(l: { ms: number[]; missing: number }): string {
  if (l.ms.length === 0) return `no Service got its status (${l.missing} missing)`;
  return `p50 ${ms(percentile(l.ms, 50))}, p95 ${ms(percentile(l.ms, 95))}, p99 ${ms(percentile(l.ms, 99))}, max ${ms(Math.max(...l.ms))} (n=${l.ms.length}${l.missing ? `, ${l.missing} never got status` : ''})`;
}

/** The reference rates (serial, then 16 at once, `budgetMs` each), each run's Services deleted after it. */
async function reference(core: CoreV1Api, prefix: string, budgetMs: number): Promise<{ serial: WriteRate; wide: WriteRate }> {
  const run = async (name: string, lanes: number): Promise<WriteRate> => {
    const r = await serviceWriteRate(core, REF_NS, `${prefix}${name}-`, 5000, lanes, budgetMs);
    await deleteAll(core, REF_NS, Array.from({ length: r.count }, (_, i) => `${prefix}${name}-${i}`), 16, performance.now() + 120_000);
    return r;
  };
  const serial = await run('serial', 1);
  const wide = await run('wide', 16);
  return { serial, wide };
}

const perSec = (r: WriteRate): string => `${r.writes.toFixed(0)} writes/s (${r.services.toFixed(0)} Services/s)`;

export async function benchControllerE2e(n = Number(process.env['HERALD_BENCH_SERVICES'] ?? 10_000)): Promise<{ rows: Row[] }> {
  const rows: Row[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'herald-ctl-bench-'));
  const server = await startApiServerChild();
  let ctl: ControllerProcess | undefined;
  let watch: StatusWatch | undefined;
  try {
    const kubeconfigFile = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigFile, server.kubeconfig);
    const kc = new PooledKubeConfig({ userAgent: BENCH_UA });
    kc.loadFromString(server.kubeconfig);
    const core = kc.makeApiClient(CoreV1Api);
    await applyObjects(kc, [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: REF_NS } },
      { apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name: 'bench', namespace: 'herald-system' }, spec: { addresses: ['2001:db8:1::/112'] } },
    ]);
    const bin = process.env['HERALD_BENCH_CONTROLLER_BIN'];
    const extra = (process.env['HERALD_BENCH_CONTROLLER_ARGS'] ?? '').split(' ').filter((a) => a !== '');
    const prof = process.env['HERALD_BENCH_CPU_PROF'];
    const limitNote = extra.some((a) => a.startsWith('--kube-api-qps')) ? `client limit ${extra.join(' ')}` : 'default client limit: none (--kube-api-qps=-1), so not the binding constraint';

    // 1. Idle.
    ctl = await startControllerProcess(kubeconfigFile, extra, prof, bin);
    const readyMs = await until('controller ready', 60_000, () => ctl!.ready());
    await sleep(2000);
    const idle = ctl.rss();

    // 2. Reference on the empty server.
    const ref0 = await reference(core, 'empty-', 3000);

    // 3. N Services: the first 1,000 as a burst, the rest from a serial creator.
    watch = new StatusWatch(kc, core, NS);
    await watch.start();
    const before = await server.counts();
    const names = Array.from({ length: n }, (_, i) => `s${i}`);
    const burstN = Math.min(1000, n);
    const deadline = performance.now() + 1_800_000;
    const burst = await createServices(core, NS, names.slice(0, burstN), { maxInFlight: 16, perSecond: Infinity, deadline });
    await watch.waitFor(burstN - burst.failed, 120_000);
    const burstLat = latencies(burst.sentAt, watch.seenAt);
    const burstSecs = (Math.max(...[...burst.sentAt.keys()].map((k) => watch!.seenAt.get(k) ?? -Infinity)) - Math.min(...burst.sentAt.values())) / 1000;
    const unsettled: string[] = [];
    const settle = async (what: string): Promise<void> => {
      await until(what, 60_000, () => settled(ctl!, 0)).catch(() => unsettled.push(what));
    };
    await settle('after the burst');
    const rss1k = ctl.rss();
    const t0 = performance.now();
    const serialRun = await createServices(core, NS, names.slice(burstN), { maxInFlight: 1, perSecond: Infinity, deadline });
    const all = await watch.waitFor(n - burst.failed - serialRun.failed, Math.max(1000, deadline - performance.now()));
    const lastSeen = Math.max(...watch.seenAt.values());
    await settle('after the serial part');
    await sleep(1500);
    const after = await server.counts();
    const mine = delta(before, after);
    const full = ctl.rss();
    const lat = latencies(serialRun.sentAt, watch.seenAt);
    const statusWrites = mine.get('service-status PATCH') ?? 0;
    const annotationWrites = mine.get('service PATCH') ?? 0;
    const events = (mine.get('event POST') ?? 0) + (mine.get('event PATCH') ?? 0);
    const serialStatus = [...serialRun.sentAt.keys()].map((k) => watch!.seenAt.get(k)).filter((x): x is number => x !== undefined);
    const runSecs = (lastSeen - t0) / 1000;

    // Reference again, with the N Services in the server.
    const refN = await reference(core, 'full-', 4000);

    rows.push({ what: 'controller start on an empty cluster: time to ready', value: ms(readyMs), target: '-' });
    rows.push({ what: 'reference: API server write rate for the Service write mix (create + status + annotation), empty server: 1 client serial / 16 in flight', value: `${perSec(ref0.serial)} / ${perSec(ref0.wide)}`, target: '-' });
    rows.push({ what: `reference: the same with ${n} Services stored (the embedded server's Service create and update cost grows with the Services it holds)`, value: `${perSec(refN.serial)} / ${perSec(refN.wide)}`, target: '-' });
    rows.push({
      what: `burst: Services 1-${burstN} created 16 at a time as fast as the server takes them (creates compete with the controller's writes); ${limitNote}`,
      value: `all have status ${burstSecs.toFixed(1)} s after the first create; ${summaryLine(burstLat)}`,
      target: '-',
    });
    rows.push({
      what: `${n - burstN} more Services (${burstN + 1}-${n}) from a serial creator (1 create in flight: the API server's pace, which the controller's 2 writes per Service share); ${limitNote}: created -> status seen by a watch`,
      value: `${summaryLine(lat)}${all ? '' : ', TIMED OUT'}`,
      target: 'p50 < 200 ms, p99 < 1 s',
    });
    rows.push({
      what: 'status writes per second during the serial part (average / peak in any 1 s)',
      value: `${(serialStatus.length / runSecs).toFixed(0)}/s / ${peakPerSecond(serialStatus)}/s (${serialStatus.length} in ${runSecs.toFixed(1)} s)`,
      target: `the creation pace, ${(serialRun.sent / (serialRun.elapsedMs / 1000)).toFixed(0)} creates/s`,
    });
    rows.push({
      what: `controller writes per Service, all ${n} (counted by the API server): status + annotation`,
      value: `${((statusWrites + annotationWrites) / n).toFixed(2)} (status ${(statusWrites / n).toFixed(2)}, annotation ${(annotationWrites / n).toFixed(2)}); Events ${(events / n).toFixed(2)} (IPAllocated); every write: ${writeList(mine)}`,
      target: '2 (1 status + 1 annotation)',
    });
    if (unsettled.length) rows.push({ what: 'WARNING: the controller still had work queued 60 s after', value: unsettled.join(', '), target: '-' });

    // 4. Restart on N settled Services.
    await ctl.stop();
    ctl = undefined;
    const beforeRestart = await server.counts();
    const restarted = await startControllerProcess(kubeconfigFile, extra, prof, bin);
    ctl = restarted;
    const restartReady = await until('restarted controller ready', 120_000, () => restarted.ready());
    const restartSettled = await until('restarted controller settled', 120_000, () => settled(restarted, n));
    await sleep(2000);
    const restartWrites = delta(beforeRestart, await server.counts());
    const restartRss = restarted.rss();
    rows.push({
      what: `controller restart on ${n} settled Services: time to ready / until all decided again; writes made`,
      value: `${ms(restartReady)} / ${ms(restartReady + restartSettled)}; ${sumWrites(restartWrites)} writes (${writeList(restartWrites)})`,
      target: '0 writes',
    });
    const perK = (r: Rss): string => (n >= 1000 ? `, ${(((r.rss - idle.rss) * 1000) / n).toFixed(1)} MB per 1k Services` : '');
    rows.push({ what: 'controller memory idle (no Services)', value: fmtRss(idle), target: '<= 90 MB VmRSS' });
    rows.push({ what: 'controller memory at 1,000 Services (after the burst, settled)', value: fmtRss(rss1k), target: '<= 10 MB per 1k Services' });
    rows.push({ what: `controller memory at ${n} Services (settled) / after a restart on them`, value: `${fmtRss(full)}${perK(full)} / ${fmtRss(restartRss)}`, target: '<= 10 MB per 1k Services' });
    return { rows };
  } finally {
    await watch?.stop().catch(() => undefined);
    await ctl?.stop();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
