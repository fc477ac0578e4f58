// A KubeConfig that keeps its connections. client-node 2.x builds a new undici Agent for every
// request whenever TLS options exist (any real cluster, and skip-TLS-verify): every API call then
// opens a new TCP connection and TLS handshake. This subclass reuses one dispatcher per context,
// renewed every few minutes so rotated client certificates are picked up.
import { KubeConfig, type RequestContext } from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

export class PooledKubeConfig extends KubeConfig {
  private pooled: { context: string; dispatcher: Dispatcher; at: number } | undefined;

  constructor(private readonly renewMs = 5 * 60_000) {
    super();
  }

  override async applySecurityAuthentication(context: RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
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

/** Loads a kubeconfig (file, or the default chain: $KUBECONFIG, in-cluster, ~/.kube/config). */
export function loadKubeConfig(file?: string): PooledKubeConfig {
  const kc = new PooledKubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromDefault();
  return kc;
}
