// Wires the speaker's Kubernetes side: informers (Services, EndpointSlices, Nodes, the Herald
// config and, with BGP on, Secrets) feed one work queue with one key; each pass is a
// SpeakerReconciler pass. Membership changes run a pass at once (failover); informer events
// are coalesced over a few milliseconds.
import { CoreV1Api, DiscoveryV1Api, type KubeConfig, type V1EndpointSlice, type V1Node, type V1Service } from '@kubernetes/client-node';
import type { Clock } from '@herald/shared/clock';
import { ConfigWatcher, ConfigurationStateWriter, K8sEventRecorder, ResilientInformer, WorkQueue, type ConfigState, type EventRecorder, type Outcome } from '@herald/shared/k8s';
import type { Logger } from '@herald/shared/log';
import { Histogram, type Registry } from '@herald/shared/metrics';
import { k8sSessionStateApi } from '../status/session-state-api.js';
import { SessionStateWriter } from '../status/session-state-writer.js';
import { StatusPump } from '../status/status-pump.js';
import { StatusSync } from '../status/status-sync.js';
import { BgpSessions } from './bgp-sessions.js';
import type { L2Sink, MembershipPort, SessionFactory } from './ports.js';
import { SpeakerReconciler } from './reconciler.js';

export const RECONCILE_KEY = 'speaker';

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
  readonly l2: L2Sink | undefined;
  /** undefined: BGP off (and no Secrets are read). */
  readonly sessionFactory: SessionFactory | undefined;
  readonly events?: EventRecorder;
  /** Coalescing window for informer events (default 5 ms). */
  readonly debounceMs?: number;
  /** Write ServiceL2Status / ServiceBGPStatus / BGPSessionState objects (default true). */
  readonly writeStatus?: boolean;
  /** BGPSessionState: least time between writes of counters alone (default 10 s). */
  readonly sessionCounterIntervalMs?: number;
}

export class Speaker {
  private readonly services: ResilientInformer<V1Service>;
  private readonly slices: ResilientInformer<V1EndpointSlice>;
  private readonly nodeInformer: ResilientInformer<V1Node>;
  private readonly config: ConfigWatcher;
  private readonly configState: ConfigurationStateWriter;
  private readonly queue: WorkQueue;
  readonly reconciler: SpeakerReconciler;
  readonly bgp: BgpSessions | undefined;
  /** This node's BGPSessionState objects (BGP on and status writing on). */
  readonly sessionStates: SessionStateWriter | undefined;
  private synced = false;
  private passes = 0;
  /** How long the last pass took (ms): informer events wait at least twice that (see poke). */
  private lastPassMs = 0;
  private readonly passSeconds = new Histogram({
    name: 'herald_speaker_reconcile_duration_seconds',
    help: 'Time one reconcile pass took (every Service, this node; status objects are written in the background)',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [],
  });
  private readonly nodeListeners: (() => void)[] = [];

  constructor(private readonly o: SpeakerOptions) {
    const kc = o.kubeConfig;
    o.registry?.registerMetric(this.passSeconds);
    const core = kc.makeApiClient(CoreV1Api);
    const discovery = kc.makeApiClient(DiscoveryV1Api);
    const common = { kubeConfig: kc, clock: o.clock, log: o.log };
    this.services = new ResilientInformer<V1Service>({ ...common, name: 'services', path: '/api/v1/services', list: () => core.listServiceForAllNamespaces() });
    this.slices = new ResilientInformer<V1EndpointSlice>({
      ...common,
      name: 'endpointslices',
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      list: () => discovery.listEndpointSliceForAllNamespaces(),
    });
    this.nodeInformer = new ResilientInformer<V1Node>({ ...common, name: 'nodes', path: '/api/v1/nodes', list: () => core.listNode() });
    this.configState = new ConfigurationStateWriter(kc, o.namespace, 'speaker', o.node, o.log);
    this.config = new ConfigWatcher({
      ...common,
      namespace: o.namespace,
      // BGP passwords are the only Secrets the speaker reads; an L2-only speaker reads none.
      watchSecrets: o.sessionFactory !== undefined,
      onChange: (s) => this.onConfig(s),
    });
    const events = o.events ?? new K8sEventRecorder(core, 'herald-speaker', o.node, o.log);
    this.bgp = o.sessionFactory
      ? new BgpSessions({
          factory: o.sessionFactory,
          node: o.node,
          namespace: o.namespace,
          log: o.log,
          events,
          ...(o.registry ? { registry: o.registry } : {}),
          onChange: () => this.sessionStates?.poke(),
        })
      : undefined;
    const bgp = this.bgp;
    this.sessionStates =
      bgp && o.writeStatus !== false
        ? new SessionStateWriter({
            api: k8sSessionStateApi(kc, o.namespace, o.node),
            node: o.node,
            views: () => bgp.views(),
            clock: o.clock,
            log: o.log,
            ...(o.sessionCounterIntervalMs !== undefined ? { counterIntervalMs: o.sessionCounterIntervalMs } : {}),
          })
        : undefined;
    const status = (kind: 'ServiceL2Status' | 'ServiceBGPStatus', plural: 'servicel2statuses' | 'servicebgpstatuses'): StatusPump | undefined =>
      o.writeStatus === false ? undefined : new StatusPump(new StatusSync({ kubeConfig: kc, namespace: o.namespace, node: o.node, kind, plural, log: o.log }), { clock: o.clock });
    this.reconciler = new SpeakerReconciler({
      node: o.node,
      lbClass: o.lbClass,
      snapshot: {
        services: () => this.services.list(),
        endpointSlices: () => this.slices.list(),
        nodes: () => this.nodeInformer.list(),
        config: () => this.config.current(),
      },
      membership: o.membership,
      l2: o.l2,
      bgp: this.bgp,
      l2Status: o.l2 ? status('ServiceL2Status', 'servicel2statuses') : undefined,
      bgpStatus: o.sessionFactory ? status('ServiceBGPStatus', 'servicebgpstatuses') : undefined,
      events,
      log: o.log,
    });
    this.queue = new WorkQueue({
      clock: o.clock,
      handler: () => this.pass(),
      onOutcome: (_k, out) => {
        if (out.type === 'retry') o.log.debug('reconcile-retry', { reason: out.reason });
        if (out.type === 'crashed') o.log.error('reconcile-crashed', { err: out.error });
      },
    });
    const poke = (): void => this.poke();
    for (const inf of [this.services, this.slices] as const) for (const ev of ['add', 'update', 'delete'] as const) inf.on(ev, poke);
    for (const ev of ['add', 'update', 'delete'] as const)
      this.nodeInformer.on(ev, () => {
        poke();
        for (const l of this.nodeListeners) l();
      });
    o.membership.onChange(() => this.queue.add(RECONCILE_KEY));
  }

