// What status and explain both derive from a Snapshot, with the components' own functions: the
// config model (parseConfig), the Services Herald handles (isOurs), the allocator re-learning
// every existing allocation as a new controller leader does, and the speakers' liveness as their
// Leases show it.
import { isOurs, type Allocator } from '@herald/controller/allocator';
import { relearnAllocations } from '@herald/controller/relearn';
import { serviceClass } from '@herald/controller/service-input';
import { serviceKey as keyOf } from '@herald/shared/api';
import { parseConfig, type Config, type ConfigError } from '@herald/shared/config';
import { SPEAKER_LEASE_PREFIX } from '@herald/speaker/member-facts';
import type { V1Lease, V1Service } from '@kubernetes/client-node';
import { CONFIG_KINDS, type ConfigKind } from '../objects/kinds.js';
import type { Snapshot } from './snapshot.js';

export interface ConfigView {
  /** The config the objects make now; undefined when it is invalid (the components then keep their last good one). */
  readonly config: Config | undefined;
  readonly errors: readonly ConfigError[];
  /** The pools alone, when the whole config is invalid but the pools parse (for sizes). */
  readonly pools: Config['pools'];
}

export function configOf(s: Snapshot): ConfigView {
  const input = Object.fromEntries((Object.entries(CONFIG_KINDS) as [ConfigKind, string][]).map(([k, field]) => [field, s.config[k]]));
  const r = parseConfig({ namespace: s.namespace, ...input, ...(s.secrets ? { secrets: s.secrets } : {}) });
  if (r.ok) return { config: r.config, errors: [], pools: r.config.pools };
  const pools = parseConfig({ namespace: s.namespace, ipAddressPools: s.config.IPAddressPool });
  return { config: undefined, errors: r.errors, pools: pools.ok ? pools.config.pools : new Map() };
}

/** "namespace/name": the components' own serviceKey. */
export { keyOf };

/** Services Herald handles (type LoadBalancer, no loadBalancerClass), in key order. */
export function handledServices(s: Snapshot): V1Service[] {
  return s.services.filter((x) => isOurs(serviceClass(x), undefined)).sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
}

export function namespaceLabels(s: Snapshot, ns: string): Readonly<Record<string, string>> {
  return s.namespaces.find((n) => n.metadata?.name === ns)?.metadata?.labels ?? {};
}

/**
 * An allocator holding every existing allocation, re-learnt as a new controller leader does
 * (the controller's own relearnAllocations); `except`: a Service left out, to ask what it would get.
 */
export function relearn(s: Snapshot, pools: Config['pools'], except?: string): Allocator {
  const services = except === undefined ? s.services : s.services.filter((x) => keyOf(x) !== except);
  return relearnAllocations(services, pools.values(), undefined, (ns) => namespaceLabels(s, ns)).allocator;
}

export type SpeakerLiveness =
  | { readonly type: 'live'; readonly renewedAgoMs: number; readonly lease: string }
  | { readonly type: 'expired'; readonly renewedAgoMs: number; readonly lease: string }
  | { readonly type: 'no-lease'; readonly lease: string };

function renewMs(l: V1Lease): number | undefined {
  const t = l.spec?.renewTime as unknown;
  if (t instanceof Date) return t.getTime();
  if (typeof t === 'string') return Date.parse(t);
  return undefined;
}

/** Per node: its speaker Lease (herald-speaker-<node>) renewed within its duration at `now`? */
export function speakerLiveness(s: Snapshot, node: string): SpeakerLiveness {
  const lease = `${SPEAKER_LEASE_PREFIX}${node}`;
  const l = s.leases.find((x) => x.metadata?.name === lease);
  const at = l ? renewMs(l) : undefined;
  if (!l || at === undefined || Number.isNaN(at)) return { type: 'no-lease', lease };
  const ago = s.now - at;
  const dur = (l.spec?.leaseDurationSeconds ?? 0) * 1000;
  return ago <= dur ? { type: 'live', renewedAgoMs: ago, lease } : { type: 'expired', renewedAgoMs: ago, lease };
}

/** Human durations as kubectl prints ages: 45s, 12m, 3h, 5d. */
export function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h`;
  return `${Math.floor(h / 24)}d`;
}
