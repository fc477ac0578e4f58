// What a Service's status and pool annotation should say, and the patches that get it there.
// Pure: the reconciler compares desired with current and writes only on change.
import type { V1Condition, V1Service } from '@kubernetes/client-node';
import { ANNOTATION_IP_ALLOCATED_FROM_POOL, type IP } from '@herald/shared';

/** The condition Herald keeps on each Service it handles, saying why it is pending. */
export const CONDITION_TYPE = 'herald.dev/IPAllocated';

export interface DesiredServiceState {
  readonly ips: readonly IP[];
  readonly pool: string | undefined;
  readonly condition: { readonly status: 'True' | 'False'; readonly reason: string; readonly message: string };
}

/** A condition as we send it (times as RFC 3339 text). */
export interface ConditionOut {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
  readonly lastTransitionTime: string;
}

export interface StatusPatch {
  readonly status: { loadBalancer: { ingress: { ip: string; ipMode: 'VIP' }[] }; conditions: (V1Condition | ConditionOut)[] };
}

function sameIngress(svc: V1Service, ips: readonly IP[]): boolean {
  const cur = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '');
  return cur.length === ips.length && cur.every((c, i) => c === ips[i]!.toString());
}

/** The status patch to send, or undefined if the status already says it. */
export function statusPatch(svc: V1Service, want: DesiredServiceState, nowIso: string): StatusPatch | undefined {
  const conditions = svc.status?.conditions ?? [];
  const cur = conditions.find((c) => c.type === CONDITION_TYPE);
  const condSame = cur !== undefined && cur.status === want.condition.status && cur.reason === want.condition.reason && cur.message === want.condition.message;
  if (condSame && sameIngress(svc, want.ips)) return undefined;
  const prevTime = cur && cur.status === want.condition.status ? cur.lastTransitionTime : undefined;
  const next: ConditionOut = {
    type: CONDITION_TYPE,
    status: want.condition.status,
    reason: want.condition.reason,
    message: want.condition.message,
    // The transition time moves only when the status flips, as the API conventions say.
    lastTransitionTime: prevTime ? new Date(prevTime).toISOString().replace(/\.\d+Z$/, 'Z') : nowIso,
  };
  return {
    status: {
      loadBalancer: { ingress: want.ips.map((ip) => ({ ip: ip.toString(), ipMode: 'VIP' as const })) },
      conditions: [...conditions.filter((c) => c.type !== CONDITION_TYPE), next],
    },
  };
}

/** The annotation patch (merge patch; null removes), or undefined if already right. */
export function poolAnnotationPatch(svc: V1Service, pool: string | undefined): { metadata: { annotations: Record<string, string | null> } } | undefined {
  const cur = svc.metadata?.annotations?.[ANNOTATION_IP_ALLOCATED_FROM_POOL];
  if (cur === pool || (cur === undefined && pool === undefined)) return undefined;
  return { metadata: { annotations: { [ANNOTATION_IP_ALLOCATED_FROM_POOL]: pool ?? null } } };
}

/** "pool-exhausted" -> "PoolExhausted": condition reasons are CamelCase. */
export function conditionReason(type: string): string {
  return type
    .split('-')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}
