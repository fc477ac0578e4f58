// A burst of LoadBalancer Services and their EndpointSlices for the load benches: the objects
// (pure builders) and a creator that goes as fast as the API server accepts, with bounded
// concurrency, bounded retries on 429/5xx and a deadline. Shared by load-burst, the loaded L2
// failover and bgp-scale.
import { ApiException, CoreV1Api, DiscoveryV1Api, type KubeConfig, type V1EndpointSlice, type V1Service } from '@kubernetes/client-node';
import { ANNOTATION_ADDRESS_POOL } from '@herald/shared';
import type { SitePlan } from '@herald/lab';

export interface BurstSpec {
  /** The Services' namespace (created by the caller). */
  readonly namespace: string;
  /** Service i is `${prefix}${i}`. */
  readonly prefix: string;
  readonly count: number;
  /** The first `ipv4` Services are IPv4 from pool4, the rest IPv6 from pool6. */
  readonly ipv4: number;
  readonly pool4: string;
  readonly pool6: string;
}

export const serviceName = (b: BurstSpec, i: number): string => `${b.prefix}${i}`;
export const familyOf = (b: BurstSpec, i: number): 4 | 6 => (i < b.ipv4 ? 4 : 6);

export function burstService(b: BurstSpec, i: number): V1Service {
  const v4 = familyOf(b, i) === 4;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: serviceName(b, i), namespace: b.namespace, annotations: { [ANNOTATION_ADDRESS_POOL]: v4 ? b.pool4 : b.pool6 } },
    spec: {
      type: 'LoadBalancer',
      ipFamilies: [v4 ? 'IPv4' : 'IPv6'],
      ipFamilyPolicy: 'SingleStack',
      selector: { app: serviceName(b, i) },
      ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 }],
    },
  };
}

/** A ready backend on every node: every node is eligible, the election picks one owner. */
export function burstSlice(plan: SitePlan, b: BurstSpec, i: number): V1EndpointSlice {
  const v4 = familyOf(b, i) === 4;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${serviceName(b, i)}-1`, namespace: b.namespace, labels: { 'kubernetes.io/service-name': serviceName(b, i) } },
    addressType: v4 ? 'IPv4' : 'IPv6',
    ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
    endpoints: plan.nodes.map((n) => ({ addresses: [v4 ? n.ip4 : n.ip6], nodeName: n.name, conditions: { ready: true, serving: true, terminating: false } })),
  };
}

export interface CreateResult {
  readonly created: number;
  readonly failed: number;
  /** Requests retried after a 429, a 5xx or a dropped connection. */
  readonly retries: number;
  /** The first few failures, "m12: 422 ...". */
  readonly errors: readonly string[];
  /** Epoch ms when the last create was answered. */
  readonly lastAt: number;
  /** Epoch ms when create i was answered (undefined: failed or not attempted). */
  readonly at: readonly (number | undefined)[];
  readonly elapsedMs: number;
  /** Stopped at the deadline with this many not attempted. */
  readonly notAttempted: number;
}

function retryable(err: unknown): boolean {
  if (err instanceof ApiException) return err.code === 429 || err.code >= 500;
  return true; // a dropped connection or a timeout: try again
}

function errText(err: unknown): string {
  if (err instanceof ApiException) return `${err.code} ${typeof err.body === 'string' ? err.body.slice(0, 120) : ''}`;
  return err instanceof Error ? err.message : String(err);
}

/**
 * Runs `count` creates with at most `concurrency` in flight, each retried up to 5 times (backoff
 * 50 ms doubling) on 429/5xx/network errors; a 409 AlreadyExists counts as created. Stops
 * starting new ones at the deadline.
 */
export async function createAll(count: number, create: (i: number) => Promise<unknown>, opts: { concurrency?: number; deadline: number; backoffMs?: (attempt: number) => number }): Promise<CreateResult> {
  const backoff = opts.backoffMs ?? ((attempt: number): number => 50 * 2 ** attempt);
  const t0 = Date.now();
  let next = 0;
  let created = 0;
  let failed = 0;
  let retries = 0;
  let lastAt = t0;
  const errors: string[] = [];
  const at: (number | undefined)[] = new Array<number | undefined>(count).fill(undefined);
  const worker = async (): Promise<void> => {
    while (next < count && Date.now() < opts.deadline) {
      const i = next++;
      for (let attempt = 0; attempt < 6; attempt++) {
        try {
          await create(i);
          created++;
          at[i] = Date.now();
          break;
        } catch (err) {
          if (err instanceof ApiException && err.code === 409) {
            created++;
            at[i] = Date.now();
            break;
          }
          if (attempt < 5 && retryable(err) && Date.now() < opts.deadline) {
            retries++;
            await new Promise((r) => setTimeout(r, backoff(attempt)));
            continue;
          }
          failed++;
          if (errors.length < 3) errors.push(`#${i}: ${errText(err)}`);
          break;
        }
      }
      lastAt = Date.now();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 32, count)) }, worker));
  return { created, failed, retries, errors, lastAt, at, elapsedMs: Date.now() - t0, notAttempted: Math.max(0, count - next) };
}

/**
 * The burst's Services, then their EndpointSlices (as a user applying two files would): indices
 * `from` to b.count - 1 (result index k is Service from + k). Each kind has its own budget, so
 * slow Services never leave the slices no time at all.
 */
export async function createBurst(kc: KubeConfig, plan: SitePlan, b: BurstSpec, opts: { concurrency?: number; budgetMs: number; from?: number }): Promise<{ services: CreateResult; slices: CreateResult }> {
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const from = opts.from ?? 0;
  const n = Math.max(0, b.count - from);
  const concurrency = opts.concurrency ?? 32;
  const services = await createAll(n, (k) => core.createNamespacedService({ namespace: b.namespace, body: burstService(b, from + k) }), { concurrency, deadline: Date.now() + opts.budgetMs });
  const slices = await createAll(n, (k) => discovery.createNamespacedEndpointSlice({ namespace: b.namespace, body: burstSlice(plan, b, from + k) }), { concurrency, deadline: Date.now() + opts.budgetMs });
  return { services, slices };
}

/** "1000 Services in 4.1 s, 1000 slices in 3.2 s (0 failed, 2 retried)". */
export function describeCreate(r: { services: CreateResult; slices: CreateResult }): string {
  const s = (x: CreateResult, what: string): string => `${x.created} ${what} in ${(x.elapsedMs / 1000).toFixed(1)} s${x.notAttempted ? ` (${x.notAttempted} not attempted: deadline)` : ''}`;
  const failed = r.services.failed + r.slices.failed;
  const errs = [...r.services.errors, ...r.slices.errors].slice(0, 2).join('; ');
  return `${s(r.services, 'Services')}, then ${s(r.slices, 'EndpointSlices')}; ${failed} failed${errs ? ` (${errs})` : ''}, ${r.services.retries + r.slices.retries} retried`;
}
