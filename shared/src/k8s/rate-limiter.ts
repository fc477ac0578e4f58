// Client-side rate limiting of API requests, as client-go's flowcontrol token bucket (QPS and
// burst). Waiters are served strictly first come, first served, so two requests for one object
// leave in the order they were made; a waiter whose AbortSignal fires leaves the line at once.
import type { Clock, TimerHandle } from '../clock.js';
import { checkRate, fullBucket, take, type BucketRate, type TokenBucket } from './token-bucket.js';

export interface RateLimit {
  /** Requests per second; negative: no limit. 0 is refused (say -1 to mean "none"). */
  readonly qps: number;
  /** Requests allowed at once after a quiet spell (>= 1; ignored without a limit). */
  readonly burst: number;
}

export class RateLimiterAbortedError extends Error {
  override readonly name = 'RateLimiterAbortedError';
}

interface Waiter {
  readonly resolve: (waitedMs: number) => void;
  readonly reject: (err: Error) => void;
  readonly since: number;
  done: boolean;
  unlisten?: () => void;
}

export class RateLimiter {
  private readonly rate: BucketRate | undefined;
  private bucket: TokenBucket | undefined;
  private readonly line: Waiter[] = [];
  private head = 0;
  private timer: TimerHandle | undefined;

  constructor(
    limit: RateLimit,
    private readonly clock: Clock,
  ) {
    if (limit.qps === 0 || Number.isNaN(limit.qps)) throw new RangeError(`qps must be > 0, or negative for no limit; not ${limit.qps}`);
    this.rate = limit.qps < 0 ? undefined : checkRate({ perSecond: limit.qps, burst: limit.burst });
  }

  get limited(): boolean {
    return this.rate !== undefined;
  }

  /** Requests waiting for a token now. */
  get waiting(): number {
    let n = 0;
    for (let i = this.head; i < this.line.length; i++) if (!this.line[i]!.done) n++;
    return n;
  }

  /**
   * Resolves (with the time waited, ms) when this request may go. Rejects with the signal's
   * reason if it is aborted first; an aborted waiter takes no token.
   */
  acquire(signal?: AbortSignal): Promise<number> {
    const rate = this.rate;
    if (!rate) return Promise.resolve(0);
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const now = this.clock.now();
    if (this.head === this.line.length) {
      const r = take(this.bucket ?? fullBucket(rate, now), rate, now);
      this.bucket = r.bucket;
      if (r.ok) return Promise.resolve(0);
    }
    return new Promise<number>((resolve, reject) => {
      const w: Waiter = { resolve, reject, since: now, done: false };
      if (signal) {
        const onAbort = (): void => {
          if (w.done) return;
          w.done = true;
          reject(abortReason(signal));
          this.compact();
        };
        signal.addEventListener('abort', onAbort, { once: true });
        w.unlisten = () => signal.removeEventListener('abort', onAbort);
      }
      this.line.push(w);
      this.schedule();
    });
  }

  private schedule(): void {
    const rate = this.rate;
    if (!rate || this.timer || this.head === this.line.length) return;
    const now = this.clock.now();
    const r = take(this.bucket ?? fullBucket(rate, now), rate, now);
    // Only peek: the token is taken when the timer fires, for whoever is first then.
    const wait = r.ok ? 0 : r.waitMs;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.serve();
    }, wait);
  }

  private serve(): void {
    const rate = this.rate;
    if (!rate) return;
    for (;;) {
      this.compact();
      if (this.head === this.line.length) break;
      const now = this.clock.now();
      const r = take(this.bucket ?? fullBucket(rate, now), rate, now);
      this.bucket = r.bucket;
      if (!r.ok) break;
      const w = this.line[this.head++]!;
      w.done = true;
      w.unlisten?.();
      w.resolve(now - w.since);
    }
    this.schedule();
  }

  /** Drops finished waiters from the front, and reclaims the array now and then. */
  private compact(): void {
    while (this.head < this.line.length && this.line[this.head]!.done) this.head++;
    if (this.head === this.line.length) {
      this.line.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.line.length) {
      this.line.splice(0, this.head);
      this.head = 0;
    }
  }
}

function abortReason(signal: AbortSignal): Error {
  const r: unknown = signal.reason;
  return r instanceof Error ? r : new RateLimiterAbortedError('aborted while waiting for the client-side rate limiter', { cause: r });
}
