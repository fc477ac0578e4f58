// BGP at scale (area "BGP scale", DESIGN §8): the lab with 4 BGP sessions per node (one BIRD
// standing in for 4 routers), IPv4 and IPv6 routes, no kube-proxy stand-in. 100 BGP Services
// first, then the rest up to 10,000 (mostly IPv6 /128s from 2001:db8:0:3:1::/112, 200 IPv4 /32s
// from 203.0.113.32-231), each with a ready backend on every node, created as fast as the API
// server takes them: the time from the last create until BIRD holds every prefix from all 3 nodes
// on all 4 sessions (goal <= 15 s). Beside it, measured in the same run: BIRD (same config, in its
// own namespaces) ingesting the same prefixes from GoBGP, the ceiling. And one Service created
// with 100, then with 10,000 already there, until its /128 has all 12 paths (n = 20 each; goal
// p50 < 100 ms, p99 < 300 ms, flat from 100 to 10k). Then the API server is restarted under the
// settled lab: time to resync, and the route updates and writes it cost (goal 0; api-restart.ts).
// Knobs: HERALD_BGP_SCALE_N (default 10000), HERALD_BENCH_QUICK=1 (500 Services, 5 trials).
// Run time: about 8 minutes (bounded: 3 minutes for the RIB to fill, 10 s per trial).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { ANNOTATION_LOAD_BALANCER_IPS, IP, createLogger } from '@herald/shared';
import { whyCannotRun } from '@herald/testkit';
import { applyObjects, BirdRouter, Lab, routerBgpAddresses, sitePlan, type SitePlan } from '@herald/lab';
import { waitFor } from '../harness/wait.js';
import { quickMode, intList } from './bench-env.js';
import { ribCount, pathCount, untilRib, type RibCount } from './bird-rib.js';
import { burstService, burstSlice, createBurst, describeCreate, type BurstSpec } from './burst.js';
import { gobgpCeiling, type CeilingResult } from './gobgp-ceiling.js';
import { CpuShareWindow, describeCpuShare } from './cpu-share.js';
import { apiServerRestart, describeRestart, type RestartOutcome } from './api-restart.js';
import { L2Tracker } from './l2-tracker.js';
import { heraldMemory } from './load-site.js';
import { describeRss } from './proc-status.js';
import { percentile, summary } from '@herald/bench/stats';

interface Row {
  what: string;
  value: string;
  target: string;
}

const NS = 'scale';
const POOLS = { scale4: '203.0.113.32-203.0.113.231', scale6: '2001:db8:0:3:1::/112', lat6: '2001:db8:0:3:2::/120' } as const;
const LAT: BurstSpec = { namespace: NS, prefix: 'lat', count: 0, ipv4: 0, pool4: 'scale4', pool6: 'lat6' };

/** One Service (its slice first), clock from its create until its /128 has `want` paths in BIRD. */
async function latencyTrial(lab: Lab, router: BirdRouter, i: number, want: number): Promise<number | undefined> {
  const kc = lab.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const ip = IP.fromBigInt(6, IP.parse('2001:db8:0:3:2::').value + BigInt(i + 1)).toString();
  const svc = burstService(LAT, i);
  svc.metadata!.annotations = { ...svc.metadata!.annotations, [ANNOTATION_LOAD_BALANCER_IPS]: ip };
  await discovery.createNamespacedEndpointSlice({ namespace: NS, body: burstSlice(lab.plan, LAT, i) });
  const t0 = Date.now();
  await core.createNamespacedService({ namespace: NS, body: svc });
  let ms: number | undefined;
  for (let k = 0; k < 10_000 && Date.now() - t0 < 10_000; k++) {
    if ((await pathCount(router, `${ip}/128`).catch(() => 0)) >= want) {
      ms = Date.now() - t0;
      break;
    }
  }
  await core.deleteNamespacedService({ name: svc.metadata!.name!, namespace: NS });
  await discovery.deleteNamespacedEndpointSlice({ name: `${svc.metadata!.name!}-1`, namespace: NS });
  await waitFor(`${ip}/128 withdrawn`, async () => ((await pathCount(router, `${ip}/128`)) === 0 ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 }).catch(() => undefined);
  return ms;
}

interface Phase {
  readonly services: number;
  readonly latencies: number[];
  readonly misses: number;
}

async function latencies(lab: Lab, router: BirdRouter, services: number, first: number, trials: number, want: number): Promise<Phase> {
  const out: number[] = [];
  let misses = 0;
  for (let t = 0; t < trials; t++) {
    const ms = await latencyTrial(lab, router, first + t, want);
    if (ms === undefined) misses++;
    else out.push(ms);
  }
  return { services, latencies: out, misses };
}

