// A token bucket, as client-go's flowcontrol and golang.org/x/time/rate: `burst` tokens at most,
// refilled at `perSecond`. Pure: time is an argument, state is a value. The API client's rate
// limiter and the Event spam filter are both built on it.

export interface BucketRate {
  /** Tokens added per second (> 0). */
  readonly perSecond: number;
  /** Capacity, and the tokens a fresh bucket holds (>= 1). */
  readonly burst: number;
}

export interface TokenBucket {
  readonly tokens: number;
  /** When `tokens` was computed (ms, the caller's clock). */
  readonly at: number;
}

export type TakeResult =
  | { readonly ok: true; readonly bucket: TokenBucket }
  /** No token now; one will be there in `waitMs` (if nobody else takes it). */
  | { readonly ok: false; readonly bucket: TokenBucket; readonly waitMs: number };

export class BadRateError extends Error {
  override readonly name = 'BadRateError';
}

/** Throws unless the rate can be used: perSecond > 0 and finite, burst an integer >= 1. */
export function checkRate(rate: BucketRate): BucketRate {
  if (!Number.isFinite(rate.perSecond) || rate.perSecond <= 0) throw new BadRateError(`rate must be a number > 0 per second, not ${rate.perSecond}`);
  if (!Number.isInteger(rate.burst) || rate.burst < 1) throw new BadRateError(`burst must be an integer >= 1, not ${rate.burst}`);
  return rate;
}

export function fullBucket(rate: BucketRate, now: number): TokenBucket {
  return { tokens: rate.burst, at: now };
}

/** The bucket at `now`: refilled for the time since it was last computed, capped at burst. */
export function refill(b: TokenBucket, rate: BucketRate, now: number): TokenBucket {
  if (now <= b.at) return b;
  return { tokens: Math.min(rate.burst, b.tokens + ((now - b.at) * rate.perSecond) / 1000), at: now };
}

/** Takes one token if there is one at `now`. */
export function take(b: TokenBucket, rate: BucketRate, now: number): TakeResult {
  const r = refill(b, rate, now);
  // The epsilon absorbs float error, so a caller that waits exactly waitMs gets its token.
  if (r.tokens >= 1 - 1e-9) return { ok: true, bucket: { tokens: Math.max(0, r.tokens - 1), at: r.at } };
  return { ok: false, bucket: r, waitMs: Math.max(1, Math.ceil(((1 - r.tokens) * 1000) / rate.perSecond)) };
}
