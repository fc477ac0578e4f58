// Re-learning: the allocator a new leader starts from, built from every existing
// status.loadBalancer.ingress, oldest Service first (ties by key), before anything new is handed
// out. Pure, so the reconciler and `kubectl herald` (status, explain) run the same computation.
import type { Labels, Pool } from '@herald/shared';
import type { V1Service } from '@kubernetes/client-node';
import { Allocator } from '../allocator/allocator.js';
import { isOurs } from '../allocator/ownership.js';
import type { AllocationReason } from '../allocator/reasons.js';
import type { AllocService } from '../allocator/types.js';
import { serviceClass, serviceInput, serviceKey, statusIPs } from './service-input.js';
import type { IP } from '@herald/shared';

/**
 * What the allocator is told about a Service it re-learns. A Service with a bad annotation keeps
 * what it validly holds: its bad fields are ignored here, and its reconcile reports them.
 */
export function relearnInput(svc: V1Service, nsLabels: Labels): AllocService {
  const r = serviceInput(svc, nsLabels);
  if (r.ok) return r.service;
  const stripped: V1Service = {
    ...svc,
    metadata: { ...svc.metadata, annotations: {} },
    spec: { ...svc.spec, loadBalancerIP: undefined, ipFamilyPolicy: undefined, ipFamilies: undefined },
  };
  const s = serviceInput(stripped, nsLabels);
  if (!s.ok) throw new Error(`unreachable: a stripped service is valid (${JSON.stringify(s.problems)})`);
  return { ...s.service, ipFamilyPolicy: 'PreferDualStack' };
}

/**
 * creationTimestamp in ms. The typed client gives a Date on a LIST, a watch event the RFC 3339
 * string; String(Date) starts with the weekday, so comparing strings put a Friday before a
 * Thursday. Missing or unparsable: 0 (first, as '' sorted before).
 */
function createdMs(svc: V1Service): number {
  const t = svc.metadata?.creationTimestamp as unknown;
  const ms = t instanceof Date ? t.getTime() : typeof t === 'string' ? Date.parse(t) : NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

export interface Relearned {
  readonly allocator: Allocator;
  /** Services ours (type and class) considered, with or without IPs. */
  readonly services: number;
  readonly learned: number;
  readonly refused: readonly { readonly key: string; readonly ips: readonly IP[]; readonly reason: AllocationReason }[];
}

export function relearnAllocations(
  services: readonly V1Service[],
  pools: Iterable<Pool>,
  lbClass: string | undefined,
  namespaceLabels: (namespace: string) => Labels,
): Relearned {
  const allocator = new Allocator(pools);
  const ours = services
    .filter((s) => isOurs(serviceClass(s), lbClass))
    .sort((a, b) => {
      const ta = createdMs(a);
      const tb = createdMs(b);
      return ta === tb ? serviceKey(a).localeCompare(serviceKey(b)) : ta < tb ? -1 : 1;
    });
  let learned = 0;
  const refused: { key: string; ips: readonly IP[]; reason: AllocationReason }[] = [];
  for (const svc of ours) {
    const { ips } = statusIPs(svc);
    if (ips.length === 0) continue;
    const res = allocator.assign(relearnInput(svc, namespaceLabels(svc.metadata?.namespace ?? 'default')), ips);
    if (res.ok) learned++;
    else refused.push({ key: serviceKey(svc), ips, reason: res.reason });
  }
  return { allocator, services: ours.length, learned, refused };
}
