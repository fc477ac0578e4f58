// Which pools may serve a Service, in which order, and which address families it wants.
import type { Pool } from '@herald/shared/config';
import type { Family, IP } from '@herald/shared/net';
import type { AllocationReason } from './reasons.js';
import type { AllocService } from './types.js';

/** Why a pool does not admit a Service, or undefined if it does (MetalLB's isPoolCompatibleWithService). */
export function poolRefuses(pool: Pool, svc: AllocService): 'namespace' | 'service-selector' | undefined {
  const sa = pool.serviceAllocation;
  if (sa === undefined) return undefined;
  if (sa.namespaces.length > 0 || sa.namespaceSelectors.length > 0) {
    const ok = sa.namespaces.includes(svc.namespace) || sa.namespaceSelectors.some((s) => s.matches(svc.namespaceLabels));
    if (!ok) return 'namespace';
  }
  if (sa.serviceSelectors.length > 0 && !sa.serviceSelectors.some((s) => s.matches(svc.labels))) {
    return 'service-selector';
  }
  return undefined;
}

/**
 * Pools pinned by serviceAllocation: lower priority first, pools without one after, then by name
 * (MetalLB sorts by priority too; ties are ours, made stable).
 */
export function comparePinned(a: Pool, b: Pool): number {
  const pa = a.serviceAllocation?.priority;
  const pb = b.serviceAllocation?.priority;
  if (pa !== undefined && pb !== undefined && pa !== pb) return pa - pb;
  if (pa !== undefined && pb === undefined) return -1;
  if (pa === undefined && pb !== undefined) return 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * The families a Service wants, MetalLB's way: `single` is one address (of `family`, or of any
 * family, IPv4 first, when ipFamilies is empty); `dual` is one of each, required or preferred
 * (PreferDualStack falls back to the primary family, then the secondary, as MetalLB does).
 */
export type FamilyPlan =
  | { readonly type: 'single'; readonly family: Family | undefined }
  | { readonly type: 'dual'; readonly primary: Family; readonly secondary: Family; readonly required: boolean };

const other = (f: Family): Family => (f === 4 ? 6 : 4);

export function familyPlan(svc: AllocService): FamilyPlan {
  const primary = svc.ipFamilies[0];
  switch (svc.ipFamilyPolicy) {
    case 'SingleStack':
      return { type: 'single', family: primary };
    case 'RequireDualStack': {
      const p = primary ?? 4;
      return { type: 'dual', primary: p, secondary: other(p), required: true };
    }
    case 'PreferDualStack': {
      // One family listed: the cluster is single-stack for this service; that family only.
      if (svc.ipFamilies.length === 1 && primary !== undefined) return { type: 'single', family: primary };
      const p = primary ?? 4;
      return { type: 'dual', primary: p, secondary: other(p), required: false };
    }
  }
}

/** The families a plan may use, primary first. */
export function planFamilies(plan: FamilyPlan): Family[] {
  if (plan.type === 'dual') return [plan.primary, plan.secondary];
  return plan.family === undefined ? [4, 6] : [plan.family];
}

/**
 * Whether a set of addresses (requested, or currently held) fits the plan: at most one per
 * family, the families the plan allows, and both for RequireDualStack.
 */
export function checkFamilies(
  ips: readonly IP[],
  plan: FamilyPlan,
): Extract<AllocationReason, { type: 'requested-ips-invalid' }>['why'] | undefined {
  if (ips.length > 2) return 'too-many';
  const [a, b] = ips;
  if (a !== undefined && b !== undefined && a.family === b.family) return 'same-family';
  const allowed = planFamilies(plan);
  if (ips.some((ip) => !allowed.includes(ip.family))) return 'family-mismatch';
  if (plan.type === 'single' && ips.length !== 1) return 'too-many';
  if (plan.type === 'dual' && plan.required && ips.length !== 2) return 'dual-stack-required';
  return undefined;
}
