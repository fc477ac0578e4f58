// The chaos runner (issue 14 item 1): brings up a lab of its own (unique namespaces, deleted at
// the end), starts the instruments (the client's HTTP probes, the router-side ARP/NDP watcher,
// the API poller, liveness and memory sampling), plays the seeded schedule through the fault
// catalogue, checks the invariants live after each fault's quiet window, and at the end over the
// whole run, and writes the report (chaos.md, chaos.svg, chaos.json). Every loop is bounded by
// the schedule's length and the run's deadline.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { mergePatch, type Logger } from '@herald/shared';
import { Lab, applyObjects, endpointSlice, sitePlan, siteNamespaces, type SitePlan } from '@herald/lab';
import { L2Watch } from '../bench/l2-watch.js';
import { rssOf } from '../bench/proc-status.js';
import { ApiPoller } from './api-poller.js';
import { inject, type ChaosSite } from './faults.js';
import { HttpProber } from './http-prober.js';
import { crashes, ipChanges, sharedIps, statusAgreement, twoMacs } from './invariants.js';
import { memoryTrends, memoryViolations } from './memory-trend.js';
import { INVARIANTS, iso, macToNode, type ApiSnapshot, type FaultWindow, type Invariant, type ProcessExit, type RssSample, type Violation } from './observations.js';
import { CONTROL_PREFIX, CONTROL_SLACK_MS, MIN_FAILED_RUN, outages } from './outages.js';
import { enforcedViolations, markdownReport, type ChaosResult } from './report.js';
import { chaosSchedule, describeFault, type FaultKind, type ScheduledFault } from './schedule.js';
import { timelineSvg } from './timeline-svg.js';

export interface ChaosOptions {
  readonly seed: number;
  readonly durationMs: number;
  readonly kinds: readonly FaultKind[];
  /** Where the report goes (created). */
  readonly outDir: string;
  readonly router?: 'bird' | 'frr';
  /** BFD 300 ms x 3 on the BGP sessions: the BGP bound becomes 1 s instead of the hold timer. */
  readonly bfd?: boolean;
  /** Invariants whose violations fail the run (default: all). */
  readonly enforced?: readonly Invariant[];
  readonly log: Logger;
  /** Keep the lab's directory (every component's log) instead of deleting it. */
  readonly keepLabDir?: boolean;
}

export interface ChaosOutcome {
  readonly result: ChaosResult;
  readonly files: { readonly md: string; readonly svg: string; readonly json: string };
  readonly labDir: string;
}

export const L2_BOUND_MS = 1000;
/** The lab's BGP hold time (lab/src/site: 9 s on both sides). */
export const HOLD_TIMER_MS = 9000;
export const CHURN_SERVICE = 'chaos-churn';
const CHURN_PORT = 8081;
const STATUS_TOLERANCE_MS = 1000;
const SERVICE_NAMESPACE = 'demo';

function churnService(name: string, pool: 'lab-l2' | 'lab-bgp', etp: 'Cluster' | 'Local'): { apiVersion: string; kind: string; metadata: { name: string; namespace: string; annotations: Record<string, string> }; spec: Record<string, unknown> } {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: SERVICE_NAMESPACE, annotations: { 'herald.dev/address-pool': pool } },
    spec: { type: 'LoadBalancer', selector: { app: name }, externalTrafficPolicy: etp, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: CHURN_PORT }] },
  };
}

