// Wires the speaker's Kubernetes side: informers (Services, EndpointSlices, Nodes, the Herald
// config and, with BGP on, Secrets) tell the reconciler what changed; passes run soon after
// (informer events coalesce over a few milliseconds; membership changes run at once), each a
// run of slices of at most `sliceMs` with the event loop free in between, until nothing is left.
// No pass is O(all Services) unless everything changed (the config, a Node's facts).
import { CoreV1Api, DiscoveryV1Api, type KubeConfig, type V1EndpointSlice, type V1Node, type V1Service } from '@kubernetes/client-node';
import type { Clock, TimerHandle } from '@herald/shared/clock';
import { PooledKubeConfig, ConfigWatcher, trimNode, trimServiceForSpeaker, trimSliceForSpeaker, ConfigurationStateWriter, K8sEventRecorder, ResilientInformer, eventMetrics, type ConfigState, type EventRecorder } from '@herald/shared/k8s';
import type { Logger } from '@herald/shared/log';
import { Counter, Histogram, type Registry } from '@herald/shared/metrics';
import type { IP } from '@herald/shared/net';
import { k8sSessionStateApi } from '../status/session-state-api.js';
import { SessionStateWriter } from '../status/session-state-writer.js';
import { k8sStatusApi } from '../status/status-api.js';
import { StatusWriter } from '../status/status-writer.js';
import { BgpSessions } from './bgp-sessions.js';
import type { L2Port, MembershipPort, SessionFactory } from './ports.js';
import type { BfdPort } from '../bfd/port.js';
import { SpeakerReconciler } from './reconciler.js';
import { BgpAnnounced, UnannounceableIPs } from './announced-ips.js';
import { announcedSink, unannounceableSink } from './announced-metrics.js';

export interface SpeakerOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly node: string;
  readonly lbClass: string | undefined;
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry?: Registry;
  readonly membership: MembershipPort;
  /** undefined: L2 off. */
  readonly l2: L2Port | undefined;
  /** undefined: BGP off (and no Secrets are read). */
  readonly sessionFactory: SessionFactory | undefined;
  /** BFD for BGPPeers with a bfdProfile (the packet thread); undefined: BFD off. */
  readonly bfd?: BfdPort;
  readonly events?: EventRecorder;
  /** Coalescing window for informer events (default 5 ms). */
  readonly debounceMs?: number;
  /** Longest synchronous run of reconcile work before yielding to the event loop (default 20 ms). */
  readonly sliceMs?: number;
  /** Write ServiceL2Status / ServiceBGPStatus / BGPSessionState objects (default true). */
  readonly writeStatus?: boolean;
  /** Status writes in flight at most, per kind (default 4). */
  readonly statusConcurrency?: number;
  /** BGPSessionState: least time between writes of counters alone (default 10 s). */
  readonly sessionCounterIntervalMs?: number;
}

export class Speaker {
  private readonly services: ResilientInformer<V1Service>;
  private readonly slices: ResilientInformer<V1EndpointSlice>;
  private readonly nodeInformer: ResilientInformer<V1Node>;
  private readonly config: ConfigWatcher;
  private readonly configState: ConfigurationStateWriter;
  readonly reconciler: SpeakerReconciler;
  readonly bgp: BgpSessions | undefined;
  /** This node's BGPSessionState objects (BGP on and status writing on). */
  readonly sessionStates: SessionStateWriter | undefined;
  private readonly l2Status: StatusWriter | undefined;
  private readonly bgpStatus: StatusWriter | undefined;
  private synced = false;
  private stopped = false;
  private passes = 0;
  private running = false;
  private timer: TimerHandle | undefined;
  private idleWaiters: (() => void)[] = [];
  private readonly passSeconds = new Histogram({
    name: 'herald_speaker_reconcile_duration_seconds',
    help: 'Time one slice of reconcile work took (a pass runs in slices of at most --slice-ms, with the event loop free in between; status objects are written in the background)',
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [],
  });
  private readonly servicesSeen = new Counter({ name: 'herald_speaker_reconcile_services_total', help: 'Services looked at by reconcile passes (each change counts once)', registers: [] });
  private readonly ipsDone = new Counter({ name: 'herald_speaker_reconcile_ips_total', help: 'IP announcements recomputed by reconcile passes', registers: [] });
  private readonly nodeListeners: (() => void)[] = [];
  /** herald_speaker_announced{mode="bgp"} and herald_speaker_ip_unannounceable (with a registry). */
  private readonly bgpAnnounced: BgpAnnounced | undefined;
  private readonly unannounceable: UnannounceableIPs | undefined;

