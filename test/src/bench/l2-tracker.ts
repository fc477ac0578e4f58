// Watches, through the API, when each Service of a namespace is owned in L2: it has an ingress IP
// and exactly one node holds a ServiceL2Status for it. Informers (not list polls), so the time a
// burst converges is known to the event, and 10,000 objects cost the API server one watch each.
// The ownership rule is pure (ownedServices); the class is the thin shell.
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject, type V1Service } from '@kubernetes/client-node';
import { GROUP, ResilientInformer, VERSION, createLogger, systemClock, type ServiceL2StatusStatus } from '@herald/shared';

type L2StatusObject = KubernetesObject & { status?: ServiceL2StatusStatus };

/** Service name -> its owner node, for the Services with an IP and exactly one ServiceL2Status. */
export function ownedServices(ips: ReadonlyMap<string, readonly string[]>, statuses: Iterable<{ readonly service: string; readonly node: string }>): Map<string, string> {
  const holders = new Map<string, Set<string>>();
  for (const s of statuses) (holders.get(s.service) ?? holders.set(s.service, new Set()).get(s.service)!).add(s.node);
  const out = new Map<string, string>();
  for (const [svc, list] of ips) {
    const h = holders.get(svc);
    if (list.length > 0 && h?.size === 1) out.set(svc, [...h][0]!);
  }
  return out;
}

export class L2Tracker {
  private readonly services: ResilientInformer<V1Service>;
  private readonly statuses: ResilientInformer<L2StatusObject>;
  /** Set by the informers' handlers: the state changed since the last `owned()`. */
  private dirty = true;
  private cache = new Map<string, string>();
  private readonly waiters = new Set<() => void>();

  constructor(kc: KubeConfig, readonly namespace: string, heraldNamespace: string) {
    const log = createLogger({ component: 'bench-l2-tracker', level: 'warn' });
    const core = kc.makeApiClient(CoreV1Api);
    const custom = kc.makeApiClient(CustomObjectsApi);
    this.services = new ResilientInformer<V1Service>({
      name: 'bench-services',
      kubeConfig: kc,
      path: `/api/v1/namespaces/${namespace}/services`,
      list: () => core.listNamespacedService({ namespace }),
      clock: systemClock,
      log,
    });
    this.statuses = new ResilientInformer<L2StatusObject>({
      name: 'bench-l2-statuses',
      kubeConfig: kc,
      path: `/apis/${GROUP}/${VERSION}/namespaces/${heraldNamespace}/servicel2statuses`,
      list: () => custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: heraldNamespace, plural: 'servicel2statuses' }) as Promise<KubernetesListObject<L2StatusObject>>,
      clock: systemClock,
      log,
    });
    for (const inf of [this.services, this.statuses] as ResilientInformer<KubernetesObject>[]) {
      for (const ev of ['add', 'update', 'delete'] as const) inf.on(ev, () => this.changed());
    }
  }

  private changed(): void {
    this.dirty = true;
    for (const w of [...this.waiters]) w();
  }

  async start(): Promise<void> {
    await Promise.all([this.services.start(), this.statuses.start()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.services.stop(), this.statuses.stop()]);
  }

  /** Service name -> ingress IPs, for the namespace's Services. */
  ips(): Map<string, string[]> {
    return new Map(this.services.list(this.namespace).map((s) => [s.metadata?.name ?? '', (s.status?.loadBalancer?.ingress ?? []).flatMap((x) => (x.ip ? [x.ip] : []))]));
  }

  /** Service name -> owner node, for the owned ones (cached between changes). */
  owned(): Map<string, string> {
    if (!this.dirty) return this.cache;
    this.dirty = false;
    const statuses = this.statuses.list().flatMap((o) => (o.status?.serviceNamespace === this.namespace && o.status.serviceName && o.status.node ? [{ service: o.status.serviceName, node: o.status.node }] : []));
    this.cache = ownedServices(this.ips(), statuses);
    return this.cache;
  }

  /** Services of the namespace that have an ingress IP (the controller's part done). */
  withIp(): number {
    return this.services.list(this.namespace).filter((s) => (s.status?.loadBalancer?.ingress ?? []).some((x) => x.ip)).length;
  }

  /** ServiceL2Status objects for this namespace's Services (any node). */
  statusCount(): number {
    return this.statuses.list().filter((o) => o.status?.serviceNamespace === this.namespace).length;
  }

  /**
   * Resolves with the time (epoch ms) `pred` first held, checked after a change but at most
   * every 100 ms (a check walks every Service: a burst's thousands of events must not each cost
   * one), and at least every 500 ms; undefined at the deadline.
   */
  async until(pred: (t: L2Tracker) => boolean, deadline: number): Promise<number | undefined> {
    for (let k = 0; k < 1_000_000 && Date.now() < deadline; k++) {
      if (pred(this)) return Date.now();
      await new Promise((r) => setTimeout(r, 100));
      if (this.dirty) continue;
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(500, Math.max(0, deadline - Date.now())));
        this.waiters.add(done);
      });
    }
    return pred(this) ? Date.now() : undefined;
  }
}
