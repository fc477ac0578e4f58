// The controller's one reconciler: for a Service key, bring its allocation, status, pool
// annotation, condition and Events in line with the config. It reads only the informer caches
// and decides synchronously, so allocation is serial and in queue order and one IP is never
// handed out twice; the writes it decides are pipelined (service-writes.ts), made only where
// the object differs, and a failed one sends the Service back to the queue.
import type { V1Service } from '@kubernetes/client-node';
import type { Clock, Config, EventRecorder, IP, Labels, Logger, Outcome } from '@herald/shared';
import { done, errText, systemClock } from '@herald/shared';
import { Allocator, type Cleared } from '../allocator/allocator.js';
import { isOurs } from '../allocator/ownership.js';
import { reasonMessage, type AllocationReason } from '../allocator/reasons.js';
import { serviceClass, serviceInput, serviceKey, statusIPs, type InputProblem } from '../service/service-input.js';
import { relearnAllocations } from '../service/relearn.js';
import { conditionReason, type DesiredServiceState } from './service-status.js';
import type { ControllerMetrics } from './metrics.js';
import { ServiceWrites, type ServiceWriter } from './service-writes.js';

export { fresher, type ServiceWriter } from './service-writes.js';

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
  /** Services written at once (default 16). */
  readonly writeConcurrency?: number;
  /** Drives the re-learn's retry backoff (default: the system clock). */
  readonly clock?: Clock;
}

export type ReconcileResult = Outcome;

const ref = (svc: V1Service) => ({
  apiVersion: 'v1',
  kind: 'Service',
  namespace: svc.metadata?.namespace ?? 'default',
  name: svc.metadata?.name ?? '',
  uid: svc.metadata?.uid,
});

/** Wait before re-learn attempt `attempt + 1` after a failed LIST: 100 ms doubling, at most 5 s. */
export const relearnBackoffMs = (attempt: number): number => Math.min(5000, 100 * 2 ** Math.min(attempt, 6));

const ipList = (ips: readonly IP[]): string => ips.map((x) => x.toString()).join(', ');

/**
 * A Service whose annotations are invalid still holds what its status says: this best-effort
 * input lets restart re-learn it (so nobody else gets its IP) without acting on the bad request.
 */
export class ServiceReconciler {
  private allocator: Allocator | undefined;
  /** Services that could not get an IP: retried when IPs are freed or the config changes. */
  private readonly pending = new Set<string>();
  /** Allocations a pool edit took away, so the next reconcile can say why. */
  private readonly clearedByConfig = new Map<string, Cleared>();
  private config: Config | undefined;
  /** Bumped by reset(): a re-learn started in an older leadership term is dropped. */
  private term = 0;
  private relearning: Promise<void> | undefined;
  readonly writes: ServiceWrites;