/** The ChaosSite over a Lab and the API, with the latest API read for owners. */
function labSite(lab: Lab, plan: SitePlan, poller: ApiPoller): ChaosSite {
  const kc = lab.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const disc = kc.makeApiClient(DiscoveryV1Api);
  const backends = new Map<string, readonly string[]>(plan.services.map((s) => [s.name, s.backendNodes]));
  const view = (service: string): ApiSnapshot['services'][number] | undefined => poller.latest?.services.find((s) => s.name === service);
  return {
    speaker: (node, action) => lab.speaker(node, action),
    link: (node, up) => lab.link(node, up),
    restartController: () => lab.restartController(),
    restartApiServer: async (stallMs) => void (await lab.restartApiServer({ stallMs })),
    stopRouter: async () => lab.routerDriver()?.stop(),
    startRouter: async () => lab.routerDriver()?.start(),
    ownerOf: (service) => {
      const nodes = [...new Set((poller.latest?.l2 ?? []).filter((x) => x.service === service).map((x) => x.node))];
      return nodes.length === 1 ? nodes[0] : undefined;
    },
    nodes: () => plan.nodes.map((n) => n.name),
    createTempService: async (name) => applyObjects(kc, [churnService(name, 'lab-l2', 'Cluster'), endpointSlice(plan, name, CHURN_PORT, plan.nodes.map((n) => n.name))]),
    deleteTempService: async (name) => {
      await core.deleteNamespacedService({ name, namespace: SERVICE_NAMESPACE });
      await disc.deleteNamespacedEndpointSlice({ name: `${name}-lab`, namespace: SERVICE_NAMESPACE });
    },
    setPool: async (service, pool) => void (await core.patchNamespacedService({ name: service, namespace: SERVICE_NAMESPACE, body: { metadata: { annotations: { 'herald.dev/address-pool': pool } } } }, mergePatch)),
    setEtp: async (service, etp) => void (await core.patchNamespacedService({ name: service, namespace: SERVICE_NAMESPACE, body: { spec: { externalTrafficPolicy: etp } } }, mergePatch)),
    poolOf: (service) => (view(service)?.pool === 'lab-bgp' ? 'lab-bgp' : 'lab-l2'),
    etpOf: (service) => (view(service)?.etp === 'Local' ? 'Local' : 'Cluster'),
    scale: async (service, nodes) => {
      await lab.scale(service, nodes);
      backends.set(service, nodes);
    },
    backendsOf: (service) => backends.get(service) ?? [],
  };
}

const v4 = (ip: string): boolean => !ip.includes(':');

