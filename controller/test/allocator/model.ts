// An independent, brute-force model of what a valid allocation is, for the property test. It
// shares no code with the allocator beyond the input types.
import type { IP, Pool } from '@herald/shared';
import type { AllocService } from '../../src/allocator/index.js';

export function modelCovers(p: Pool, ip: IP): boolean {
  if (p.avoidBuggyIPs && ip.family === 4 && (ip.value % 256n === 0n || ip.value % 256n === 255n)) return false;
  return p.ranges.some((r) => r.family === ip.family && r.first.value <= ip.value && ip.value <= r.last.value);
}

export function modelAdmits(p: Pool, s: AllocService): boolean {
  const sa = p.serviceAllocation;
  if (!sa) return true;
  const nsPinned = sa.namespaces.length + sa.namespaceSelectors.length > 0;
  if (nsPinned && !sa.namespaces.includes(s.namespace) && !sa.namespaceSelectors.some((x) => x.matches(s.namespaceLabels))) return false;
  return sa.serviceSelectors.length === 0 || sa.serviceSelectors.some((x) => x.matches(s.labels));
}

function backend(s: AllocService): string {
  if (s.externalTrafficPolicy === 'Cluster') return 'C';
  return 'L' + JSON.stringify(Object.entries(s.selector).sort());
}

/** Whether two services may hold the same IP. */
export function modelCompatible(a: AllocService, b: AllocService): boolean {
  if (a.sharingKey === undefined || a.sharingKey !== b.sharingKey) return false;
  if (backend(a) !== backend(b)) return false;
  return !a.ports.some((p) => b.ports.some((q) => p.protocol === q.protocol && p.port === q.port));
}

/** Whether a set of IPs has the families the service asks for. */
export function modelFamiliesFit(s: AllocService, ips: readonly IP[]): boolean {
  const fams = ips.map((i) => i.family);
  if (fams.length === 0 || fams.length > 2 || new Set(fams).size !== fams.length) return false;
  const listed = s.ipFamilies.length > 0 ? s.ipFamilies : [4, 6];
  switch (s.ipFamilyPolicy) {
    case 'SingleStack':
      return fams.length === 1 && (s.ipFamilies.length === 0 || fams[0] === s.ipFamilies[0]);
    case 'RequireDualStack':
      return fams.length === 2;
    case 'PreferDualStack':
      if (s.ipFamilies.length === 1) return fams.length === 1 && fams[0] === s.ipFamilies[0];
      return fams.every((f) => listed.includes(f));
  }
}

const sameSet = (a: readonly IP[], b: readonly IP[]): boolean => a.length === b.length && a.every((x) => b.some((y) => x.equals(y)));

export interface Holding {
  spec: AllocService;
  ips: readonly IP[];
  pool: string;
}

/** Is `h` (the IPs a service holds) still valid for the service's new spec `s`, given the others? */
export function modelStillValid(h: Holding, s: AllocService, pools: ReadonlyMap<string, Pool>, others: Iterable<Holding>): boolean {
  const p = pools.get(h.pool);
  if (!p || !h.ips.every((ip) => modelCovers(p, ip))) return false;
  if (s.requestedIPs.length > 0 && !sameSet(s.requestedIPs, h.ips)) return false;
  if (s.requestedPool !== undefined && s.requestedPool !== h.pool) return false;
  if (!modelAdmits(p, s)) return false;
  if (!modelFamiliesFit(s, h.ips)) return false;
  for (const o of others) {
    if (o.spec.key === s.key) continue;
    if (o.ips.some((ip) => h.ips.some((x) => x.equals(ip))) && !modelCompatible(o.spec, s)) return false;
  }
  return true;
}