export async function benchBgpScale(): Promise<{ rows: Row[] }> {
  const why = whyCannotRun({ root: true, tools: ['bird', 'birdc', 'gobgpd', 'gobgp'] });
  if (why) {
    process.stderr.write(`\n!!! SKIPPED BGP scale bench: ${why}\n\n`);
    return { rows: [{ what: 'BGP scale (lab)', value: `SKIPPED: ${why}`, target: '<= 15 s' }] };
  }
  const quick = quickMode();
  const total = intList('HERALD_BGP_SCALE_N', [quick ? 500 : 10_000])[0]!;
  const base = Math.min(100, Math.floor(total / 2));
  const trials = quick ? 5 : 20;
  const plan: SitePlan = sitePlan({ prefix: `hls${process.pid % 100000}`, router: 'bird', nodes: 3, bgpSessions: 4, ipv6Routes: true, kubeProxy: false });
  const paths = plan.nodes.length * routerBgpAddresses(plan).length;
  const spec: BurstSpec = { namespace: NS, prefix: 's', count: total, ipv4: Math.min(200, Math.floor(total / 50)), pool4: 'scale4', pool6: 'scale6' };
  const progress = createLogger({ component: 'bench-bgp-scale', level: 'info' });
  const dir = mkdtempSync(join(tmpdir(), 'herald-bgpscale-'));
  const rows: Row[] = [];
  let lab: Lab | undefined;
  let hosts: IP[] = [];
  let tracker: L2Tracker | undefined;
  try {
    lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'error' }), { persist: false });
    const router = lab.routerDriver();
    if (!(router instanceof BirdRouter)) throw new Error('the BGP scale bench needs BIRD as the router');
    const kc = lab.kubeConfig();
    await applyObjects(kc, [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
      ...Object.entries(POOLS).map(([name, range]) => ({ apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace: plan.namespace }, spec: { addresses: [range], autoAssign: false } })),
      { apiVersion: 'herald.dev/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'scale', namespace: plan.namespace }, spec: { ipAddressPools: Object.keys(POOLS) } },
    ]);
    await waitFor(`${paths} BGP sessions established`, async () => ((await router.sessions()).filter((s) => s.state === 'established').length === paths ? true : undefined), { timeoutMs: 90_000, intervalMs: 500 });
    // The lab's own Services are announced first, so the counts below start from a settled RIB.
    await new Promise((r) => setTimeout(r, 3000));
    const rib0 = await ribCount(router);
    const want = (n: number): RibCount => ({ networks: rib0.networks + n, routes: rib0.routes + n * paths });

    const a = await createBurst(kc, plan, { ...spec, count: base }, { budgetMs: 60_000 });
    const aIn = await untilRib(router, want(base), Date.now() + 120_000);
    if (aIn.at === undefined) throw new Error(`BIRD never held the first ${base} Services: ${JSON.stringify(aIn.last)} of ${JSON.stringify(want(base))} (${describeCreate(a)})`);
    const small = await latencies(lab, router, base, 0, trials, paths);
    progress.info('bgp-scale-small', { services: base, p50: percentile(small.latencies, 50) });

    tracker = new L2Tracker(kc, NS, plan.namespace);
    await tracker.start();
    const cpu = new CpuShareWindow(lab);
    const b = await createBurst(kc, plan, spec, { budgetMs: quick ? 60_000 : 300_000, from: base });
    const lastCreate = Math.max(b.services.lastAt, b.slices.lastAt);
    progress.info('bgp-scale-created', { services: total, ms: b.slices.elapsedMs + b.services.elapsedMs });
    const made = base + b.services.created;
    const ribDeadline = lastCreate + (quick ? 60_000 : 180_000);
    const ipP = tracker.until((t) => t.withIp() >= made, ribDeadline);
    const bIn = await untilRib(router, want(made), ribDeadline, 250);
    const ipAt = await ipP;
    const share = cpu.end();
    const withIp = tracker.withIp();
    progress.info('bgp-scale-rib', { reachedMs: bIn.at === undefined ? null : bIn.at - lastCreate, last: bIn.last });
    const large = bIn.at === undefined ? undefined : await latencies(lab, router, made, trials, trials, paths);
    const mem = heraldMemory(lab);
    // The settled lab lives through an API server restart: nothing may be re-sent or re-written.
    const restart = bIn.at === undefined ? undefined : await apiServerRestart(lab, router, { budgetMs: 180_000, settleMs: 10_000, quietMs: 5_000 }).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    const svcs = await kc.makeApiClient(CoreV1Api).listNamespacedService({ namespace: NS });
    hosts = fillHosts(svcs.items.flatMap((s) => (s.status?.loadBalancer?.ingress ?? []).flatMap((x) => (x.ip ? [IP.parse(x.ip)] : []))), spec.ipv4, made);
    const w = want(made);
    const fam = `${spec.ipv4} IPv4 /32s, ${made - spec.ipv4} IPv6 /128s`;
    rows.push(
      { what: `BGP scale: ${made.toLocaleString('en')} BGP Services (${fam}), ${b.services.created.toLocaleString('en')} of them created as fast as the API server takes them on top of ${base}`, value: describeCreate(b), target: '-' },
      {
        what: `BGP scale: last create -> every prefix in BIRD's RIB from all ${plan.nodes.length} nodes on all ${routerBgpAddresses(plan).length} sessions`,
        value: `${bIn.at === undefined ? `not reached in ${quick ? 60 : 180} s: BIRD held ${bIn.last.networks} of ${w.networks} networks, ${bIn.last.routes} of ${w.routes} paths` : `${((bIn.at - lastCreate) / 1000).toFixed(1)} s (${w.networks} networks, ${w.routes} paths)`}; every Service with an IP (the controller's part): ${ipAt === undefined ? `not reached, ${withIp} of ${made}` : `${((ipAt - lastCreate) / 1000).toFixed(1)} s`}`,
        target: '<= 15 s',
      },
      { what: `BGP scale: where the CPU went, first create -> every prefix in BIRD (2 cores; the embedded API server runs in the bench process)`, value: describeCpuShare(share), target: 'the ceiling: the API server loop near 100% busy' },
      latencyRow(small, paths),
      large ? latencyRow(large, paths) : { what: `BGP scale: one Service created with ${made.toLocaleString('en')} there -> its /128 in BIRD from all ${paths} sessions`, value: 'not measured: the RIB never held the burst', target: 'p50 < 100 ms, p99 < 300 ms' },
      ...restartRows(restart, made),
      { what: `BGP scale: memory with ${made.toLocaleString('en')} BGP Services, 4 peers per speaker`, value: [...mem].map(([r, m]) => `${r} ${describeRss(m)}`).join('; '), target: '<= 90 MB; <= 10 MB per 1k Services' },
    );
  } catch (err) {
    rows.push({ what: 'BGP scale (lab)', value: `FAILED: ${err instanceof Error ? err.message : String(err)}`, target: '-' });
  } finally {
    await tracker?.stop().catch(() => undefined);
    await lab?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  if (hosts.length) rows.push(ceilingRow(await gobgpCeiling(plan, `hlg${process.pid % 100000}`, hosts, 180_000).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))), hosts.length));
  return { rows };
}

