// The allocation half of explain: what the controller's allocator decides for this Service (it is
// run on the allocations re-learnt from every Service, as a new leader has them), and for every
// other pool why it is not the one. The per-pool reasons use the allocator's own policy
// functions (poolRefuses, familyPlan, planFamilies, comparePinned) and its pool counts.
import { comparePinned, familyPlan, planFamilies, poolRefuses, reasonMessage, type AllocService } from '@herald/controller/allocator';
import { serviceInput } from '@herald/controller/service-input';
import type { Config, Pool } from '@herald/shared/config';
import { familyName } from '@herald/shared/net';
import type { V1Service } from '@kubernetes/client-node';
import { namespaceLabels, relearn } from '../cluster/derive.js';
import type { Snapshot } from '../cluster/snapshot.js';

export type PoolWhyNot =
  | { readonly type: 'chosen' }
  | { readonly type: 'requested-pool'; readonly requested: string }
  | { readonly type: 'requested-ips'; readonly ips: readonly string[] }
  | { readonly type: 'auto-assign-off' }
  | { readonly type: 'selector'; readonly why: 'namespace' | 'service-selector' }
  | { readonly type: 'family'; readonly wants: readonly string[] }
  | { readonly type: 'exhausted'; readonly families: readonly string[] }
  | { readonly type: 'priority'; readonly after: string; readonly detail: string }
  /** Tried, with free addresses of the family, yet gave none this Service could take (sharing rules). */
  | { readonly type: 'passed-over'; readonly families: readonly string[] }
  /** The Service already holds valid IPs of another pool: an IP never moves while validly held. */
  | { readonly type: 'held'; readonly by: string };

export interface AllocationExplained {
  /** The controller's decision now: keeps/gets these IPs from this pool, or stays pending and why. */
  readonly decision:
    | { readonly type: 'allocated'; readonly ips: readonly string[]; readonly pool: string; readonly kept: boolean }
    | { readonly type: 'pending'; readonly reason: string }
    | { readonly type: 'bad-input'; readonly problems: readonly string[] };
  readonly pools: readonly { readonly name: string; readonly why: PoolWhyNot }[];
}

export function poolWhyNotText(name: string, w: PoolWhyNot): string {
  switch (w.type) {
    case 'chosen':
      return `${name}: chosen`;
    case 'requested-pool':
      return `${name}: the Service asks for pool ${w.requested} (address-pool annotation)`;
    case 'requested-ips':
      return `${name}: the requested IPs ${w.ips.join(', ')} are not in it`;
    case 'auto-assign-off':
      return `${name}: autoAssign is false (only by annotation or a requested IP)`;
    case 'selector':
      return `${name}: serviceAllocation admits ${w.why === 'namespace' ? 'other namespaces only' : 'only Services matching its serviceSelectors'}`;
    case 'family':
      return `${name}: no ${w.wants.join(' or ')} addresses (the Service's ipFamilies)`;
    case 'exhausted':
      return `${name}: exhausted: no free ${w.families.join(' or ')} address`;
    case 'priority':
      return `${name}: tried after ${w.after} (${w.detail}), which served it`;
    case 'passed-over':
      return `${name}: has free ${w.families.join(' or ')} addresses, but none this Service may take (sharing: see the decision)`;
    case 'held':
      return `${name}: the Service keeps its IPs from ${w.by} (an IP never moves while validly held)`;
  }
}

function priorityDetail(chosen: Pool, other: Pool): string {
  const pc = chosen.serviceAllocation?.priority;
  const po = other.serviceAllocation?.priority;
  if (chosen.serviceAllocation && !other.serviceAllocation) return 'pinned pools come before unpinned ones';
  if (pc !== undefined && po !== undefined && pc !== po) return `priority ${pc} before ${po}`;
  if (pc !== undefined && po === undefined) return `priority ${pc} before no priority`;
  return 'same rank: name order';
}

function whyNot(pool: Pool, chosen: Pool | undefined, kept: boolean, svc: AllocService, free: (p: string, f: 4 | 6) => bigint): PoolWhyNot {
  if (chosen?.name === pool.name) return { type: 'chosen' };
  if (svc.requestedIPs.length > 0 && !svc.requestedIPs.every((ip) => pool.ranges.some((r) => r.contains(ip)))) {
    return { type: 'requested-ips', ips: svc.requestedIPs.map(String) };
  }
  if (svc.requestedPool !== undefined && svc.requestedPool !== pool.name) return { type: 'requested-pool', requested: svc.requestedPool };
  if (!pool.autoAssign && svc.requestedPool === undefined && svc.requestedIPs.length === 0) return { type: 'auto-assign-off' };
  const refused = poolRefuses(pool, svc);
  if (refused !== undefined) return { type: 'selector', why: refused };
  const wants = planFamilies(familyPlan(svc));
  if (!wants.some((f) => pool.families.has(f))) return { type: 'family', wants: wants.map((f) => familyName[f]) };
  if (chosen && kept) return { type: 'held', by: chosen.name };
  const has = wants.filter((f) => pool.families.has(f));
  if (has.every((f) => free(pool.name, f) === 0n)) return { type: 'exhausted', families: has.map((f) => familyName[f]) };
  if (chosen) {
    const cp = chosen.serviceAllocation !== undefined;
    const op = pool.serviceAllocation !== undefined;
    if ((cp && !op) || (cp === op && comparePinned(chosen, pool) < 0)) return { type: 'priority', after: chosen.name, detail: priorityDetail(chosen, pool) };
  }
  // Ranked before the chosen pool (or none was chosen) with free addresses of the family: the
  // allocator found none it could give (sharing); the decision's reason says more.
  return { type: 'passed-over', families: has.map((f) => familyName[f]) };
}

export function explainAllocation(s: Snapshot, svc: V1Service, pools: Config['pools']): AllocationExplained {
  const input = serviceInput(svc, namespaceLabels(s, svc.metadata?.namespace ?? 'default'));
  if (!input.ok) return { decision: { type: 'bad-input', problems: input.problems.map((p) => `${p.field}: ${p.message}`) }, pools: [] };
  const alloc = relearn(s, pools);
  const before = alloc.get(input.service.key);
  const res = alloc.allocate(input.service);
  const decision: AllocationExplained['decision'] = res.ok
    ? { type: 'allocated', ips: res.ips.map(String), pool: res.pool, kept: before !== undefined && !res.changed }
    : { type: 'pending', reason: reasonMessage(res.reason) };
  // Counts without this Service's own addresses, so "exhausted" means exhausted for it.
  const others = relearn(s, pools, input.service.key);
  const free = (p: string, f: 4 | 6): bigint => (f === 4 ? others.poolStats(p)?.availableIPv4 : others.poolStats(p)?.availableIPv6) ?? 0n;
  const chosen = res.ok ? pools.get(res.pool) : undefined;
  const kept = decision.type === 'allocated' && decision.kept;
  return { decision, pools: [...pools.values()].map((p) => ({ name: p.name, why: whyNot(p, chosen, kept, input.service, free) })) };
}
