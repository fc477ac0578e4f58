// A KubeConfig that is a good API client.
//
// It keeps its connections. client-node 2.x builds a new undici Agent for every request whenever
// TLS options exist (any real cluster, and skip-TLS-verify): every API call then opens a new TCP
// connection and TLS handshake. This subclass reuses one dispatcher per context, renewed every
// few minutes so rotated client certificates are picked up.
//
// It limits its own rate, as client-go's flowcontrol token bucket (QPS and burst): every request
// takes a token before it is sent, a watch's establishment counts as one request and its stream
// as none. Waiters go first come, first served, and an aborted waiter leaves the line.
//
// It sends a request again when the server answers 429 (or 503 with Retry-After), after the
// delay the server asked for (see retrying-http.ts for how, and why not undici's retry
// interceptor).
//
// It gives every request that is not a watch a deadline (60 s, kube-apiserver's own default
// request timeout), started once the request has its token (as client-go, so a throttled client
// does not time out requests it never sent). client-node sets none, so a request on a
// connection to an API server that went silent (a partition that drops packets) would wait for
// TCP to give up, many minutes, and whatever awaited it with it. Watches are long-running by
// design and keep no deadline; the informers restart them.
import {
  KubeConfig,
  ServerConfiguration,
  createConfiguration,
  type ApiConstructor,
  type ApiType,
  type HttpLibrary,
  type RequestContext,
} from '@kubernetes/client-node';
import { systemClock, type Clock } from '../clock.js';
import { retryObserver, type KubeClientMetrics } from './client-metrics.js';
import { RateLimiter, type RateLimit } from './rate-limiter.js';
import { retryingHttpLibrary } from './retrying-http.js';
import { undiciHttpLibrary } from './undici-http.js';
import { defaultRetryOptions, type RetryOptions } from './retry-policy.js';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

// Client-side limits. controller-runtime >= 0.21 turns client-side limiting off by default, on
// SIG API Machinery's advice: API Priority and Fairness protects the server, per flow, and a
// client that honours 429 + Retry-After backs off exactly when the server asks. client-go's
// zero-value default (5 QPS, burst 10) would cap herald-controller at 2.5 Services/s, since it
// writes a status and an annotation per Service.
//
// herald-controller: one leader writes; its writes are made only on change, coalesced per
// Service, and its Events are aggregated, spam-filtered and bounded. It defaults to no client
// limit, so its throughput is the API server's; an operator can still set --kube-api-qps.
export const CONTROLLER_KUBE_API_LIMIT: RateLimit = { qps: -1, burst: 100 };
// herald-speaker: one per node, so N of them share the server; its writes (status objects,
// Events) are not on the announcement path (an IP answers before its status is written), but
// they are what an operator reads. A speaker writes only for the IPs it owns, so a burst of
// changes is spread over the nodes, and the rate per speaker is that share. Measured (make
// bench, load burst): a new ServiceL2Status is two requests (create, then its /status), and at
// 20/s each of 3 speakers took ~29 s to report 1,000 new Services. 50/100 is kubelet's own default
// and the heaviest per-node client's; by arithmetic it should report them in about half that (not
// yet measured on a quiet machine). Events and the Lease have
// clients of their own (main.ts), so neither waits behind status writes.
export const SPEAKER_KUBE_API_LIMIT: RateLimit = { qps: 50, burst: 100 };

export interface KubeClientOptions {
  /** Client-side requests per second; negative (the default): no limit. */
  readonly qps?: number;
  /** Burst of the client-side limit (default 2 x qps, at least 1). */
  readonly burst?: number;
  /** How 429 / 503 + Retry-After are retried. */
  readonly retry?: Partial<RetryOptions>;
  /** User-Agent of every request (default "herald"): the API server's audit log shows it. */
  readonly userAgent?: string;
  /** Dispatcher renewal period (default 5 minutes). */
  readonly renewMs?: number;
  /** Deadline of every request that is not a watch (default 60 s); 0: none. */
  readonly requestTimeoutMs?: number;
  readonly clock?: Clock;
  readonly metrics?: KubeClientMetrics | undefined;
}