  constructor(private readonly o: SpeakerOptions) {
    const kc = o.kubeConfig;
    for (const m of [this.passSeconds, this.servicesSeen, this.ipsDone]) o.registry?.registerMetric(m);
    this.bgpAnnounced = o.registry ? new BgpAnnounced(announcedSink(o.registry)) : undefined;
    this.unannounceable = o.registry ? new UnannounceableIPs(unannounceableSink(o.registry)) : undefined;
    const core = kc.makeApiClient(CoreV1Api);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const common = { kubeConfig: kc, clock: o.clock, log: o.log };
    // Each cache keeps only what the reconciler reads (trim.ts): every Service and EndpointSlice
    // of the cluster is cached, not only LoadBalancers'.
    this.services = new ResilientInformer<V1Service>({ ...common, name: 'services', path: '/api/v1/services', trim: trimServiceForSpeaker, list: (page) => core.listServiceForAllNamespaces(page) });
    this.slices = new ResilientInformer<V1EndpointSlice>({
      ...common,
      name: 'endpointslices',
      trim: trimSliceForSpeaker,
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      list: (page) => discovery.listEndpointSliceForAllNamespaces(page),
    });
    this.nodeInformer = new ResilientInformer<V1Node>({ ...common, name: 'nodes', path: '/api/v1/nodes', trim: trimNode, list: (page) => core.listNode(page) });
    this.configState = new ConfigurationStateWriter(kc, o.namespace, 'speaker', o.node, o.log, { clock: o.clock, ...(o.registry ? { registry: o.registry } : {}) });
    this.config = new ConfigWatcher({
      ...common,
      namespace: o.namespace,
      // BGP passwords are the only Secrets the speaker reads; an L2-only speaker reads none.
      watchSecrets: o.sessionFactory !== undefined,
      onChange: (s) => this.onConfig(s),
    });
    // Events have a client of their own (fork: its own limiter and connections), so a burst of
    // owner changes never delays a status write.
    const events = o.events ?? new K8sEventRecorder(kc instanceof PooledKubeConfig ? kc.fork({ qps: 5, burst: 25 }).makeApiClient(CoreV1Api) : core, 'herald-speaker', o.node, o.log, undefined, o.registry ? { metrics: eventMetrics(o.registry) } : {});
    this.bgp = o.sessionFactory
      ? new BgpSessions({
          factory: o.sessionFactory,
          node: o.node,
          namespace: o.namespace,
          log: o.log,
          events,
          ...(o.registry ? { registry: o.registry } : {}),
          onChange: () => {
            this.sessionStates?.poke();
            this.bgpAnnounced?.setEstablished(establishedPeers(this.bgp));
          },
          ...(o.bfd ? { bfd: o.bfd } : {}),
        })
      : undefined;
    const bgp = this.bgp;
    const writeStatus = o.writeStatus !== false;
    this.sessionStates =
      bgp && writeStatus
        ? new SessionStateWriter({
            api: k8sSessionStateApi(kc, o.namespace, o.node),
            node: o.node,
            views: () => bgp.views(),
            clock: o.clock,
            log: o.log,
            ...(o.sessionCounterIntervalMs !== undefined ? { counterIntervalMs: o.sessionCounterIntervalMs } : {}),
          })
        : undefined;
    const writer = (kind: 'ServiceL2Status' | 'ServiceBGPStatus', plural: string): StatusWriter =>
      new StatusWriter({ api: k8sStatusApi(kc, o.namespace, o.node, kind, plural), kind, clock: o.clock, log: o.log, ...(o.statusConcurrency ? { concurrency: o.statusConcurrency } : {}) });
    this.l2Status = writeStatus && o.l2 ? writer('ServiceL2Status', 'servicel2statuses') : undefined;
    this.bgpStatus = writeStatus && o.sessionFactory ? writer('ServiceBGPStatus', 'servicebgpstatuses') : undefined;
    this.reconciler = new SpeakerReconciler({
      node: o.node,
      lbClass: o.lbClass,
      service: (key) => this.getService(key),
      membership: o.membership,
      l2: o.l2,
      bgp: this.bgp,
      l2Status: this.l2Status,
      bgpStatus: this.bgpStatus,
      events,
      log: o.log,
      ipFacts: (changed) => {
        for (const [ip, f] of changed) {
          this.bgpAnnounced?.setIP(ip, f?.bgpPeers);
          this.unannounceable?.setIP(ip, f?.unannounceable);
        }
      },
    });
    const r = this.reconciler;
    for (const ev of ['add', 'update', 'delete'] as const)
      this.services.on(ev, (svc) => {
        r.serviceEvent(svc);
        this.poke();
      });
    for (const ev of ['add', 'update', 'delete'] as const)
      this.slices.on(ev, (s) => {
        r.sliceEvent(s, ev === 'delete');
        this.poke();
      });
    for (const ev of ['add', 'update', 'delete'] as const)
      this.nodeInformer.on(ev, () => {
        r.nodesChanged(this.nodeInformer.list());
        this.poke();
        for (const l of this.nodeListeners) l();
      });
    o.membership.onChange(() => {
      r.membershipChanged();
      this.poke(0);
    });
  }

