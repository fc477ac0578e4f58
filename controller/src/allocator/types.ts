// What the allocator is given about a Service, and what it hands back. The reconciler builds an
// AllocService from a Service (annotations already read and parsed); the allocator never sees a
// Kubernetes object.
import type { Labels } from '@herald/shared/config';
import type { Family, IP } from '@herald/shared/net';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ServicePort {
  readonly protocol: Protocol;
  readonly port: number;
}

export type IPFamilyPolicy = 'SingleStack' | 'PreferDualStack' | 'RequireDualStack';
export type TrafficPolicy = 'Cluster' | 'Local';

export interface AllocService {
  /** "namespace/name". */
  readonly key: string;
  readonly namespace: string;
  readonly labels: Labels;
  /** Labels of the Service's namespace (for serviceAllocation.namespaceSelectors). */
  readonly namespaceLabels: Labels;
  /** From herald.dev/loadBalancerIPs, its metallb.io twin, or spec.loadBalancerIP. */
  readonly requestedIPs: readonly IP[];
  /** From herald.dev/address-pool (or its twin). */
  readonly requestedPool?: string | undefined;
  /** From herald.dev/allow-shared-ip (or its twin). */
  readonly sharingKey?: string | undefined;
  readonly ports: readonly ServicePort[];
  readonly externalTrafficPolicy: TrafficPolicy;
  /** spec.selector: with ETP Local, services sharing an IP need identical selectors. */
  readonly selector: Labels;
  readonly ipFamilyPolicy: IPFamilyPolicy;
  /** spec.ipFamilies, primary first. Empty: any one family (IPv4 first) or both. */
  readonly ipFamilies: readonly Family[];
}

/** A Service's current allocation: one IP, or one per family, all from one pool. */
export interface Allocation {
  readonly key: string;
  readonly ips: readonly IP[];
  readonly pool: string;
}

/** Per-family address counts of a pool. Bigints: an IPv6 /64 has 2^64 addresses. */
export interface PoolCounts {
  readonly assignedIPv4: bigint;
  readonly assignedIPv6: bigint;
  readonly availableIPv4: bigint;
  readonly availableIPv6: bigint;
}

export interface PoolStats extends PoolCounts {
  /** The same counts as numbers, saturated at Number.MAX_SAFE_INTEGER (for status and metrics). */
  readonly numbers: { readonly [K in keyof PoolCounts]: number };
}

export function saturate(n: bigint): number {
  return n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
}