export class PooledKubeConfig extends KubeConfig {
  private pooled: { context: string; dispatcher: Dispatcher; at: number } | undefined;
  readonly limiter: RateLimiter;
  private readonly http: HttpLibrary;
  readonly requestTimeoutMs: number;
  private readonly renewMs: number;
  private readonly userAgent: string;

  constructor(private readonly opts: KubeClientOptions = {}) {
    super();
    this.renewMs = opts.renewMs ?? 5 * 60_000;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 60_000;
    this.userAgent = opts.userAgent ?? 'herald';
    const clock = opts.clock ?? systemClock;
    const qps = opts.qps ?? -1;
    this.limiter = new RateLimiter({ qps, burst: opts.burst ?? Math.max(1, Math.round(2 * qps)) }, clock);
    this.http = retryingHttpLibrary({ inner: undiciHttpLibrary(), retry: { ...defaultRetryOptions, ...opts.retry }, limiter: this.limiter, clock, observer: retryObserver(opts.metrics) });
  }

  /**
   * The same clusters, users and contexts, with a rate limiter and connections of its own: for
   * requests that must never queue behind bulk writes (a Lease renewal), as kube-controller-
   * manager gives leader election a client of its own.
   */
  fork(opts: KubeClientOptions = {}): PooledKubeConfig {
    const k = new PooledKubeConfig({ ...this.opts, ...opts });
    k.loadFromOptions({ clusters: this.clusters, users: this.users, contexts: this.contexts, currentContext: this.currentContext });
    return k;
  }

  override makeApiClient<T extends ApiType>(apiClientType: ApiConstructor<T>): T {
    const cluster = this.getCurrentCluster();
    if (!cluster) throw new Error('No active cluster!');
    return new apiClientType(createConfiguration({ baseServer: new ServerConfiguration(cluster.server, {}), authMethods: { default: this }, httpApi: this.http }));
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    context.setHeaderParam('User-Agent', this.userAgent);
    const waited = await this.limiter.acquire(context.getSignal());
    if (this.limiter.limited) this.opts.metrics?.limiterWaitSeconds.observe(waited / 1000);
    if (this.requestTimeoutMs > 0 && !context.getSignal() && !isWatch(context.getUrl())) context.setSignal(AbortSignal.timeout(this.requestTimeoutMs));
    const fresh = context.getDispatcher();
    if (!fresh) return;
    const now = Date.now();
    const p = this.pooled;
    if (p && p.context === this.currentContext && now - p.at < this.renewMs) {
      context.setDispatcher(p.dispatcher);
      // The one made for this request was never used and holds no socket: it is left to the
      // garbage collector. close() would destroy it, and undici builds a ClientDestroyedError
      // (a stack trace) per destroy: 30 µs per request, 3% of the controller's CPU in a burst.
      return;
    }
    if (p) {
      // Requests in flight on the old one finish; close() waits for them.
      void p.dispatcher.close().catch(() => undefined);
    }
    this.pooled = { context: this.currentContext, dispatcher: fresh, at: now };
  }
}

function isWatch(url: string): boolean {
  const q = url.indexOf('?');
  return q >= 0 && new URLSearchParams(url.slice(q + 1)).get('watch') === 'true';
}

/**
 * Loads a kubeconfig (file, or the default chain: $KUBECONFIG, in-cluster, ~/.kube/config).
 * Without options there is no client-side limit; the speaker passes SPEAKER_KUBE_API_LIMIT (or
 * its --kube-api-qps/--kube-api-burst), e.g. `loadKubeConfig(file, { qps, burst })`.
 */
export function loadKubeConfig(file?: string, opts: KubeClientOptions = {}): PooledKubeConfig {
  const kc = new PooledKubeConfig(opts);
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  return kc;
}