/**
 * The reference's prefixes: the IPs the Services got, topped up (if the controller had not
 * given every Service one) with the pools' next free addresses, so GoBGP carries as many.
 */
function fillHosts(got: readonly IP[], ipv4: number, want: number): IP[] {
  const have = new Set(got.map((x) => x.toString()));
  const out = [...got];
  const next = (base: IP, limit: number, fam: 4 | 6): void => {
    for (let i = 0n, k = 0; k < limit && out.length < want && i < 100_000n; i++) {
      const ip = IP.fromBigInt(fam, base.value + i);
      if (have.has(ip.toString())) continue;
      out.push(ip);
      k++;
    }
  };
  next(IP.parse('203.0.113.32'), Math.max(0, ipv4 - got.filter((x) => x.family === 4).length), 4);
  next(IP.parse('2001:db8:0:3:1::'), want, 6);
  return out;
}

function restartRows(x: RestartOutcome | Error | undefined, n: number): Row[] {
  const what = `BGP scale: API server restart (kill, start over the same storage) with ${n.toLocaleString('en')} settled BGP Services`;
  if (x === undefined) return [{ what, value: 'not measured: the RIB never held the burst', target: '-' }];
  if (x instanceof Error) return [{ what, value: `FAILED: ${x.message}`, target: '-' }];
  const d = describeRestart(x);
  return [
    { what: `${what}: kill -> every informer of the controller and the speakers listed and watching again`, value: d.resync, target: '-' },
    { what: `${what}: what the components changed for it`, value: d.changes, target: '0 UPDATEs, 0 writes' },
  ];
}

function latencyRow(p: Phase, paths: number): Row {
  const xs = p.latencies;
  const p99 = xs.length ? `p50 ${percentile(xs, 50).toFixed(0)} ms, p99 ${percentile(xs, 99).toFixed(0)} ms (of ${xs.length}, so the max); ` : '';
  return {
    what: `BGP scale: one Service created with ${p.services.toLocaleString('en')} there -> its /128 in BIRD from all ${paths} sessions (BIRD polled back to back)`,
    value: `${p99}${summary(xs, 'never seen')}, ${p.misses} missed`,
    target: 'p50 < 100 ms, p99 < 300 ms; flat from 100 to 10k',
  };
}

function ceilingRow(c: CeilingResult | Error, n: number): Row {
  const what = `BGP scale reference: BIRD (same config) ingesting ${n.toLocaleString('en')} prefixes (the Services' IPs, topped up from the same pools if some had none) from GoBGP, 3 nodes x 4 sessions, routes handed to GoBGP (sessions up) -> all in its RIB`;
  if (c instanceof Error) return { what, value: `FAILED: ${c.message}`, target: 'reference' };
  const held = c.loaded.every((x) => x === n) ? '' : `; GoBGP held ${c.loaded.join(', ')} routes, not ${n} each`;
  const v = c.ms === undefined ? `not reached: ${c.last.networks} of ${c.want.networks} networks, ${c.last.routes} of ${c.want.routes} paths${held}` : `${(c.ms / 1000).toFixed(1)} s (${c.want.networks} networks, ${c.want.routes} paths)${held}`;
  return { what, value: v, target: 'reference (the ceiling)' };
}