  constructor(
    private readonly d: ReconcilerDeps,
    /** Puts a key on the work queue (after `afterMs`, if given). */
    private readonly enqueue: (key: string, afterMs?: number) => void,
  ) {
    this.writes = new ServiceWrites({
      writer: d.writer,
      cached: (key) => d.services.get(key),
      isLeader: d.isLeader,
      requeue: (key, ms) => enqueue(key, ms),
      log: d.log,
      nowIso: d.nowIso,
      metrics: d.metrics,
      concurrency: d.writeConcurrency,
    });
  }

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
    this.writes.clear();
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
      // A write still in flight (from before a reset) must be in the LIST.
      await this.writes.settled();
      if (term !== this.term) return;
      for (let attempt = 0; attempt < 10_000; attempt++) {
        let list: readonly V1Service[];
        try {
          list = await this.d.listServices();
        } catch (err) {
          this.d.log.warn('relearn-list-failed', { err: errText(err), attempt });
          const clock = this.d.clock ?? systemClock;
          await new Promise<void>((r) => clock.setTimeout(r, relearnBackoffMs(attempt)));
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
    const r = relearnAllocations(services, config.pools.values(), this.d.lbClass, (ns) => this.d.namespaceLabels(ns));
    for (const x of r.refused) this.d.log.warn('relearn-refused', { service: x.key, ips: ipList(x.ips), reason: reasonMessage(x.reason) });
    this.allocator = r.allocator;
    this.d.log.info('relearned', { services: r.services, assignments: r.learned });
  }

  private retryPending(): void {
    for (const k of this.pending) this.enqueue(k);
  }

  /** Decides one Service now and hands its writes to the pipeline; never waits on the API. */
  reconcile(key: string): Promise<ReconcileResult> {
    const alloc = this.allocator;
    if (!alloc || !this.d.isLeader()) return Promise.resolve(done);
    const started = performance.now();
    try {
      return Promise.resolve(this.decide(alloc, key));
    } finally {
      this.d.metrics?.reconcileSeconds.observe((performance.now() - started) / 1000);
    }
  }

  private decide(alloc: Allocator, key: string): ReconcileResult {
    const svc = this.writes.latest(key);
    if (!svc) {
      this.writes.forget(key);
      this.pending.delete(key);
      this.clearedByConfig.delete(key);
      if (alloc.release(key)) this.retryPending();
      return done;
    }
    const uid = svc.metadata?.uid;
    if (!isOurs(serviceClass(svc), this.d.lbClass)) {
      this.pending.delete(key);
      const released = alloc.release(key);
      if (released) {
        this.retryPending();
        const why = svc.spec?.type !== 'LoadBalancer' ? `the service is type ${svc.spec?.type ?? 'ClusterIP'} now` : 'the service has another loadBalancerClass now';
        this.d.events.record(ref(svc), 'Normal', 'IPCleared', `Released ${ipList(released.ips)}: ${why}`);
        // Only clear what we wrote: a Service of another class belongs to another controller.
        if (svc.spec?.type !== 'LoadBalancer') this.write(svc, { ips: [], pool: undefined, condition: { status: 'False', reason: 'NotLoadBalancer', message: why } });
        else this.writes.submit({ type: 'annotation', key, uid, pool: undefined });
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
      // The Event goes with the status write that puts the IPs there: once, and only if it happened.
      this.write(svc, { ips: res.ips, pool: res.pool, condition: { status: 'True', reason: 'Allocated', message } }, (before) => {
        if (sameIPs(statusIPs(before).ips, res.ips)) return;
        this.d.events.record(ref(before), 'Normal', 'IPAllocated', message);
        this.d.log.info('allocated', { service: key, ips: ipList(res.ips), pool: res.pool });
      });
      return done;
    }
    this.pending.add(key);
    this.d.metrics?.allocationFailures.inc({ reason: res.reason.type });
    this.failed(svc, res.reason);
    return done;
  }

  /** The Service asks for something malformed: say so, and keep whatever it validly holds. */
  private invalidInput(alloc: Allocator, svc: V1Service, problems: readonly InputProblem[]): ReconcileResult {
    const key = serviceKey(svc);
    const text = problems.map((p) => `${p.field}: ${p.message}`).join('; ');
    const held = alloc.get(key);
    this.d.metrics?.allocationFailures.inc({ reason: 'invalid-service' });
    const say = (): void => {
      this.d.events.record(ref(svc), 'Warning', 'InvalidService', held ? `${text} (keeping ${ipList(held.ips)})` : text);
      this.d.log.warn('invalid-service', { service: key, problems: text, keeping: held ? ipList(held.ips) : undefined });
    };
    if (held) {
      this.write(svc, { ips: held.ips, pool: held.pool, condition: { status: 'True', reason: 'InvalidRequestKept', message: `keeping ${ipList(held.ips)}; the new request is invalid: ${text}` } }, say);
    } else {
      this.pending.add(key);
      this.write(svc, { ips: [], pool: undefined, condition: { status: 'False', reason: 'InvalidService', message: text } }, say);
    }
    return { type: 'no-retry', reason: text };
  }

  private failed(svc: V1Service, reason: AllocationReason): void {
    const message = reasonMessage(reason);
    // Said (Event, log) when the condition that says it is written: once per change.
    this.write(svc, { ips: [], pool: undefined, condition: { status: 'False', reason: conditionReason(reason.type), message } }, () => {
      this.d.events.record(ref(svc), 'Warning', 'AllocationFailed', message);
      this.d.log.warn('allocation-failed', { service: serviceKey(svc), reason: reason.type, message });
    });
  }

  private write(svc: V1Service, want: DesiredServiceState, onStatusWritten?: (before: V1Service) => void): void {
    this.writes.submit({ type: 'full', key: serviceKey(svc), uid: svc.metadata?.uid, want, ...(onStatusWritten ? { onStatusWritten } : {}) });
  }
}

function sameIPs(a: readonly IP[], b: readonly IP[]): boolean {
  return a.length === b.length && a.every((x, i) => x.equals(b[i]!));
}