  private getService(key: string): V1Service | undefined {
    const i = key.indexOf('/');
    return this.services.get(key.slice(i + 1), key.slice(0, i));
  }

  /** Runs a pass soon: after `delayMs` (default: the coalescing window), or when the one running ends. */
  private poke(delayMs = this.o.debounceMs ?? 5): void {
    if (!this.synced || this.stopped || this.running) return;
    if (this.timer) {
      if (delayMs > 0) return;
      this.o.clock.clearTimeout(this.timer);
    }
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      this.run();
    }, delayMs);
  }

  /** One slice of a pass, then (if work is left) the next one after the event loop had a turn. */
  private run(): void {
    if (this.stopped) return;
    this.running = true;
    const t0 = this.o.clock.now();
    let more = false;
    try {
      const r = this.reconciler.pass(this.o.sliceMs ?? 20, () => this.o.clock.now());
      more = r.more;
      this.servicesSeen.inc(r.services);
      this.ipsDone.inc(r.ips);
    } catch (err) {
      this.o.log.error('reconcile-crashed', { err });
    }
    this.passes++;
    this.passSeconds.observe((this.o.clock.now() - t0) / 1000);
    // After the first pass, so a restart does not delete and re-create every session's object.
    this.sessionStates?.start();
    this.running = false;
    if (more || this.reconciler.pending) {
      setImmediate(() => this.run());
      return;
    }
    // A whole pass over the synced caches: the BGP routes are the full table; End-of-RIB may go.
    this.bgp?.routesReady();
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  /** Runs a pass now (tests). */
  resync(): void {
    this.poke(0);
  }

  private onConfig(s: ConfigState): void {
    void this.configState.report(s);
    this.reconciler.configChanged(s);
    this.poke();
  }

  /** The Nodes as cached (membership reads them for members and heartbeat addresses). */
  nodes(): readonly V1Node[] {
    return this.nodeInformer.list();
  }

  onNodes(cb: () => void): void {
    this.nodeListeners.push(cb);
  }

  /** API writes of ServiceL2Status and ServiceBGPStatus objects so far (tests, benches). */
  statusWrites(): number {
    return (this.l2Status?.writes ?? 0) + (this.bgpStatus?.writes ?? 0);
  }

  get passCount(): number {
    return this.passes;
  }

  /** The L2 owner of an IP as this speaker computes it. */
  ownerOf(ip: IP): string | undefined {
    return this.reconciler.ownerOf(ip);
  }

  /** Ready: caches synced and a valid config seen (the last good one counts). */
  ready(): boolean {
    return this.synced && this.config.current().type !== 'none-yet';
  }

  async start(): Promise<void> {
    await Promise.all([this.services.start(), this.slices.start(), this.nodeInformer.start()]);
    await this.config.start();
    this.reconciler.configChanged(this.config.current());
    this.reconciler.nodesChanged(this.nodeInformer.list());
    this.reconciler.membershipChanged();
    this.l2Status?.start();
    this.bgpStatus?.start();
    this.synced = true;
    this.o.log.info('caches-synced', { services: this.services.list().length, nodes: this.nodeInformer.list().length });
    this.poke(0);
  }

  /** Resolves when no pass is queued or running and no status write is in progress (tests). */
  async idle(): Promise<void> {
    for (let i = 0; i < 100 && (this.running || this.timer || this.reconciler.pending); i++) await new Promise<void>((r) => this.idleWaiters.push(r));
    await Promise.all([this.l2Status?.idle(), this.bgpStatus?.idle()]);
  }

  /**
   * Graceful handoff: withdraw BGP routes, keep answering ARP/NDP, tell peers we leave and wait
   * for them to announce (or the deadline), then stop answering and remove our status objects.
   */
  async leave(deadlineMs: number): Promise<void> {
    this.reconciler.startLeaving();
    const r = await this.o.membership.leave(deadlineMs);
    this.o.log.info('handoff-done', { outcome: r.outcome, missing: r.missing });
    await this.stop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.configState.close();
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    await this.reconciler.shutdown();
    await this.sessionStates?.close();
    await Promise.all([this.services.stop(), this.slices.stop(), this.nodeInformer.stop(), this.config.stop()]);
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }
}

function establishedPeers(bgp: BgpSessions | undefined): Set<string> {
  const out = new Set<string>();
  for (const [peer, st] of bgp?.statuses() ?? []) if (st.state === 'established') out.add(peer);
  return out;
}
