// Test helpers: pools and services from strings, a trivial Selector, and a small op runner.
import { IP, IPRange, type Family, type Labels, type Pool, type Selector } from '@herald/shared';
import type { Allocator } from '../../src/allocator/index.js';
import type { AllocService, IPFamilyPolicy, ServicePort } from '../../src/allocator/index.js';

/** matchLabels only: every pair must be present. */
export function sel(match: Record<string, string>): Selector {
  const keys = Object.keys(match).sort();
  return {
    text: keys.map((k) => `${k}=${match[k]}`).join(','),
    matches: (l: Labels) => keys.every((k) => l[k] === match[k]),
  };
}

export interface PoolOpts {
  autoAssign?: boolean;
  avoidBuggyIPs?: boolean;
  pin?: {
    priority?: number;
    namespaces?: string[];
    namespaceSelectors?: Record<string, string>[];
    serviceSelectors?: Record<string, string>[];
  };
}

export function pool(name: string, addresses: string[], o: PoolOpts = {}): Pool {
  const ranges = addresses.map((a) => IPRange.parse(a));
  return {
    name,
    ranges,
    autoAssign: o.autoAssign ?? true,
    avoidBuggyIPs: o.avoidBuggyIPs ?? false,
    serviceAllocation: o.pin && {
      priority: o.pin.priority,
      namespaces: o.pin.namespaces ?? [],
      namespaceSelectors: (o.pin.namespaceSelectors ?? []).map(sel),
      serviceSelectors: (o.pin.serviceSelectors ?? []).map(sel),
    },
    families: new Set<Family>(ranges.map((r) => r.family)),
  };
}

export interface SvcOpts {
  labels?: Labels;
  namespaceLabels?: Labels;
  ips?: string[];
  pool?: string;
  share?: string;
  ports?: string[];
  local?: Labels;
  policy?: IPFamilyPolicy;
  families?: Family[];
}

/** svc('ns/name', {ports: ['TCP/80'], ...}). Defaults: SingleStack IPv4, ETP Cluster, TCP/80. */
export function svc(key: string, o: SvcOpts = {}): AllocService {
  const [namespace = ''] = key.split('/');
  const ports: ServicePort[] = (o.ports ?? ['TCP/80']).map((p) => {
    const [protocol, port] = p.split('/');
    return { protocol: protocol as ServicePort['protocol'], port: Number(port) };
  });
  return {
    key,
    namespace,
    labels: o.labels ?? {},
    namespaceLabels: o.namespaceLabels ?? {},
    requestedIPs: (o.ips ?? []).map((s) => IP.parse(s)),
    requestedPool: o.pool,
    sharingKey: o.share,
    ports,
    externalTrafficPolicy: o.local ? 'Local' : 'Cluster',
    selector: o.local ?? { app: key },
    ipFamilyPolicy: o.policy ?? 'SingleStack',
    ipFamilies: o.families ?? (o.policy === 'SingleStack' || o.policy === undefined ? [4] : [4, 6]),
  };
}

export const strs = (ips: readonly IP[]): string[] => ips.map((i) => i.toString());

/** A reason as plain JSON (IPs become strings), for deepStrictEqual. */
export const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

export type Op =
  | { allocate: AllocService }
  | { assign: AllocService; ips: string[] }
  | { release: string }
  | { setPools: Pool[] };

/** Runs setup ops; an allocate or assign that fails throws (setup must be valid). */
export function run(a: Allocator, ops: readonly Op[]): void {
  for (const op of ops) {
    if ('allocate' in op) {
      const r = a.allocate(op.allocate);
      if (!r.ok) throw new Error(`setup allocate ${op.allocate.key}: ${JSON.stringify(r.reason)}`);
    } else if ('assign' in op) {
      const r = a.assign(op.assign, op.ips.map((s) => IP.parse(s)));
      if (!r.ok) throw new Error(`setup assign ${op.assign.key}: ${JSON.stringify(r.reason)}`);
    } else if ('release' in op) {
      a.release(op.release);
    } else {
      a.setPools(op.setPools);
    }
  }
}
