// Wires the controller: informers (Services, Namespaces, Herald config) feed one keyed work
// queue; the reconciler allocates and hands its writes to a pipeline; a Lease decides which
// replica may write.
import { CoordinationV1Api, CoreV1Api, type KubeConfig, type V1Namespace, type V1Service } from '@kubernetes/client-node';
import {
  ConfigWatcher,
  ConfigurationStateWriter,
  K8sEventRecorder,
  LeaderElector,
  PooledKubeConfig,
  ResilientInformer,
  WorkQueue,
  eventMetrics,
  listAllPages,
  mergePatch,
  trimServiceForController,
  type Clock,
  type ConfigState,
  type Logger,
  type Registry,
} from '@herald/shared';
import { controllerMetrics, type ControllerMetrics } from './reconcile/metrics.js';
import { PoolStatusWriter } from './reconcile/pool-status.js';
import { ServiceIPs } from './reconcile/service-ips.js';
import { poolsFingerprint } from './reconcile/pools-fingerprint.js';
import { ServiceReconciler, type ServiceWriter } from './reconcile/reconciler.js';
import { serviceKey } from './service/service-input.js';

export interface ControllerOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly lbClass: string | undefined;
  readonly identity: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry: Registry;
  /** false: act as leader at once (a single replica, or tests). */
  readonly leaderElection?: boolean;
  readonly leaseDurationSeconds?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  /** Services written at once (default 16). */
  readonly writeConcurrency?: number;
}

const POOL_STATUS_PERIOD_MS = 1000;

export class Controller {
  private readonly services: ResilientInformer<V1Service>;
  private readonly namespaces: ResilientInformer<V1Namespace>;
  private readonly config: ConfigWatcher;
  private readonly configState: ConfigurationStateWriter;
  private readonly queue: WorkQueue;
  private readonly reconciler: ServiceReconciler;
  private readonly elector: LeaderElector | undefined;
  private readonly pools: PoolStatusWriter;
  /** herald_controller_service_ip, the leader's allocations. */
  private readonly serviceIPs: ServiceIPs;
  private readonly metrics: ControllerMetrics;
  private readonly events: K8sEventRecorder;
  private leading = false;
  private synced = false;
  /** The pools the reconciler runs on (see pools-fingerprint.ts). */
  private appliedPools: string | undefined;
  private poolTimer: ReturnType<Clock['setTimeout']> | undefined;

  constructor(private readonly o: ControllerOptions) {
    const kc = o.kubeConfig;
    const core = kc.makeApiClient(CoreV1Api);
    this.metrics = controllerMetrics(o.registry);
    this.services = new ResilientInformer<V1Service>({
      name: 'services',
      kubeConfig: kc,
      path: '/api/v1/services',
      // Only what allocation reads, and the whole status (trim.ts); writes are merge patches.
      trim: trimServiceForController,
      list: (page) => core.listServiceForAllNamespaces(page),
      clock: o.clock,
      log: o.log,
    });
    this.namespaces = new ResilientInformer<V1Namespace>({
      name: 'namespaces',
      kubeConfig: kc,
      path: '/api/v1/namespaces',
      list: (page) => core.listNamespace(page),
      clock: o.clock,
      log: o.log,
    });
    this.configState = new ConfigurationStateWriter(kc, o.namespace, 'controller', undefined, o.log, { clock: o.clock, registry: o.registry });
    // The controller never needs BGP passwords, so it has no access to Secrets.
    this.config = new ConfigWatcher({ kubeConfig: kc, namespace: o.namespace, clock: o.clock, log: o.log, watchSecrets: false, onChange: (s) => this.onConfig(s) });
    const writer: ServiceWriter = {
      patchStatus: (svc, patch) => {
        const body = { metadata: { resourceVersion: svc.metadata?.resourceVersion }, ...patch };
        return core.patchNamespacedServiceStatus({ name: svc.metadata?.name ?? '', namespace: svc.metadata?.namespace ?? 'default', body }, mergePatch);
      },
      patchMetadata: (svc, patch) => {
        return core.patchNamespacedService({ name: svc.metadata?.name ?? '', namespace: svc.metadata?.namespace ?? 'default', body: patch }, mergePatch);
      },
    };
    this.queue = new WorkQueue({
      clock: o.clock,
      // One decision at a time, in queue order: allocation is serial and deterministic. Deciding
      // never waits on the API server (the writes are pipelined), so one worker keeps up.
      concurrency: 1,
      handler: async (key) => {
        const out = await this.reconciler.reconcile(key);
        this.metrics.queueDepth.set(this.queue.length);
        this.schedulePoolStatus();
        return out;
      },
      onOutcome: (key, out) => {
        if (out.type === 'retry') o.log.debug('reconcile-retry', { service: key, reason: out.reason });
        if (out.type === 'crashed') o.log.error('reconcile-crashed', { service: key, err: out.error });
      },
    });
    this.events = new K8sEventRecorder(core, 'herald-controller', o.identity, o.log, Date.now, { clock: o.clock, metrics: eventMetrics(o.registry) });
    this.reconciler = new ServiceReconciler(
      {
        services: { get: (key) => this.getService(key), list: () => this.services.list() },
        listServices: async () => (await listAllPages((page) => core.listServiceForAllNamespaces(page))).items,
        namespaceLabels: (ns) => this.namespaces.get(ns)?.metadata?.labels ?? {},
        writer,
        events: this.events,
        isLeader: () => this.isLeader(),
        lbClass: o.lbClass,
        log: o.log,
        metrics: this.metrics,
        nowIso: () => new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        writeConcurrency: o.writeConcurrency,
        clock: o.clock,
      },
      (key, afterMs) => {
        if (afterMs) this.queue.addAfter(key, afterMs);
        else this.queue.add(key);
      },
    );
    this.pools = new PoolStatusWriter(kc, o.namespace, o.log, this.metrics);
    const serviceIP = this.metrics.serviceIP;
    this.serviceIPs = new ServiceIPs({ set: (l) => serviceIP.set({ ...l }, 1), remove: (l) => serviceIP.remove({ ...l }) });
    if (o.leaderElection !== false) {
      // Renewals on a client of their own, so they never wait behind the Service writes in the
      // main client's rate limiter (kube-controller-manager does the same).
      const leaseKc = kc instanceof PooledKubeConfig ? kc.fork({ qps: 5, burst: 10 }) : kc;
      this.elector = new LeaderElector({
        api: leaseKc.makeApiClient(CoordinationV1Api),
        namespace: o.namespace,
        name: 'herald-controller',
        identity: o.identity,
        clock: o.clock,
        log: o.log,
        leaseDurationSeconds: o.leaseDurationSeconds,
        renewDeadlineMs: o.renewDeadlineMs,
        retryPeriodMs: o.retryPeriodMs,
        onStartedLeading: () => this.onLeading(true),
        onStoppedLeading: () => this.onLeading(false),
      });
    }
    const enqueue = (svc: V1Service): void => {
      this.queue.add(serviceKey(svc));
      this.metrics.queueDepth.set(this.queue.length);
    };
    this.services.on('add', enqueue);
    this.services.on('update', enqueue);
    this.services.on('delete', enqueue);
    const nsChanged = (ns: V1Namespace): void => {
      for (const s of this.services.list(ns.metadata?.name)) enqueue(s);
    };
    this.namespaces.on('add', nsChanged);
    this.namespaces.on('update', nsChanged);
  }

