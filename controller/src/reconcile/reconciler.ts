// The controller's one reconciler: for a Service key, bring its allocation, status, pool
// annotation, condition and Events in line with the config. It reads only the informer caches,
// writes only on change, and returns an Outcome that the work queue turns into retries.
import type { V1Service } from '@kubernetes/client-node';
import { ApiException } from '@kubernetes/client-node';
import type { Config, EventRecorder, IP, Labels, Logger, Outcome } from '@herald/shared';
import { done, errText } from '@herald/shared';
import { Allocator, type Cleared } from '../allocator/allocator.js';
import { isOurs } from '../allocator/ownership.js';
import { reasonMessage, type AllocationReason } from '../allocator/reasons.js';
import type { AllocService } from '../allocator/types.js';
import { serviceClass, serviceInput, serviceKey, statusIPs, type InputProblem } from '../service/service-input.js';
import { conditionReason, poolAnnotationPatch, statusPatch, type DesiredServiceState, type StatusPatch } from './service-status.js';
import type { ControllerMetrics } from './metrics.js';

/** Writes return the object as the server stored it. */
export interface ServiceWriter {
  patchStatus(svc: V1Service, patch: StatusPatch): Promise<V1Service>;
  patchMetadata(svc: V1Service, patch: { metadata: { annotations: Record<string, string | null> } }): Promise<V1Service>;
}

/**
 * The newer of the cached object and the one our last write returned. The informer lags behind
 * our own writes; without this, the reconcile that our status write triggers would see the old
 * object and write the annotation again. resourceVersions are compared as integers only when
 * both are integers (they are on kube-apiserver and ours); otherwise the cache wins.
 */
export function fresher(cached: V1Service | undefined, written: V1Service | undefined): V1Service | undefined {
  if (!cached || !written) return cached;
  if (cached.metadata?.uid !== written.metadata?.uid) return cached;
  const a = cached.metadata?.resourceVersion ?? '';
  const b = written.metadata?.resourceVersion ?? '';
  if (!/^\d+$/.test(a) || !/^\d+$/.test(b)) return cached;
  return BigInt(b) > BigInt(a) ? written : cached;
}

export interface ReconcilerDeps {
  readonly services: { get(key: string): V1Service | undefined; list(): readonly V1Service[] };
  /**
   * A fresh LIST of every Service from the API server. Re-learning uses it, not the informer
   * cache: the cache can lag behind writes (ours, or a previous leader's), and an assignment
   * missing from it would be handed out a second time.
   */
  readonly listServices: () => Promise<readonly V1Service[]>;
  readonly namespaceLabels: (namespace: string) => Labels;
  readonly writer: ServiceWriter;
  readonly events: EventRecorder;
  /** Checked right before every write: a replica that is not the leader never writes. */
  readonly isLeader: () => boolean;
  readonly lbClass: string | undefined;
  readonly log: Logger;
  readonly metrics?: ControllerMetrics | undefined;
  readonly nowIso: () => string;
}

export type ReconcileResult = Outcome;

const ref = (svc: V1Service) => ({
  apiVersion: 'v1',
  kind: 'Service',
  namespace: svc.metadata?.namespace ?? 'default',
  name: svc.metadata?.name ?? '',
  uid: svc.metadata?.uid,
});

const ipList = (ips: readonly IP[]): string => ips.map((x) => x.toString()).join(', ');

/**
 * A Service whose annotations are invalid still holds what its status says: this best-effort
 * input lets restart re-learn it (so nobody else gets its IP) without acting on the bad request.
 */
function relearnInput(svc: V1Service, nsLabels: Labels): AllocService {
  const r = serviceInput(svc, nsLabels);
  if (r.ok) return r.service;
  const stripped: V1Service = {
    ...svc,
    metadata: { ...svc.metadata, annotations: {} },
    spec: { ...svc.spec, loadBalancerIP: undefined, ipFamilyPolicy: undefined, ipFamilies: undefined },
  };
  const s = serviceInput(stripped, nsLabels);
  if (!s.ok) throw new Error(`unreachable: a stripped service is valid (${JSON.stringify(s.problems)})`);
  return { ...s.service, ipFamilyPolicy: 'PreferDualStack' };
}

export class ServiceReconciler {
  private allocator: Allocator | undefined;
  /** Services that could not get an IP: retried when IPs are freed or the config changes. */
  private readonly pending = new Set<string>();
  /** Allocations a pool edit took away, so the next reconcile can say why. */
  private readonly clearedByConfig = new Map<string, Cleared>();
  private config: Config | undefined;
  /** What our own last write of each Service returned (see fresher()). */
  private readonly written = new Map<string, V1Service>();
  /** Bumped by reset(): a re-learn started in an older leadership term is dropped. */
  private term = 0;
  private relearning: Promise<void> | undefined;
  /** Reconciles under way: a re-learn waits for them, so a write still in flight is in its LIST. */
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(
    private readonly d: ReconcilerDeps,
    private readonly enqueue: (key: string) => void,
  ) {}