export async function runChaos(opts: ChaosOptions): Promise<ChaosOutcome> {
  const log = opts.log;
  const plan = sitePlan({ prefix: `hch${process.pid % 100000}`, router: opts.router ?? 'bird', nodes: 3, ...(opts.bfd ? { bfd: true } : {}) });
  const ns = siteNamespaces(plan);
  const labDir = mkdtempSync(join(tmpdir(), 'herald-chaos-'));
  const bgpBound = opts.bfd ? 1000 : HOLD_TIMER_MS;
  const schedule = chaosSchedule({
    seed: opts.seed,
    durationMs: opts.durationMs,
    kinds: opts.kinds,
    nodes: plan.nodes.map((n) => n.name),
    l2Services: plan.services.filter((s) => s.mode === 'l2').map((s) => s.name),
    sliceServices: plan.services.map((s) => s.name),
    churnService: CHURN_SERVICE,
    recoveryBoundMs: Math.max(L2_BOUND_MS, bgpBound),
  });
  log.info('chaos-schedule', { seed: opts.seed, faults: schedule.length, list: schedule.map((s) => `${(s.at / 1000).toFixed(1)}s ${describeFault(s.fault)}`) });
  const notes: string[] = [];
  const windows: FaultWindow[] = [];
  const exits: ProcessExit[] = [];
  const rss: RssSample[] = [];
  const nodeOfMac = macToNode(plan.nodes);
  let lab: Lab | undefined;
  let watch: L2Watch | undefined;
  let prober: HttpProber | undefined;
  let poller: ApiPoller | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let startedAt = Date.now();
  let endedAt = startedAt;
  try {
    lab = await Lab.start(plan, labDir, log.child({ component: 'lab' }));
    const labNow = lab;
    await applyObjects(lab.kubeConfig(), [churnService(CHURN_SERVICE, 'lab-l2', 'Cluster'), endpointSlice(plan, CHURN_SERVICE, CHURN_PORT, plan.nodes.map((n) => n.name))]);
    poller = new ApiPoller(lab.kubeConfig(), SERVICE_NAMESPACE, plan.namespace);
    watch = await L2Watch.start(ns.router, { ip4: plan.router.ip4, ip6: plan.router.ip6 });
    prober = await HttpProber.start(ns.client);
    const pollerNow = poller;
    const proberNow = prober;
    const watchNow = watch;
    let watched = '';
    const controlPort = plan.services.find((x) => x.name === 'web-l2')?.targetPort ?? CHURN_PORT;
    const controls = plan.nodes.map((n) => ({ service: `${CONTROL_PREFIX}${n.name}`, ip: n.ip4, port: controlPort }));
    const follow = (s: ApiSnapshot): void => {
      // Probe every Service IP over HTTP (IPv4: the lab's Services are IPv4), and watch every L2 IP.
      // Beside them, the control probes: each node's backend straight (outages.ts, CONTROL_PREFIX).
      proberNow.setTargets([...s.services.flatMap((v) => v.ips.filter(v4).map((ip) => ({ service: v.name, ip }))), ...controls]);
      const l2 = s.services.filter((v) => v.mode === 'l2').flatMap((v) => v.ips).sort();
      if (l2.join() !== watched) {
        watched = l2.join();
        watchNow.watch(l2, 100);
      }
    };
    // Ready: every Service has an IP, every L2 one an owner, and every probe target answers.
    const readyBy = Date.now() + 90_000;
    for (let i = 0; i < 1000 && Date.now() < readyBy; i++) {
      const s = await pollerNow.read();
      if (s) follow(s);
      const l2Owned = s?.services.filter((v) => v.mode === 'l2').every((v) => s.l2.some((x) => x.service === v.name)) ?? false;
      const recent = proberNow.probes.filter((p) => p.t > Date.now() - 500);
      const targets = new Set(s?.services.flatMap((v) => v.ips.filter(v4).map((ip) => `${v.name} ${ip}`)) ?? []);
      const okTargets = new Set(recent.filter((p) => p.ok).map((p) => `${p.service} ${p.ip}`));
      if (s && s.services.length >= plan.services.length + 1 && s.services.every((v) => v.ips.length > 0) && l2Owned && targets.size > 0 && [...targets].every((t) => okTargets.has(t))) break;
      await sleep(250);
    }
    const first = pollerNow.latest;
    if (!first || !first.services.every((v) => v.ips.length > 0)) throw new Error(`the lab did not settle in 90 s: ${JSON.stringify(first?.services.map((v) => [v.name, v.ips]))}`);
    startedAt = Date.now();
    log.info('chaos-start', { seed: opts.seed, durationMs: opts.durationMs, faults: schedule.length, services: first.services.map((v) => `${v.name} ${v.ips.join(',')} ${v.mode}`) });
    pollerNow.start(250);
    const roles = ['controller', 'api-forward', ...plan.nodes.map((n) => `speaker-${n.name}`), ...plan.nodes.filter((n) => plan.services.some((s) => s.backendNodes.includes(n.name))).map((n) => `backend-${n.name}`)];
    const down = new Set<string>();
    let tick = 0;
    sampler = setInterval(() => {
      tick++;
      const s = pollerNow.latest;
      if (s) follow(s);
      for (const role of roles) {
        const pid = labNow.pid(role);
        if (pid === undefined) {
          if (!down.has(role)) {
            down.add(role);
            exits.push({ t: Date.now(), role, why: labNow.whyNotRunning(role).split('\n').slice(0, 4).join(' | ') });
          }
          continue;
        }
        down.delete(role);
        if (tick % 10 === 0) {
          try {
            rss.push({ t: Date.now(), role, pid, mb: rssOf(pid, role).vmRssMb });
          } catch {
            // The process went away between the pid and the read: the liveness check sees it.
          }
        }
      }
    }, 500);
    const site = labSite(labNow, plan, pollerNow);
    const printed = new Set<string>();
    const live = (w: FaultWindow): void => {
      const vs = checkAll({ windows, from: w.inject, to: w.end });
      for (const v of vs) {
        const k = `${v.invariant} ${v.t} ${v.detail}`;
        if (printed.has(k)) continue;
        printed.add(k);
        log.warn('chaos-violation', { invariant: v.invariant, at: iso(v.t), fault: v.fault, detail: v.detail });
      }
    };
    const checkAll = (r: { windows: readonly FaultWindow[]; from: number; to: number }): Violation[] => {
      const l2Ips = [...new Set(pollerNow.snapshots.flatMap((s) => s.services.filter((v) => v.mode === 'l2').flatMap((v) => v.ips)))];
      const inRange = <T extends { t: number }>(xs: readonly T[]): T[] => xs.filter((x) => x.t >= r.from && x.t < r.to);
      const snaps = pollerNow.snapshots;
      const boundOf = boundFor(snaps, bgpBound);
      return [
        ...twoMacs(l2Ips, watchNow.rounds, watchNow.answers, r.windows, r.from, r.to),
        ...inRange(ipChanges(snaps, r.windows)),
        ...inRange(sharedIps(snaps, r.windows)),
        ...outages(proberNow.probes, r.windows.filter((w) => w.inject >= r.from && w.inject < r.to), snaps, boundOf).violations,
        ...statusAgreement({ snapshots: snaps, answers: watchNow.answers, nodeOfMac, from: r.from, to: r.to, toleranceMs: STATUS_TOLERANCE_MS, answerTtlMs: 350, stepMs: 100 }, r.windows),
        ...inRange(crashes(exits, r.windows, 2000)),
      ];
    };
    const deadline = startedAt + opts.durationMs + 120_000;
    for (const sf of schedule) {
      if (Date.now() > deadline) {
        notes.push(`stopped before fault #${sf.index}: past the run's deadline`);
        break;
      }
      await sleep(Math.max(0, startedAt + sf.at - Date.now()));
      const prev = windows[windows.length - 1];
      const w = await play(site, sf, log);
      if (prev) {
        windows[windows.length - 1] = { ...prev, end: w.inject };
        live(windows[windows.length - 1]!);
      }
      windows.push(w);
      if (w.error) notes.push(`fault #${w.index} ${w.label}: ${w.error}`);
    }
    await sleep(Math.max(0, startedAt + opts.durationMs - Date.now()));
    endedAt = Date.now();
    const lastW = windows[windows.length - 1];
    if (lastW) {
      windows[windows.length - 1] = { ...lastW, end: endedAt };
      live(windows[windows.length - 1]!);
    }
    clearInterval(sampler);
    sampler = undefined;
    pollerNow.stop();

    const all = checkAll({ windows, from: startedAt, to: endedAt });
    // Herald's own components; the backends and the API forwarder are the lab's stand-ins.
    const trends = memoryTrends(rss, undefined, (role) => role === 'controller' || role.startsWith('speaker-'));
    const violations = [...all, ...memoryViolations(trends, rss, windows)].sort((a, b) => a.t - b.t);
    const outs = outages(proberNow.probes, windows, pollerNow.snapshots, boundFor(pollerNow.snapshots, bgpBound)).outages;
    const inRun = proberNow.probes.filter((p) => p.t >= startedAt && p.t < endedAt);
    const controlFailed = inRun.filter((p) => p.service.startsWith(CONTROL_PREFIX) && !p.ok).length;
    const excused = outs.reduce((n, o) => n + o.excused, 0);
    const selfStalled = inRun.filter((p) => p.stalled).length;
    const blips = outs.reduce((n, o) => n + o.blips, 0);
    notes.push(`control probes (each node's backend, no Service IP): ${inRun.filter((p) => p.service.startsWith(CONTROL_PREFIX)).length} sent, ${controlFailed} failed; ${excused} Service probe failures fell within ${CONTROL_SLACK_MS} ms of one and were excused (the machine, not Herald); ${selfStalled} probes failed while the client's own event loop stalled (excused too); ${blips} failed after a bound in runs shorter than ${MIN_FAILED_RUN} (blips, not (d))`);
    if (proberNow.dropped) notes.push(`${proberNow.dropped} HTTP probe outcomes dropped (memory bound)`);
    if (watchNow.droppedReports) notes.push(`${watchNow.droppedReports} watcher reports dropped (memory bound)`);
    if (pollerNow.failedReads) notes.push(`${pollerNow.failedReads} of ${pollerNow.reads} API reads failed or took over 1 s (the API server restarting or stalled)`);
    if (watchNow.errors.length) notes.push(`watcher errors: ${watchNow.errors.slice(-3).join(' | ')}`);
    const result: ChaosResult = {
      seed: opts.seed,
      startedAt,
      endedAt,
      faultKinds: opts.kinds,
      windows,
      outages: outs,
      violations,
      memory: trends,
      enforced: opts.enforced ?? (Object.keys(INVARIANTS) as Invariant[]),
      counts: {
        httpProbes: inRun.length,
        httpFailed: inRun.filter((p) => !p.ok).length,
        watcherRounds: watchNow.rounds.filter((t) => t >= startedAt && t < endedAt).length,
        watcherAnswers: watchNow.answers.filter((a) => a.t >= startedAt && a.t < endedAt).length,
        apiSnapshots: pollerNow.snapshots.filter((s) => s.t >= startedAt && s.t < endedAt).length,
        rssSamples: rss.length,
      },
      notes,
    };
    mkdirSync(opts.outDir, { recursive: true });
    const files = { md: join(opts.outDir, 'chaos.md'), svg: join(opts.outDir, 'chaos.svg'), json: join(opts.outDir, 'chaos.json') };
    writeFileSync(files.md, markdownReport(result));
    const held = new Map<string, { ip: string; from: number; to: number }>();
    for (const snap of pollerNow.snapshots) for (const v of snap.services) if (v.mode === 'l2') for (const ip of v.ips) held.set(ip, { ip, from: held.get(ip)?.from ?? snap.t, to: snap.t });
    // Held until the next read that no longer shows it (or the end).
    for (const h of held.values()) h.to = pollerNow.snapshots.find((x) => x.t > h.to)?.t ?? endedAt;
    const l2Ips = [...held.values()].sort((a, b) => (a.ip < b.ip ? -1 : 1));
    writeFileSync(files.svg, timelineSvg({ startedAt, endedAt, seed: opts.seed, windows, probes: inRun, answers: watchNow.answers.filter((a) => a.t >= startedAt && a.t < endedAt), l2Ips, nodes: plan.nodes.map((n) => n.name), nodeOfMac, violations }));
    writeFileSync(files.json, JSON.stringify({ ...result, schedule, apiSnapshots: pollerNow.snapshots, failedProbes: inRun.filter((p) => !p.ok).slice(0, 100_000) }, null, 1));
    log.info('chaos-done', { faults: windows.length, violations: violations.length, enforced: enforcedViolations(result).length, report: files.md });
    return { result, files, labDir };
  } finally {
    if (sampler) clearInterval(sampler);
    poller?.stop();
    await prober?.stop().catch(() => undefined);
    await watch?.stop().catch(() => undefined);
    await lab?.stop().catch((err: unknown) => log.warn('lab-stop-failed', { err }));
    if (!opts.keepLabDir) rmSync(labDir, { recursive: true, force: true });
  }
}