  private pass(): Promise<Outcome> {
    if (!this.synced) return Promise.resolve({ type: 'done' });
    this.passes++;
    const t0 = performance.now();
    const out = this.reconciler.reconcile();
    this.lastPassMs = performance.now() - t0;
    this.passSeconds.observe(this.lastPassMs / 1000);
    // After the first pass, so a restart does not delete and re-create every session's object.
    this.sessionStates?.start();
    return Promise.resolve(out);
  }

  /**
   * Informer events: coalesced, over a few milliseconds or twice the last pass's time, whichever
   * is longer (at most a second). A pass is O(Services): passing on every event of a burst
   * (1,000 Services created) is quadratic work; this keeps passes to about a third of a core and
   * lets each take in every change so far. Membership changes do not wait (resync).
   */
  private poke(): void {
    if (this.synced) this.queue.addAfter(RECONCILE_KEY, Math.max(this.o.debounceMs ?? 5, Math.min(2 * this.lastPassMs, 1000)));
  }

  /** Runs a pass now (membership changes, tests). */
  resync(): void {
    this.queue.add(RECONCILE_KEY);
  }

  private onConfig(s: ConfigState): void {
    void this.configState.report(s);
    this.poke();
  }

  /** The Nodes as cached (membership reads them for members and heartbeat addresses). */
  nodes(): readonly V1Node[] {
    return this.nodeInformer.list();
  }

  onNodes(cb: () => void): void {
    this.nodeListeners.push(cb);
  }

  get passCount(): number {
    return this.passes;
  }

  /** Ready: caches synced and a valid config seen (the last good one counts). */
  ready(): boolean {
    return this.synced && this.config.current().type !== 'none-yet';
  }

  async start(): Promise<void> {
    await Promise.all([this.services.start(), this.slices.start(), this.nodeInformer.start()]);
    await this.config.start();
    this.synced = true;
    this.o.log.info('caches-synced', { services: this.services.list().length, nodes: this.nodeInformer.list().length });
    this.queue.add(RECONCILE_KEY);
  }

  /** Resolves when no pass is queued or running and no status write is in progress (tests). */
  async idle(): Promise<void> {
    await this.queue.idle();
    await this.reconciler.statusIdle();
  }

  /**
   * Graceful handoff: withdraw BGP routes, keep answering ARP/NDP, tell peers we leave and wait
   * for them to announce (or the deadline), then stop answering and remove our status objects.
   */
  async leave(deadlineMs: number): Promise<void> {
    this.reconciler.startLeaving();
    this.queue.add(RECONCILE_KEY);
    const r = await this.o.membership.leave(deadlineMs);
    this.o.log.info('handoff-done', { outcome: r.outcome, missing: r.missing });
    await this.stop();
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    await this.queue.idle();
    await this.reconciler.shutdown();
    await this.sessionStates?.close();
    await Promise.all([this.services.stop(), this.slices.stop(), this.nodeInformer.stop(), this.config.stop()]);
  }
}
