// Kubernetes objects -> the member set the liveness core takes. Pure. A member is a node with a
// speaker Lease `herald-speaker-<node>`; its Lease's resourceVersion changes on every renewal and
// is the renewal key; its Node gives Ready and the addresses heartbeats are sent to.
import type { V1Lease, V1Node } from '@kubernetes/client-node';
import type { MemberFacts } from './liveness-types.js';

export const SPEAKER_LEASE_PREFIX = 'herald-speaker-';
/** Label on every speaker Lease, so an informer can select them. */
export const SPEAKER_LEASE_LABEL = 'app.kubernetes.io/component';
export const SPEAKER_LEASE_LABEL_VALUE = 'speaker-lease';

export function speakerLeaseName(node: string): string {
  return `${SPEAKER_LEASE_PREFIX}${node}`;
}

export interface Members {
  readonly facts: ReadonlyMap<string, MemberFacts>;
  /** Heartbeat destinations per member: InternalIP first, then ExternalIP; IPv4 before IPv6. */
  readonly addresses: ReadonlyMap<string, readonly string[]>;
}

export function nodeReady(node: V1Node | undefined): boolean {
  return node?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export function nodeAddresses(node: V1Node | undefined): string[] {
  const rank = (t: string): number => (t === 'InternalIP' ? 0 : t === 'ExternalIP' ? 1 : 9);
  return (node?.status?.addresses ?? [])
    .filter((a) => rank(a.type) < 9 && a.address.length > 0)
    .sort((a, b) => rank(a.type) - rank(b.type) || Number(a.address.includes(':')) - Number(b.address.includes(':')))
    .map((a) => a.address);
}

export function membersFromK8s(leases: readonly V1Lease[], nodes: readonly V1Node[]): Members {
  const byName = new Map(nodes.map((n) => [n.metadata?.name ?? '', n]));
  const facts = new Map<string, MemberFacts>();
  const addresses = new Map<string, readonly string[]>();
  for (const l of leases) {
    const name = l.metadata?.name ?? '';
    if (!name.startsWith(SPEAKER_LEASE_PREFIX)) continue;
    const node = name.slice(SPEAKER_LEASE_PREFIX.length);
    if (!node) continue;
    const rv = l.metadata?.resourceVersion;
    const dur = l.spec?.leaseDurationSeconds;
    const lease = rv && dur && dur > 0 ? { renewKey: rv, durationMs: dur * 1000 } : undefined;
    const n = byName.get(node);
    facts.set(node, { lease, nodeReady: nodeReady(n) });
    addresses.set(node, nodeAddresses(n));
  }
  return { facts, addresses };
}
