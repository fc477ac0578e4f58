// Metrics of the API client itself: time spent waiting for the client-side rate limiter, and the
// requests sent again after a 429 or 503. One set per registry; kubeconfigs forked from one
// another share it.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { RetryObserver } from './retrying-http.js';

export interface KubeClientMetrics {
  readonly limiterWaitSeconds: Histogram;
  readonly retries: Counter<'code' | 'method'>;
  readonly gaveUp: Counter<'code' | 'method'>;
}

export function kubeClientMetrics(registry: Registry): KubeClientMetrics {
  return {
    limiterWaitSeconds: new Histogram({
      name: 'herald_kube_api_rate_limiter_wait_seconds',
      help: 'Time API requests waited for the client-side rate limiter (--kube-api-qps/--kube-api-burst).',
      buckets: [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
    retries: new Counter({
      name: 'herald_kube_api_retries_total',
      help: 'API requests sent again because the server answered 429, or 503 with Retry-After.',
      labelNames: ['code', 'method'],
      registers: [registry],
    }),
    gaveUp: new Counter({
      name: 'herald_kube_api_retries_exhausted_total',
      help: 'API requests still refused (429/503) after the last retry; the caller got the error.',
      labelNames: ['code', 'method'],
      registers: [registry],
    }),
  };
}

export function retryObserver(m: KubeClientMetrics | undefined): RetryObserver | undefined {
  if (!m) return undefined;
  return {
    retrying: (code, _delay, method) => m.retries.inc({ code: String(code), method }),
    gaveUp: (code, method) => m.gaveUp.inc({ code: String(code), method }),
  };
}
