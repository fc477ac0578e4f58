// Keeps this node's status objects of one kind (ServiceL2Status or ServiceBGPStatus) equal to
// what the reconciler says they should be, object by object, in the background. A reconcile
// pass only calls set(name, object | undefined): it never waits on the API server.
//
// - Coalesced per object: an object changed five times while its write is in flight is written
//   once more, with the latest content; one that changed back is not written at all.
// - Bounded concurrency (default 4 writes in flight), so 10,000 new Services become a steady
//   stream of writes, not 10,000 requests at once.
// - Write only on change: what the server has is known from a paged list at start (and a slow
//   periodic re-list), then from our own successful writes. A relist of the informers, or an
//   API-server restart, writes nothing for objects that did not change.
// - A failed write is retried for that object with exponential backoff (500 ms to 30 s).
// - Objects of this node that nothing wants (a predecessor's, or of Services deleted while we
//   were down) are deleted once the reconciler says its desired set is complete (synced()).
import type { Clock, TimerHandle } from '@herald/shared/clock';
import { errText } from '@herald/shared/k8s';
import type { Logger } from '@herald/shared/log';
import type { StatusObject } from './desired-status.js';
import type { StatusApi } from './status-api.js';

export interface StatusWriterOptions {
  readonly api: StatusApi;
  readonly kind: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Writes in flight at most (default 4). */
  readonly concurrency?: number;
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Re-list this often to find objects changed or deleted by others (default 10 minutes; 0: never). */
  readonly resyncMs?: number;
}

