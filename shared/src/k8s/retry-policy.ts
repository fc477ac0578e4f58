// When to send an API request again, and after how long. Pure: the caller passes the attempt,
// the response and a random number.
//
// A 429 means the server did not process the request (API Priority and Fairness, or
// max-in-flight, turned it away before it reached storage), so it is safe to repeat for every
// method, POST and PATCH included. A 503 is repeated only when it carries Retry-After: that is
// the server saying the same thing; a bare 503 may come from a request that half happened.

export interface RetryOptions {
  /** Repeats after the first attempt (default 5). */
  readonly maxRetries: number;
  /** A Retry-After longer than this is cut down to it (default 8 s). */
  readonly maxDelayMs: number;
  /** First delay when the server gives no Retry-After; doubled on every repeat (default 1 s). */
  readonly baseDelayMs: number;
  /** Up to this fraction is added at random to every delay, so clients do not come back in step. */
  readonly jitter: number;
}

// 5 repeats with delays capped at 8 s (+20% jitter: 48 s at worst) stay within the 60 s deadline every request has.
export const defaultRetryOptions: RetryOptions = { maxRetries: 5, maxDelayMs: 8000, baseDelayMs: 1000, jitter: 0.2 };

export type RetryDecision =
  | { readonly type: 'retry'; readonly delayMs: number; readonly why: 'retry-after' | 'backoff' }
  | { readonly type: 'return'; readonly why: 'not-retryable' | 'gave-up' };

/**
 * Retry-After as milliseconds: delta-seconds, or an HTTP-date (RFC 9110 §10.2.3) measured from
 * `wallNow`. Undefined if absent or unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | undefined, wallNow: number): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  if (!/[a-z]/i.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - wallNow);
}

/**
 * After attempt `attempt` (0 for the first) got `status`: repeat, or hand the response back.
 * `random` is in [0, 1).
 */
export function retryDecision(
  status: number,
  retryAfter: string | undefined,
  attempt: number,
  o: RetryOptions,
  random: number,
  wallNow: number,
): RetryDecision {
  const after = parseRetryAfter(retryAfter, wallNow);
  const retryable = status === 429 || (status === 503 && after !== undefined);
  if (!retryable) return { type: 'return', why: 'not-retryable' };
  if (attempt >= o.maxRetries) return { type: 'return', why: 'gave-up' };
  const base = after !== undefined ? Math.min(after, o.maxDelayMs) : Math.min(o.maxDelayMs, o.baseDelayMs * 2 ** attempt);
  const delayMs = Math.round(base + base * o.jitter * Math.min(Math.max(random, 0), 1));
  return { type: 'retry', delayMs, why: after !== undefined ? 'retry-after' : 'backoff' };
}
