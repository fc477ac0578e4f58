// Services grouped by IP, pure: an IP is elected and routed once, whatever number of Services
// share it (THE RULE in desired.ts). Each Service carries its pool for that IP: the pool whose
// ranges hold the IP, else the Service's herald.dev/ip-allocated-from-pool annotation.
import type { Config } from '@herald/shared/config';
import type { IP } from '@herald/shared/net';
import type { EndpointInfo, ServiceInfo } from '../eligibility/index.js';
import type { ServiceState } from './types.js';

export interface IPService {
  readonly svc: ServiceState;
  /** The service's info with the pool of this IP. */
  readonly info: ServiceInfo;
}

export interface IPEntry {
  readonly ip: IP;
  /** Sorted by service key. */
  readonly services: readonly IPService[];
}

/** The pool an IP belongs to: the pool whose ranges hold it, else the service's annotation. */
export function poolOf(ip: IP, config: Config, annotated: string | undefined): string | undefined {
  for (const p of config.pools.values()) if (p.ranges.some((r) => r.contains(ip))) return p.name;
  return annotated;
}

/** One Service on one IP, with that IP's pool. */
export function ipService(svc: ServiceState, ip: IP, config: Config): IPService {
  return { svc, info: { ...svc.info, pool: poolOf(ip, config, svc.info.pool) } };
}

/** Every IP of the services, with the services sharing it (sorted by key). */
export function groupByIP(services: readonly ServiceState[], config: Config): Map<string, IPEntry> {
  const byIP = new Map<string, { ip: IP; services: IPService[] }>();
  for (const svc of [...services].sort((a, b) => cmp(a.key, b.key))) {
    for (const ip of svc.ips) {
      let e = byIP.get(ip.key);
      if (!e) byIP.set(ip.key, (e = { ip, services: [] }));
      e.services.push(ipService(svc, ip, config));
    }
  }
  return byIP;
}

export function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const byNode = new WeakMap<ServiceState, Map<string, EndpointInfo[]>>();

/** The service's endpoints on one node (memoised per ServiceState: ETP Local asks per node). */
export function endpointsOn(svc: ServiceState, node: string): readonly EndpointInfo[] {
  let m = byNode.get(svc);
  if (!m) {
    m = new Map();
    for (const e of svc.endpoints) {
      if (e.nodeName === undefined) continue;
      let l = m.get(e.nodeName);
      if (!l) m.set(e.nodeName, (l = []));
      l.push(e);
    }
    byNode.set(svc, m);
  }
  return m.get(node) ?? [];
}

/** The endpoints a node needs for an IP's service: its own under ETP Local, else all. */
export function endpointsFor(s: IPService, node: string): readonly EndpointInfo[] {
  return s.info.externalTrafficPolicy === 'Local' ? endpointsOn(s.svc, node) : s.svc.endpoints;
}