  get ready(): boolean {
    return this.allocator !== undefined;
  }

  /** For pool status and metrics. */
  get currentAllocator(): Allocator | undefined {
    return this.allocator;
  }

  /**
   * A new valid config. The first time (and after every `reset`), every existing assignment is
   * re-learned before anything is allocated; later, pools are swapped and allocations re-homed.
   */
  setConfig(config: Config): Promise<void> {
    this.config = config;
    if (!this.allocator) return this.relearn();
    const res = this.allocator.setPools(config.pools.values());
    for (const c of res.cleared) this.clearedByConfig.set(c.key, c);
    for (const r of res.rehomed) this.d.log.info('allocation-rehomed', { service: r.key, ips: ipList(r.ips), from: r.from, to: r.to });
    this.enqueueAll();
    return Promise.resolve();
  }

  private enqueueAll(): void {
    for (const svc of this.d.services.list()) this.enqueue(serviceKey(svc));
  }

  /** Forget everything (lost leadership): the next leader term re-learns from the API. */
  reset(): void {
    this.term++;
    this.allocator = undefined;
    this.written.clear();
    this.pending.clear();
    this.clearedByConfig.clear();
  }

  /**
   * Re-learns every existing assignment from a fresh LIST (retried with backoff), then lets the
   * queue run. Until it is done, reconciles do nothing: nothing is allocated before everything
   * that exists is known.
   */
  relearn(): Promise<void> {
    if (this.relearning) return this.relearning;
    const term = this.term;
    const run = async (): Promise<void> => {
      await Promise.allSettled([...this.inflight]);
      if (term !== this.term) return;
      for (let attempt = 0; attempt < 10_000; attempt++) {
        let list: readonly V1Service[];
        try {
          list = await this.d.listServices();
        } catch (err) {
          this.d.log.warn('relearn-list-failed', { err: errText(err), attempt });
          await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** Math.min(attempt, 6))));
          if (term !== this.term) return;
          continue;
        }
        if (term !== this.term || !this.config) return;
        this.relearnFrom(list, this.config);
        this.enqueueAll();
        return;
      }
    };
    this.relearning = run().finally(() => {
      this.relearning = undefined;
    });
    return this.relearning;
  }

  /** Builds the allocator from these Services' status.loadBalancer.ingress, oldest first. */
  private relearnFrom(services: readonly V1Service[], config: Config): void {
    const alloc = new Allocator(config.pools.values());
    const ours = services
      .filter((s) => isOurs(serviceClass(s), this.d.lbClass))
      .sort((a, b) => {
        const ta = String(a.metadata?.creationTimestamp ?? '');
        const tb = String(b.metadata?.creationTimestamp ?? '');
        return ta === tb ? serviceKey(a).localeCompare(serviceKey(b)) : ta < tb ? -1 : 1;
      });
    let learned = 0;
    for (const svc of ours) {
      const { ips } = statusIPs(svc);
      if (ips.length === 0) continue;
      const ns = svc.metadata?.namespace ?? 'default';
      const res = alloc.assign(relearnInput(svc, this.d.namespaceLabels(ns)), ips);
      if (res.ok) learned++;
      else this.d.log.warn('relearn-refused', { service: serviceKey(svc), ips: ipList(ips), reason: reasonMessage(res.reason) });
    }
    this.allocator = alloc;
    this.d.log.info('relearned', { services: ours.length, assignments: learned });
  }

  private retryPending(): void {
    for (const k of this.pending) this.enqueue(k);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const alloc = this.allocator;
    if (!alloc || !this.d.isLeader()) return done;
    const started = performance.now();
    const work = this.reconcileWith(alloc, key);
    this.inflight.add(work);
    try {
      return await work;
    } catch (err) {
      if (err instanceof NotLeaderError) return done;
      if (err instanceof ApiException && (err.code === 409 || err.code >= 500 || err.code === 429)) {
        return { type: 'retry', reason: `HTTP ${err.code}`, cause: err };
      }
      if (err instanceof ApiException && err.code === 404) return done;
      return { type: 'retry', reason: errText(err), cause: err };
    } finally {
      this.inflight.delete(work);
      this.d.metrics?.reconcileSeconds.observe((performance.now() - started) / 1000);
    }
  }

  private async reconcileWith(alloc: Allocator, key: string): Promise<ReconcileResult> {
    const cached = this.d.services.get(key);
    const svc = fresher(cached, this.written.get(key));
    if (svc === cached) this.written.delete(key);
    if (!svc) {
      this.written.delete(key);
      this.pending.delete(key);
      this.clearedByConfig.delete(key);
      if (alloc.release(key)) this.retryPending();
      return done;
    }
    if (!isOurs(serviceClass(svc), this.d.lbClass)) {
      this.pending.delete(key);
      const released = alloc.release(key);
      if (released) {
        this.retryPending();
        const why = svc.spec?.type !== 'LoadBalancer' ? `the service is type ${svc.spec?.type ?? 'ClusterIP'} now` : 'the service has another loadBalancerClass now';
        this.d.events.record(ref(svc), 'Normal', 'IPCleared', `Released ${ipList(released.ips)}: ${why}`);
        // Only clear what we wrote: a Service of another class belongs to another controller.
        if (svc.spec?.type !== 'LoadBalancer') await this.write(svc, { ips: [], pool: undefined, condition: { status: 'False', reason: 'NotLoadBalancer', message: why } });
        else await this.writeAnnotation(svc, undefined);
      }
      return done;
    }

    const nsLabels = this.d.namespaceLabels(svc.metadata?.namespace ?? 'default');
    const input = serviceInput(svc, nsLabels);
    if (!input.ok) return this.invalidInput(alloc, svc, input.problems);

    const fromConfig = this.clearedByConfig.get(key);
    this.clearedByConfig.delete(key);
    const res = alloc.allocate(input.service);
    const cleared = res.cleared ?? fromConfig;
    if (cleared) {
      this.d.events.record(ref(svc), 'Warning', 'IPCleared', `Cleared ${ipList(cleared.ips)} from pool ${cleared.pool}: ${reasonMessage(cleared.reason)}`);
      this.retryPending();
    }
    if (res.ok) {
      this.pending.delete(key);
      const message = `Assigned ${ipList(res.ips)} from pool ${res.pool}`;
      const wrote = await this.write(svc, { ips: res.ips, pool: res.pool, condition: { status: 'True', reason: 'Allocated', message } });
      if (res.changed || (wrote && statusIPs(svc).ips.length === 0)) {
        this.d.events.record(ref(svc), 'Normal', 'IPAllocated', message);
        this.d.log.info('allocated', { service: key, ips: ipList(res.ips), pool: res.pool });
      }
      return done;
    }
    this.pending.add(key);
    this.d.metrics?.allocationFailures.inc({ reason: res.reason.type });
    await this.failed(svc, res.reason);
    return done;
  }

  /** The Service asks for something malformed: say so, and keep whatever it validly holds. */
  private async invalidInput(alloc: Allocator, svc: V1Service, problems: readonly InputProblem[]): Promise<ReconcileResult> {
    const key = serviceKey(svc);
    const text = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
    const held = alloc.get(key);
    this.d.metrics?.allocationFailures.inc({ reason: 'invalid-service' });
    this.d.events.record(ref(svc), 'Warning', 'InvalidService', held ? `${text} (keeping ${ipList(held.ips)})` : text);
    this.d.log.warn('invalid-service', { service: key, problems: text, keeping: held ? ipList(held.ips) : undefined });
    if (held) {
      await this.write(svc, { ips: held.ips, pool: held.pool, condition: { status: 'True', reason: 'InvalidRequestKept', message: `keeping ${ipList(held.ips)}; the new request is invalid: ${text}` } });
    } else {
      this.pending.add(key);
      await this.write(svc, { ips: [], pool: undefined, condition: { status: 'False', reason: 'InvalidService', message: text } });
    }
    return { type: 'no-retry', reason: text };
  }

  private async failed(svc: V1Service, reason: AllocationReason): Promise<void> {
    const message = reasonMessage(reason);
    const cur = svc.status?.conditions?.find((c) => c.type === 'herald.dev/IPAllocated');
    const wrote = await this.write(svc, { ips: [], pool: undefined, condition: { status: 'False', reason: conditionReason(reason.type), message } });
    if (wrote || cur?.message !== message) {
      this.d.events.record(ref(svc), 'Warning', 'AllocationFailed', message);
      this.d.log.warn('allocation-failed', { service: serviceKey(svc), reason: reason.type, message });
    }
  }

  /** Writes status and annotation where they differ. Returns whether anything was written. */
  private async write(svc: V1Service, want: DesiredServiceState): Promise<boolean> {
    let wrote = false;
    const sp = statusPatch(svc, want, this.d.nowIso());
    if (sp) {
      if (!this.d.isLeader()) throw new NotLeaderError();
      this.remember(svc, await this.d.writer.patchStatus(svc, sp));
      this.d.metrics?.apiWrites.inc({ kind: 'service-status' });
      wrote = true;
    }
    if (await this.writeAnnotation(svc, want.pool)) wrote = true;
    return wrote;
  }

  private async writeAnnotation(svc: V1Service, pool: string | undefined): Promise<boolean> {
    const ap = poolAnnotationPatch(svc, pool);
    if (!ap) return false;
    if (!this.d.isLeader()) throw new NotLeaderError();
    this.remember(svc, await this.d.writer.patchMetadata(svc, ap));
    this.d.metrics?.apiWrites.inc({ kind: 'service-annotation' });
    return true;
  }

  private remember(svc: V1Service, stored: V1Service): void {
    this.written.set(serviceKey(svc), stored);
  }
}

export class NotLeaderError extends Error {
  override readonly name = 'NotLeaderError';
  constructor() {
    super('lost leadership: not writing');
  }
}
