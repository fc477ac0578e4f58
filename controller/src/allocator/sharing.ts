// IP sharing: who holds an IP, and whether one more Service may. All holders of an IP have the
// same sharing key and the same backend key, and no protocol/port is used twice, so the set of
// Services on one IP is always known and always compatible (MetalLB's checkSharing, per IP).
import type { Labels } from '@herald/shared/config';
import type { IP } from '@herald/shared/net';
import type { SharingConflict } from './reasons.js';
import type { AllocService, ServicePort } from './types.js';

/**
 * What the nodes that may announce an IP depend on. With ETP Cluster every node may, so any two
 * Cluster services agree; with ETP Local only nodes with a local endpoint may, so the selectors
 * must be identical. Cluster and Local never share.
 */
export function backendKey(svc: Pick<AllocService, 'externalTrafficPolicy' | 'selector'>): string {
  if (svc.externalTrafficPolicy === 'Cluster') return 'cluster';
  return `local:${canonicalLabels(svc.selector)}`;
}

export function canonicalLabels(l: Labels): string {
  return Object.keys(l)
    .sort()
    .map((k) => `${k}=${l[k] ?? ''}`)
    .join(',');
}

export const portKey = (p: ServicePort): string => `${p.protocol}/${p.port}`;

/** The Services holding one IP. */
export interface IPEntry {
  readonly ip: IP;
  /** Shared by every holder; undefined: the (single) holder does not share. */
  sharingKey: string | undefined;
  backendKey: string;
  /** The Services on this IP (usually one or two), and their port keys, index for index. */
  readonly holders: string[];
  readonly holderPorts: (readonly string[])[];
}

export interface Conflict {
  readonly with: string;
  readonly why: SharingConflict | 'not-shared';
}

/** Whether `svc` (with its sharing key, backend key and ports) may hold `e.ip` too. */
export function sharingConflict(
  e: IPEntry,
  svcKey: string,
  sharingKey: string | undefined,
  backend: string,
  ports: readonly string[],
): Conflict | undefined {
  const firstOther = e.holders[0] === svcKey ? e.holders[1] : e.holders[0];
  if (firstOther === undefined) return undefined;
  if (e.sharingKey === undefined || sharingKey === undefined) return { with: firstOther, why: 'not-shared' };
  if (e.sharingKey !== sharingKey) return { with: firstOther, why: 'different-key' };
  if (e.backendKey !== backend) return { with: firstOther, why: 'backend-mismatch' };
  for (let i = 0; i < e.holders.length; i++) {
    const user = e.holders[i] as string;
    if (user === svcKey) continue;
    for (const p of e.holderPorts[i] ?? []) if (ports.includes(p)) return { with: user, why: 'port-conflict' };
  }
  return undefined;
}
