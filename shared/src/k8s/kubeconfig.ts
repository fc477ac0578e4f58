// A KubeConfig that keeps its connections. client-node 2.x builds a new undici Agent for every
// request whenever TLS options exist (any real cluster, and skip-TLS-verify): every API call then
// opens a new TCP connection and TLS handshake. This subclass reuses one dispatcher per context,
// renewed every few minutes so rotated client certificates are picked up.
//
// It also gives every request that is not a watch a deadline (60 s, kube-apiserver's own default
// request timeout). client-node sets none, so a request on a connection to an API server that
// went silent (a partition that drops packets) would wait for TCP to give up, many minutes, and
// whatever awaited it (a status writer, a config-state report) with it. Watches are long-running
// by design and keep no deadline; the informers restart them.
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

export class PooledKubeConfig extends KubeConfig {
  private pooled: { context: string; dispatcher: Dispatcher; at: number } | undefined;

  constructor(
    private readonly renewMs = 5 * 60_000,
    /** Deadline of every request that is not a watch; 0: none. */
    readonly requestTimeoutMs = 60_000,
  ) {
    super();
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    if (this.requestTimeoutMs > 0 && !context.getSignal() && !isWatch(context.getUrl())) context.setSignal(AbortSignal.timeout(this.requestTimeoutMs));
    const fresh = context.getDispatcher();
    if (!fresh) return;
    const now = Date.now();
    const p = this.pooled;
    if (p && p.context === this.currentContext && now - p.at < this.renewMs) {
      context.setDispatcher(p.dispatcher);
      // The one made for this request was never used: let it go.
      void fresh.close().catch(() => undefined);
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

/** Loads a kubeconfig (file, or the default chain: $KUBECONFIG, in-cluster, ~/.kube/config). */
export function loadKubeConfig(file?: string): PooledKubeConfig {
  const kc = new PooledKubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  return kc;
}