/** Canonical JSON (keys sorted at every level): the server may return fields in another order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

export class StatusWriter {
  private readonly desired = new Map<string, StatusObject>();
  /** name -> canonical status the server has; undefined until the first list. */
  private known: Map<string, string> | undefined;
  private readonly queue = new Set<string>();
  private readonly inflight = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly retry = new Map<string, TimerHandle>();
  private complete = false;
  private stopped = false;
  private listing: Promise<void> | undefined;
  private listTimer: TimerHandle | undefined;
  private listFailures = 0;
  private idleWaiters: (() => void)[] = [];
  private failingSince: number | undefined;
  /** API writes done (creates, patches, deletes), for tests and metrics. */
  writes = 0;

  constructor(private readonly o: StatusWriterOptions) {}

  private get concurrency(): number {
    return Math.max(1, this.o.concurrency ?? 4);
  }

  /** Lists what exists, then writes the difference; keeps re-listing now and then. */
  start(): void {
    if (this.listing || this.stopped) return;
    this.listing = this.relist();
  }

  /** The object `name` should be (undefined: should not exist). Returns at once. */
  set(name: string, obj: StatusObject | undefined): void {
    if (this.stopped) return;
    const cur = this.desired.get(name);
    if (obj) {
      if (cur && canonical(cur.status) === canonical(obj.status) && canonical(cur.labels) === canonical(obj.labels)) return;
      this.desired.set(name, obj);
    } else {
      if (!cur) return;
      this.desired.delete(name);
    }
    this.enqueue(name);
  }

  /** The desired set is complete: objects of ours that nothing wants may now be deleted. */
  synced(): void {
    if (this.complete) return;
    this.complete = true;
    for (const name of this.known?.keys() ?? []) if (!this.desired.has(name)) this.enqueue(name);
  }

  get size(): number {
    return this.desired.size;
  }

  private enqueue(name: string): void {
    if (this.retry.has(name)) return; // its backoff timer re-queues it, with the latest content
    this.queue.add(name);
    this.pump();
  }

  private async relist(): Promise<void> {
    try {
      const items = await this.o.api.list();
      if (this.listFailures > 0) this.o.log.info('status-list-recovered', { kind: this.o.kind, failedAttempts: this.listFailures });
      this.listFailures = 0;
      const known = new Map<string, string>();
      for (const [name, status] of items) known.set(name, canonical(status));
      this.known = known;
      for (const name of known.keys()) if (!this.desired.has(name) && this.complete) this.queue.add(name);
      for (const [name, obj] of this.desired) if (known.get(name) !== canonical(obj.status)) this.queue.add(name);
      this.pump();
      const every = this.o.resyncMs ?? 600_000;
      if (every > 0 && !this.stopped) this.listTimer = this.o.clock.setTimeout(() => void (this.listing = this.relist()), every);
    } catch (err) {
      this.listFailures++;
      const ms = this.backoff(this.listFailures);
      // Once per failure episode (a missing CRD or a shedding server fails every attempt).
      const fields = { kind: this.o.kind, err: errText(err), retryInMs: ms, attempt: this.listFailures };
      if (this.listFailures === 1) this.o.log.warn('status-list-failed', { ...fields, note: 'retrying with backoff; further failures are logged at debug until a list succeeds' });
      else this.o.log.debug('status-list-failed', fields);
      if (!this.stopped) this.listTimer = this.o.clock.setTimeout(() => void (this.listing = this.relist()), ms);
    }
  }

  private backoff(n: number): number {
    return Math.min(this.o.maxBackoffMs ?? 30_000, (this.o.backoffMs ?? 500) * 2 ** Math.max(0, n - 1));
  }

  private pump(): void {
    if (this.known === undefined) return;
    for (const name of this.queue) {
      if (this.inflight.size >= this.concurrency || this.stopped) break;
      if (this.inflight.has(name)) continue; // stays queued: written again after the one in flight
      this.queue.delete(name);
      if (!this.needsWrite(name)) continue;
      this.inflight.add(name);
      void this.write(name);
    }
    this.maybeIdle();
  }

  private needsWrite(name: string): boolean {
    const want = this.desired.get(name);
    const have = this.known?.get(name);
    if (want) return have !== canonical(want.status);
    return have !== undefined && this.complete;
  }

  private async write(name: string): Promise<void> {
    const want = this.desired.get(name);
    try {
      if (want) {
        if (!this.known?.has(name)) {
          await this.o.api.create(want);
          this.writes++;
        }
        await this.o.api.patchStatus(name, want.status);
        this.writes++;
        this.known?.set(name, canonical(want.status));
      } else {
        await this.o.api.delete(name);
        this.writes++;
        this.known?.delete(name);
      }
      this.failures.delete(name);
      if (this.failingSince !== undefined) {
        this.o.log.info('status-writes-recovered', { kind: this.o.kind, failingForMs: Math.round(this.o.clock.now() - this.failingSince) });
        this.failingSince = undefined;
      }
    } catch (err) {
      const n = (this.failures.get(name) ?? 0) + 1;
      this.failures.set(name, n);
      const ms = this.backoff(n);
      // One line per failure episode, not per object: 10,000 objects failing must not flood the log.
      if (this.failingSince === undefined) {
        this.failingSince = this.o.clock.now();
        this.o.log.warn('status-write-failed', { kind: this.o.kind, object: name, err: errText(err), retryInMs: ms });
      }
      // What the server has is unknown now (the write may have landed): forget it, so the retry
      // creates if needed.
      this.known?.delete(name);
      if (!this.stopped)
        this.retry.set(
          name,
          this.o.clock.setTimeout(() => {
            this.retry.delete(name);
            this.enqueue(name);
          }, ms),
        );
    } finally {
      this.inflight.delete(name);
      this.pump();
    }
  }

  private maybeIdle(): void {
    if (this.inflight.size > 0 || (this.queue.size > 0 && this.known !== undefined)) return;
    const w = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of w) f();
  }

  /** Resolves when nothing is queued or in flight (a retry waiting on its backoff does not count). */
  idle(): Promise<void> {
    if (this.inflight.size === 0 && (this.queue.size === 0 || this.known === undefined)) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  /**
   * Shutdown: nothing of ours should exist any more. Deletes every object this node has (as far as
   * it knows), for at most `waitMs`, then stops.
   */
  async finish(waitMs = 5000): Promise<void> {
    for (const t of this.retry.values()) this.o.clock.clearTimeout(t);
    this.retry.clear();
    this.failures.clear();
    for (const name of [...this.desired.keys()]) this.set(name, undefined);
    this.synced();
    let t: TimerHandle | undefined;
    const limit = new Promise<void>((r) => (t = this.o.clock.setTimeout(r, waitMs)));
    await Promise.race([this.idle(), limit]);
    if (t) this.o.clock.clearTimeout(t);
    this.stop();
  }

  stop(): void {
    this.stopped = true;
    if (this.listTimer) this.o.clock.clearTimeout(this.listTimer);
    for (const t of this.retry.values()) this.o.clock.clearTimeout(t);
    this.retry.clear();
    this.queue.clear();
    this.maybeIdle();
  }
}