  private getService(key: string): V1Service | undefined {
    const i = key.indexOf('/');
    return this.services.get(key.slice(i + 1), key.slice(0, i));
  }

  isLeader(): boolean {
    return this.elector ? this.elector.isLeader() : this.leading;
  }

  /** Ready: caches synced, a valid config seen, and (if leader) assignments re-learned. */
  ready(): boolean {
    return this.synced && this.config.current().type !== 'none-yet' && (!this.isLeader() || this.reconciler.ready);
  }

  async start(): Promise<void> {
    await Promise.all([this.services.start(), this.namespaces.start()]);
    await this.config.start();
    this.synced = true;
    this.o.log.info('caches-synced', { services: this.services.list().length });
    if (this.elector) this.elector.start();
    else this.onLeading(true);
  }

  async stop(): Promise<void> {
    this.queue.shutDown();
    this.events.close();
    this.configState.close();
    if (this.poolTimer) this.o.clock.clearTimeout(this.poolTimer);
    await this.elector?.stop();
    await Promise.all([this.services.stop(), this.namespaces.stop(), this.config.stop()]);
  }

  /** Resolves when nothing is queued, decided-but-unwritten, or being written (tests, benchmarks). */
  async idle(): Promise<void> {
    for (let i = 0; i < 1000; i++) {
      await this.queue.idle();
      await this.reconciler.writes.idle();
      if (this.queue.length === 0 && this.reconciler.writes.pending === 0) return;
    }
  }

  get apiWrites(): ControllerMetrics['apiWrites'] {
    return this.metrics.apiWrites;
  }

  private onLeading(v: boolean): void {
    this.leading = v;
    this.metrics.isLeader.set(v ? 1 : 0);
    if (!v) {
      this.reconciler.reset();
      this.pools.reset();
      this.serviceIPs.clear();
      this.appliedPools = undefined;
      return;
    }
    const st = this.config.current();
    if (st.type !== 'none-yet' && st.config) this.apply(st.config);
  }

  private onConfig(state: ConfigState): void {
    void this.configState.report(state);
    if (!this.synced || !this.isLeader()) return;
    if (state.type === 'valid') this.apply(state.config);
    // Invalid: the last good config stays in force; nothing is re-done.
  }

  /** Hands the reconciler a config whose pools changed (or the first one of a leader term). */
  private apply(config: Parameters<ServiceReconciler['setConfig']>[0]): void {
    const fp = poolsFingerprint(config);
    if (this.reconciler.ready && fp === this.appliedPools) return;
    this.appliedPools = fp;
    void this.reconciler.setConfig(config);
  }

  /**
   * Pool status follows the allocations at most once a second: while Services are being
   * allocated it changes with every one, and a write per change would add a write per Service
   * (at 200 ms it was 5 per second, ~5% of the controller's writes during a bulk create).
   */
  private schedulePoolStatus(): void {
    if (this.poolTimer) return;
    this.poolTimer = this.o.clock.setTimeout(() => {
      this.poolTimer = undefined;
      const alloc = this.reconciler.currentAllocator;
      const st = this.config.current();
      if (!alloc || st.type === 'none-yet' || !st.config) return;
      if (this.isLeader()) this.serviceIPs.sync(alloc.allocations());
      const stored = (name: string): unknown => (this.config.objects('ipAddressPools').find((p) => p.metadata?.name === name) as { status?: unknown } | undefined)?.status;
      void this.pools.sync(alloc, [...st.config.pools.keys()], () => this.isLeader(), stored);
    }, POOL_STATUS_PERIOD_MS);
  }
}