/** A Service's bound: L2 1 s; BGP the hold timer (or 1 s with BFD), by its mode at `at`. */
function boundFor(snaps: readonly ApiSnapshot[], bgpBound: number): (service: string, at: number) => number {
  return (service, at) => {
    let mode: string | undefined;
    for (const s of snaps) {
      if (s.t > at) break;
      mode = s.services.find((v) => v.name === service)?.mode ?? mode;
    }
    return mode === 'bgp' ? bgpBound : L2_BOUND_MS;
  };
}

/** Injects one fault, holds it, heals it; errors are kept on the window, never thrown. */
async function play(site: ChaosSite, sf: ScheduledFault, log: Logger): Promise<FaultWindow> {
  const t0 = Date.now();
  let label = describeFault(sf.fault);
  let downRoles: readonly string[] = [];
  let cutNode: string | undefined;
  let error: string | undefined;
  let heal = t0;
  try {
    const applied = await inject(site, sf.fault, sf.index);
    label = applied.label;
    downRoles = applied.downRoles;
    cutNode = applied.cutNode;
    log.info('chaos-inject', { index: sf.index, fault: label, ms: Date.now() - t0 });
    await sleep(sf.holdMs);
    heal = Date.now();
    await applied.heal();
    log.info('chaos-heal', { index: sf.index, fault: label });
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
    heal = Date.now();
    log.warn('chaos-fault-failed', { index: sf.index, fault: label, err: error });
  }
  return { index: sf.index, fault: sf.fault, kind: sf.fault.type, label, inject: t0, heal, end: heal + sf.settleMs, downRoles, ...(cutNode ? { cutNode } : {}), ...(error ? { error } : {}) };
}
