// The HTTP library behind every generated API client a PooledKubeConfig makes: a transport
// (undici-http.ts; client-node's fetch-based one by default) wrapped so a 429, or a 503 with Retry-After, is sent again after the delay the
// server asked for (capped, with jitter), a bounded number of times, for every method.
//
// Why a wrapper and not undici's interceptors.retry composed onto the pooled dispatcher: fetch
// hands the dispatcher its request body as a one-shot async iterator, which the first attempt
// uses up, so the RetryHandler cannot repeat a POST, PUT or PATCH (with undici 8.12 the repeat
// goes out with no body under the old Content-Length and fetch fails; shared/test/k8s/
// retry.test.ts shows it). Only bodiless GETs and DELETEs would be retried. There is also no
// dispatcher for plain-HTTP servers (client-node then uses undici's global one). Here, one layer
// up, the body is still the string client-node serialised, and each repeat goes through the
// client-side rate limiter again, as client-go's retries do.
import { IsomorphicFetchHttpLibrary, wrapHttpLibrary, type HttpLibrary, type RequestContext, type ResponseContext } from '@kubernetes/client-node';
import type { Clock } from '../clock.js';
import type { RateLimiter } from './rate-limiter.js';
import { retryDecision, type RetryOptions } from './retry-policy.js';

export interface RetryObserver {
  /** A request will be sent again after `delayMs` (the server answered `status`). */
  retrying(status: number, delayMs: number, method: string): void;
  /** Still 429/503 after the last repeat: the response goes back to the caller. */
  gaveUp(status: number, method: string): void;
}

export interface RetryingHttpOptions {
  readonly retry: RetryOptions;
  readonly limiter: RateLimiter;
  readonly clock: Clock;
  readonly random?: () => number;
  readonly wallNow?: () => number;
  readonly observer?: RetryObserver | undefined;
  /** The library that sends (default: client-node's fetch-based one). */
  readonly inner?: HttpLibrary;
}

export class RetryAbortedError extends Error {
  override readonly name = 'RetryAbortedError';
}

export function retryingHttpLibrary(o: RetryingHttpOptions): HttpLibrary {
  const inner = o.inner ?? new IsomorphicFetchHttpLibrary();
  const random = o.random ?? Math.random;
  const wallNow = o.wallNow ?? Date.now;
  return wrapHttpLibrary({
    async send(ctx: RequestContext): Promise<ResponseContext> {
      for (let attempt = 0; ; attempt++) {
        const res = await inner.send(ctx).toPromise();
        const d = retryDecision(res.httpStatusCode, res.headers['retry-after'], attempt, o.retry, random(), wallNow());
        if (d.type === 'return') {
          if (d.why === 'gave-up') o.observer?.gaveUp(res.httpStatusCode, ctx.getHttpMethod());
          return res;
        }
        // Read the refusal to its end, so its connection goes back to the pool.
        await res.body.text().catch(() => undefined);
        o.observer?.retrying(res.httpStatusCode, d.delayMs, ctx.getHttpMethod());
        const signal = ctx.getSignal();
        await sleep(o.clock, d.delayMs, signal);
        await o.limiter.acquire(signal);
      }
    },
  });
}

function sleep(clock: Clock, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(reason(signal));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clock.clearTimeout(t);
      reject(reason(signal));
    };
    const t = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function reason(signal: AbortSignal | undefined): Error {
  const r: unknown = signal?.reason;
  return r instanceof Error ? r : new RetryAbortedError('aborted while waiting to retry', { cause: r });
}
