// The load side of the controller bench: Services created at a given pace (serial, a burst, or
// open-loop at a fixed rate), and a watch that notes when each Service first carries an IP in
// its status.
import { setTimeout as sleep } from 'node:timers/promises';
import { makeInformer, type CoreV1Api, type KubeConfig, type V1Service } from '@kubernetes/client-node';

export function benchService(name: string): V1Service {
  return { metadata: { name }, spec: { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ipFamilies: ['IPv6'], ipFamilyPolicy: 'SingleStack', ports: [{ port: 80, protocol: 'TCP' }] } };
}

export interface CreateResult {
  /** When each create was sent (performance.now()), by name. */
  readonly sentAt: ReadonlyMap<string, number>;
  readonly sent: number;
  readonly failed: number;
  readonly elapsedMs: number;
}

export interface Pace {
  /** Creates outstanding at most: 1 is a serial creator, which goes at the pace the server answers. */
  readonly maxInFlight: number;
  /** Open-loop rate (each create sent at its appointed time); Infinity: as fast as maxInFlight allows. */
  readonly perSecond: number;
  /** Stop sending at this performance.now(). */
  readonly deadline: number;
}

/** Creates `names` at the given pace. Bounded in count (names.length) and in time (the deadline). */
export async function createServices(core: CoreV1Api, namespace: string, names: readonly string[], pace: Pace): Promise<CreateResult> {
  const sentAt = new Map<string, number>();
  const inflight = new Set<Promise<void>>();
  let failed = 0;
  const t0 = performance.now();
  for (let i = 0; i < names.length; i++) {
    const ahead = t0 + (i * 1000) / pace.perSecond - performance.now();
    if (ahead > 1) await sleep(ahead);
    while (inflight.size >= pace.maxInFlight) await Promise.race(inflight);
    const now = performance.now();
    if (now > pace.deadline) break;
    const name = names[i]!;
    sentAt.set(name, now);
    const p = core
      .createNamespacedService({ namespace, body: benchService(name) })
      .then(() => undefined)
      .catch(() => {
        failed++;
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  }
  await Promise.all(inflight);
  return { sentAt, sent: sentAt.size, failed, elapsedMs: performance.now() - t0 };
}

/** Notes, per Service of one namespace, when a watch first saw an IP in its status. */
export class StatusWatch {
  /** performance.now() of the first sighting of an ingress IP, by name. */
  readonly seenAt = new Map<string, number>();
  private readonly informer;
  private waiters: { n: number; resolve: () => void }[] = [];

  constructor(kc: KubeConfig, core: CoreV1Api, namespace: string, onSeen?: (count: number) => void) {
    this.informer = makeInformer(kc, `/api/v1/namespaces/${namespace}/services`, () => core.listNamespacedService({ namespace }));
    const seen = (s: V1Service): void => {
      const name = s.metadata?.name;
      if (!name || this.seenAt.has(name) || !s.status?.loadBalancer?.ingress?.length) return;
      this.seenAt.set(name, performance.now());
      onSeen?.(this.seenAt.size);
      this.waiters = this.waiters.filter((w) => {
        if (this.seenAt.size < w.n) return true;
        w.resolve();
        return false;
      });
    };
    this.informer.on('add', seen);
    this.informer.on('update', seen);
  }

  start(): Promise<void> {
    return this.informer.start();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  /** Resolves true once `n` Services carry an IP, false at `timeoutMs`. */
  async waitFor(n: number, timeoutMs: number): Promise<boolean> {
    if (this.seenAt.size >= n) return true;
    const ac = new AbortController();
    const reached = new Promise<boolean>((resolve) => this.waiters.push({ n, resolve: () => resolve(true) }));
    const timedOut = sleep(timeoutMs, false, { signal: ac.signal }).catch(() => false);
    const r = await Promise.race([reached, timedOut]);
    ac.abort();
    return r;
  }
}

/** Created -> status latencies (ms) of every Service seen, and the ones never seen. */
export function latencies(sentAt: ReadonlyMap<string, number>, seenAt: ReadonlyMap<string, number>): { ms: number[]; missing: number } {
  const ms: number[] = [];
  let missing = 0;
  for (const [name, t0] of sentAt) {
    const t1 = seenAt.get(name);
    if (t1 === undefined) missing++;
    else ms.push(t1 - t0);
  }
  return { ms, missing };
}

/** The most status sightings in any one-second window (a sliding window over the sorted times). */
export function peakPerSecond(times: Iterable<number>): number {
  const t = [...times].sort((a, b) => a - b);
  let best = 0;
  let lo = 0;
  for (let hi = 0; hi < t.length; hi++) {
    while (t[hi]! - t[lo]! >= 1000) lo++;
    best = Math.max(best, hi - lo + 1);
  }
  return best;
}
