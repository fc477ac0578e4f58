// A keyed work queue, as client-go's: informer handlers only add keys; one handler runs per key at
// a time; a key added while it is being handled runs again afterwards; outcomes decide retries,
// with per-key exponential backoff. Time comes from an injected Clock.
import type { Clock, TimerHandle } from '../clock.js';

/** What a reconcile returns; the queue turns it into retries. */
export type Outcome =
  | { readonly type: 'done' }
  /** Try again after a backoff (a transient failure: a 409, a dropped connection). */
  | { readonly type: 'retry'; readonly reason: string; readonly cause?: unknown }
  /** Try again after exactly this delay (a known wait, not a failure). */
  | { readonly type: 'requeue-after'; readonly ms: number }
  /** Give up on this key until something changes it (bad input: retrying cannot help). */
  | { readonly type: 'no-retry'; readonly reason: string };

export const done: Outcome = { type: 'done' };

export interface WorkQueueOptions {
  readonly handler: (key: string) => Promise<Outcome>;
  readonly clock: Clock;
  /** Workers; a key is never handled by two at once. Default 1. */
  readonly concurrency?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Called for each finished attempt (metrics, logs). */
  readonly onOutcome?: (key: string, outcome: Outcome | { type: 'crashed'; error: unknown }, ms: number) => void;
}

export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  /** Keys added again while active: they run once more when the current run ends. */
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly delayed = new Map<string, TimerHandle>();
  private running = 0;
  private stopped = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly opts: WorkQueueOptions) {}

  add(key: string): void {
    if (this.stopped) return;
    const timer = this.delayed.get(key);
    if (timer) {
      this.opts.clock.clearTimeout(timer);
      this.delayed.delete(key);
    }
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  addAfter(key: string, ms: number): void {
    if (this.stopped || this.delayed.has(key)) return;
    this.delayed.set(
      key,
      this.opts.clock.setTimeout(() => {
        this.delayed.delete(key);
        this.add(key);
      }, ms),
    );
  }

  /** Forgets a key's failure count (after it succeeded, or it was deleted). */
  forget(key: string): void {
    this.failures.delete(key);
  }

  get length(): number {
    return this.queue.length;
  }

  /** Resolves when nothing is queued or running (delayed retries do not count). */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  shutDown(): void {
    this.stopped = true;
    for (const t of this.delayed.values()) this.opts.clock.clearTimeout(t);
    this.delayed.clear();
    this.queue.length = 0;
    this.queued.clear();
  }

  backoffFor(key: string): number {
    const n = this.failures.get(key) ?? 0;
    const base = this.opts.baseDelayMs ?? 100;
    const max = this.opts.maxDelayMs ?? 30_000;
    return Math.min(max, base * 2 ** Math.max(0, n - 1));
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 1;
    while (!this.stopped && this.running < limit && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.active.add(key);
      this.running++;
      void this.work(key);
    }
    if (this.queue.length === 0 && this.running === 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async work(key: string): Promise<void> {
    const start = this.opts.clock.now();
    let outcome: Outcome | { type: 'crashed'; error: unknown };
    try {
      outcome = await this.opts.handler(key);
    } catch (error) {
      outcome = { type: 'crashed', error };
    }
    this.opts.onOutcome?.(key, outcome, this.opts.clock.now() - start);
    this.active.delete(key);
    this.running--;
    switch (outcome.type) {
      case 'done':
      case 'no-retry':
        this.failures.delete(key);
        break;
      case 'requeue-after':
        this.failures.delete(key);
        if (!this.dirty.has(key)) this.addAfter(key, outcome.ms);
        break;
      case 'retry':
      case 'crashed':
        this.failures.set(key, (this.failures.get(key) ?? 0) + 1);
        if (!this.dirty.has(key)) this.addAfter(key, this.backoffFor(key));
        break;
    }
    if (this.dirty.delete(key)) this.add(key);
    this.pump();
  }
}
