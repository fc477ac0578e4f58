// The chaos run's view of the API: every 250 ms, the lab namespace's Services and Herald's
// ServiceL2Status objects, through the real @kubernetes/client-node, kept as ApiSnapshot when they
// changed. A read that fails or takes over 1 s (the API server restarting or stalled) is counted
// and skipped: the last good view stands, as a client's cache would.
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type V1Service } from '@kubernetes/client-node';
import { ANNOTATION_ALLOW_SHARED_IP, GROUP, VERSION, type ServiceL2StatusStatus } from '@herald/shared';
import type { ApiSnapshot, ServiceView } from './observations.js';

const POOL_ANNOTATION = 'herald.dev/address-pool';
const MAX_SNAPSHOTS = 200_000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

export function serviceView(s: V1Service): ServiceView {
  const pool = s.metadata?.annotations?.[POOL_ANNOTATION];
  return {
    name: s.metadata?.name ?? '',
    uid: s.metadata?.uid ?? '',
    ips: (s.status?.loadBalancer?.ingress ?? []).flatMap((i) => (i.ip ? [i.ip] : [])),
    pool,
    mode: pool === 'lab-l2' ? 'l2' : pool === 'lab-bgp' ? 'bgp' : 'unknown',
    etp: s.spec?.externalTrafficPolicy ?? 'Cluster',
    sharingKey: s.metadata?.annotations?.[ANNOTATION_ALLOW_SHARED_IP],
  };
}

export class ApiPoller {
  readonly snapshots: ApiSnapshot[] = [];
  failedReads = 0;
  reads = 0;
  private lastKey = '';
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private readonly core: CoreV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(kc: KubeConfig, private readonly namespace: string, private readonly heraldNamespace: string, private readonly onSnapshot: (s: ApiSnapshot) => void = () => undefined) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  get latest(): ApiSnapshot | undefined {
    return this.snapshots[this.snapshots.length - 1];
  }

  /** One read now; resolves with the snapshot, or undefined if the API did not answer. */
  async read(): Promise<ApiSnapshot | undefined> {
    this.reads++;
    try {
      const [svcs, l2] = await withTimeout(
        Promise.all([
          this.core.listNamespacedService({ namespace: this.namespace }),
          this.custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.heraldNamespace, plural: 'servicel2statuses' }) as Promise<{ items: { status?: ServiceL2StatusStatus }[] }>,
        ]),
        1000,
      );
      const services = svcs.items.map(serviceView).sort((a, b) => (a.name < b.name ? -1 : 1));
      const statuses = l2.items
        .flatMap((o) => (o.status?.serviceNamespace === this.namespace && o.status.serviceName && o.status.node ? [{ service: o.status.serviceName, node: o.status.node }] : []))
        .sort((a, b) => (a.service + a.node < b.service + b.node ? -1 : 1));
      const key = JSON.stringify([services, statuses]);
      const snap: ApiSnapshot = { t: Date.now(), services, l2: statuses };
      if (key !== this.lastKey && this.snapshots.length < MAX_SNAPSHOTS) {
        this.lastKey = key;
        this.snapshots.push(snap);
        this.onSnapshot(snap);
      }
      return snap;
    } catch {
      this.failedReads++;
      return undefined;
    }
  }

  start(everyMs = 250): void {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      void this.read().finally(() => {
        this.busy = false;
      });
    }, everyMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
