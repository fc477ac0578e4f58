// `kubectl herald explain service NS/NAME`, pure: a Snapshot in, the answer out. Allocation from
// the controller's allocator, announcements from the speakers' desiredAnnouncements, both fed the
// live objects, so the answer is the components' own; plus the Service's last Events.
import { formatConfigError } from '@herald/shared/config';
import { ingressIPs } from '@herald/speaker/announce';
import { CliError } from '../errors.js';
import { age, configOf, handledServices, keyOf } from '../cluster/derive.js';
import type { Snapshot } from '../cluster/snapshot.js';
import { explainAllocation, type AllocationExplained } from './allocation.js';
import { explainAnnouncements, type AnnounceExplained } from './announce.js';

export interface EventLine {
  readonly type: string;
  readonly reason: string;
  readonly age: string;
  readonly count: number;
  readonly message: string;
}

export interface Explanation {
  readonly service: {
    readonly namespace: string;
    readonly name: string;
    readonly ips: readonly string[];
    readonly externalTrafficPolicy: string;
    readonly handled: boolean;
    readonly notHandledWhy?: string;
  };
  readonly config: { readonly valid: boolean; readonly errors: readonly string[] };
  readonly allocation: AllocationExplained | undefined;
  readonly announcements: AnnounceExplained | undefined;
  readonly events: readonly EventLine[];
}

/** How many of the last Events explain shows. */
export const EVENTS_SHOWN = 10;

function eventTime(e: Snapshot['events'][number]): number {
  const t = (e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata?.creationTimestamp) as unknown;
  return t instanceof Date ? t.getTime() : typeof t === 'string' ? Date.parse(t) : 0;
}

export function explainService(s: Snapshot, key: string): Explanation {
  const svc = s.services.find((x) => keyOf(x) === key);
  if (!svc) throw new CliError(`Service ${key} not found`, 1);
  const handled = handledServices(s).some((x) => keyOf(x) === key);
  const cv = configOf(s);
  const events = [...s.events]
    .sort((a, b) => eventTime(b) - eventTime(a))
    .slice(0, EVENTS_SHOWN)
    .map((e) => ({ type: e.type ?? '', reason: e.reason ?? '', age: age(s.now - eventTime(e)), count: e.count ?? 1, message: e.message ?? '' }));
  const service = {
    namespace: svc.metadata?.namespace ?? 'default',
    name: svc.metadata?.name ?? '',
    ips: ingressIPs(svc).map(String),
    externalTrafficPolicy: svc.spec?.externalTrafficPolicy ?? 'Cluster',
    handled,
    ...(handled
      ? {}
      : { notHandledWhy: svc.spec?.type !== 'LoadBalancer' ? `type ${svc.spec?.type ?? 'ClusterIP'}, not LoadBalancer` : `loadBalancerClass ${svc.spec.loadBalancerClass ?? ''}: Herald handles Services with no class` }),
  };
  return {
    service,
    config: { valid: cv.config !== undefined, errors: cv.errors.map(formatConfigError) },
    allocation: handled ? explainAllocation(s, svc, cv.pools) : undefined,
    announcements: handled && cv.config ? explainAnnouncements(s, svc, cv.config) : undefined,
    events,
  };
}
