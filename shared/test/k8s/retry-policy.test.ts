import assert from 'node:assert/strict';
import { defaultRetryOptions, parseRetryAfter, retryDecision, type RetryDecision } from '../../src/k8s/retry-policy.js';

describe('retry policy: 429 and 503 with Retry-After', () => {
  const wall = Date.parse('2026-12-03T10:00:00Z');
  const o = defaultRetryOptions;
  const cases: { desc: string; status: number; after?: string; attempt?: number; random?: number; want: RetryDecision }[] = [
    { desc: '429 with Retry-After 1: after 1 s', status: 429, after: '1', want: { type: 'retry', delayMs: 1000, why: 'retry-after' } },
    { desc: 'jitter adds up to 20%', status: 429, after: '1', random: 0.5, want: { type: 'retry', delayMs: 1100, why: 'retry-after' } },
    { desc: 'a long Retry-After is capped at 8 s', status: 429, after: '3600', want: { type: 'retry', delayMs: 8000, why: 'retry-after' } },
    { desc: 'Retry-After as an HTTP-date', status: 429, after: 'Thu, 03 Dec 2026 10:00:03 GMT', want: { type: 'retry', delayMs: 3000, why: 'retry-after' } },
    { desc: 'a date in the past: at once', status: 429, after: 'Thu, 03 Dec 2026 09:00:00 GMT', want: { type: 'retry', delayMs: 0, why: 'retry-after' } },
    { desc: '429 without Retry-After: backoff from 1 s', status: 429, want: { type: 'retry', delayMs: 1000, why: 'backoff' } },
    { desc: '429 without Retry-After, third repeat: 4 s', status: 429, attempt: 2, want: { type: 'retry', delayMs: 4000, why: 'backoff' } },
    { desc: 'backoff capped at 8 s', status: 429, attempt: 4, want: { type: 'retry', delayMs: 8000, why: 'backoff' } },
    { desc: 'garbage Retry-After: backoff', status: 429, after: 'soon-ish', want: { type: 'retry', delayMs: 1000, why: 'backoff' } },
    { desc: '503 with Retry-After is retried', status: 503, after: '2', want: { type: 'retry', delayMs: 2000, why: 'retry-after' } },
    { desc: 'a bare 503 is not', status: 503, want: { type: 'return', why: 'not-retryable' } },
    { desc: '500 is not', status: 500, after: '1', want: { type: 'return', why: 'not-retryable' } },
    { desc: '409 is not', status: 409, want: { type: 'return', why: 'not-retryable' } },
    { desc: '200 is not', status: 200, want: { type: 'return', why: 'not-retryable' } },
    { desc: 'after 5 repeats, the 429 goes back to the caller', status: 429, after: '1', attempt: 5, want: { type: 'return', why: 'gave-up' } },
  ];
  for (const c of cases) {
    it(c.desc, () => assert.deepEqual(retryDecision(c.status, c.after, c.attempt ?? 0, o, c.random ?? 0, wall), c.want));
  }

  it('reads delta-seconds with spaces, and nothing else as seconds', () => {
    assert.equal(parseRetryAfter(' 7 ', wall), 7000);
    assert.equal(parseRetryAfter('1.5', wall), undefined);
    assert.equal(parseRetryAfter('-1', wall), undefined);
    assert.equal(parseRetryAfter(undefined, wall), undefined);
  });

  it('the worst case fits the 60 s request deadline', () => {
    let total = 0;
    for (let a = 0; ; a++) {
      const d = retryDecision(429, '3600', a, o, 0.999, wall);
      if (d.type === 'return') break;
      total += d.delayMs;
    }
    assert.ok(total < 50_000, `${total} ms`);
  });
});
