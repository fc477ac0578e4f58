// The controller's writes, pipelined. The reconciler decides (allocation stays serial, in queue
// order) and hands the outcome here; up to `concurrency` Services are written at once, one write
// at a time per Service, first come first served. A Service decided again while its write is in
// flight is written once more afterwards, with the latest decision: five changes cost one more
// write, not five. Each write diffs the desired state against the freshest object known (the
// informer's, or what our own last write returned) and sends only what differs.
//
// A failed write (409, 5xx, a 429 that outlasted the client's retries) sends its Service back to
// the work queue after a per-Service backoff, so it is decided again from fresh state.
import { ApiException, type V1Service } from '@kubernetes/client-node';
import { errText, isObjectNotFound, type Logger } from '@herald/shared';
import { serviceKey } from '../service/service-input.js';
import type { ControllerMetrics } from './metrics.js';
import { poolAnnotationPatch, statusPatch, type DesiredServiceState, type StatusPatch } from './service-status.js';

/** Writes return the object as the server stored it. */
export interface ServiceWriter {
  patchStatus(svc: V1Service, patch: StatusPatch): Promise<V1Service>;
  patchMetadata(svc: V1Service, patch: { metadata: { annotations: Record<string, string | null> } }): Promise<V1Service>;
}

export type WriteJob =
  /** Status (ingress, condition) and pool annotation. */
  | { readonly type: 'full'; readonly key: string; readonly uid: string | undefined; readonly want: DesiredServiceState; readonly onStatusWritten?: (before: V1Service) => void }
  /** Only remove the pool annotation (the Service now belongs to another class). */
  | { readonly type: 'annotation'; readonly key: string; readonly uid: string | undefined; readonly pool: undefined };

export interface ServiceWritesOptions {
  readonly writer: ServiceWriter;
  /** The informer's copy of a Service. */
  readonly cached: (key: string) => V1Service | undefined;
  /** Checked right before every write. */
  readonly isLeader: () => boolean;
  /** Decide this Service again, after `ms`. */
  readonly requeue: (key: string, ms: number) => void;
  readonly log: Logger;
  readonly nowIso: () => string;
  readonly metrics?: ControllerMetrics | undefined;
  /** Services written at once (default 16). */
  readonly concurrency?: number;
  readonly baseBackoffMs?: number;
  readonly maxBackoffMs?: number;
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

export class ServiceWrites {
  /** Decided, not yet written: the latest job per Service, oldest Service first. */
  private readonly waiting = new Map<string, WriteJob>();
  private readonly active = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();
  /** What our own last write of each Service returned (see fresher()). */
  private readonly written = new Map<string, V1Service>();
  private readonly failures = new Map<string, number>();
  private readonly concurrency: number;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: ServiceWritesOptions) {
    this.concurrency = o.concurrency ?? 16;
  }

  /** The freshest copy of a Service we know of. */
  latest(key: string): V1Service | undefined {
    const cached = this.o.cached(key);
    const mine = this.written.get(key);
    const f = fresher(cached, mine);
    // The informer caught up (or the object was replaced): our copy is no longer needed.
    if (mine && f === cached) this.written.delete(key);
    return f;
  }

  submit(job: WriteJob): void {
    // Map.set keeps a waiting Service's place in line and swaps in the newer decision.
    this.waiting.set(job.key, job);
    this.o.metrics?.writesWaiting.set(this.waiting.size);
    this.pump();
  }

  /** The Service is gone: forget what we wrote and any decision not yet written. */
  forget(key: string): void {
    this.written.delete(key);
    this.failures.delete(key);
    this.waiting.delete(key);
  }

  /** Lost leadership: drop every decision not yet written (writes in flight finish). */
  clear(): void {
    this.waiting.clear();
    this.written.clear();
    this.failures.clear();
    this.o.metrics?.writesWaiting.set(0);
    this.notifyIdle();
  }

  /** Resolves when the writes in flight now have finished. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inflight]);
  }

  get pending(): number {
    return this.waiting.size + this.active.size;
  }

  /** Resolves when nothing waits or is in flight. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private notifyIdle(): void {
    if (this.pending !== 0) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  private pump(): void {
    while (this.active.size < this.concurrency) {
      let next: WriteJob | undefined;
      // Skip Services being written now: their newer decision waits for the write in flight.
      for (const j of this.waiting.values()) {
        if (!this.active.has(j.key)) {
          next = j;
          break;
        }
      }
      if (!next) break;
      const job = next;
      this.waiting.delete(job.key);
      this.active.add(job.key);
      const p = this.run(job).finally(() => {
        this.active.delete(job.key);
        this.inflight.delete(p);
        this.o.metrics?.writesWaiting.set(this.waiting.size);
        this.pump();
        this.notifyIdle();
      });
      this.inflight.add(p);
    }
  }

  private async run(job: WriteJob): Promise<void> {
    try {
      const svc = this.latest(job.key);
      // Gone, or deleted and made again under the same name: the new one has its own decision.
      if (!svc || svc.metadata?.uid !== job.uid) return;
      if (job.type === 'full') await this.writeFull(svc, job);
      else await this.writeAnnotation(svc, job.pool);
      this.failures.delete(job.key);
    } catch (err) {
      this.failed(job.key, err);
    }
  }

  private async writeFull(svc: V1Service, job: Extract<WriteJob, { type: 'full' }>): Promise<void> {
    let cur = svc;
    const sp = statusPatch(svc, job.want, this.o.nowIso());
    if (sp) {
      if (!this.o.isLeader()) return;
      cur = await this.o.writer.patchStatus(svc, sp);
      this.remember(cur);
      this.o.metrics?.apiWrites.inc({ kind: 'service-status' });
      job.onStatusWritten?.(svc);
    }
    await this.writeAnnotation(cur, job.want.pool);
  }

  private async writeAnnotation(svc: V1Service, pool: string | undefined): Promise<void> {
    const ap = poolAnnotationPatch(svc, pool);
    if (!ap || !this.o.isLeader()) return;
    this.remember(await this.o.writer.patchMetadata(svc, ap));
    this.o.metrics?.apiWrites.inc({ kind: 'service-annotation' });
  }

  private remember(stored: V1Service): void {
    this.written.set(serviceKey(stored), stored);
  }

  private failed(key: string, err: unknown): void {
    if (isObjectNotFound(err)) {
      // Deleted under us: the informer's delete event decides what follows.
      this.forget(key);
      return;
    }
    const n = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, n);
    const ms = Math.min(this.o.maxBackoffMs ?? 30_000, (this.o.baseBackoffMs ?? 100) * 2 ** Math.min(n - 1, 16));
    const code = err instanceof ApiException ? err.code : undefined;
    this.o.metrics?.writeFailures.inc({ code: code === undefined ? 'error' : String(code) });
    // A 409 is routine (our copy was stale); anything else is worth a warning.
    if (code === 409) this.o.log.debug('service-write-conflict', { service: key, retryInMs: ms });
    else this.o.log.warn('service-write-failed', { service: key, err: errText(err), retryInMs: ms });
    this.o.requeue(key, ms);
  }
}
