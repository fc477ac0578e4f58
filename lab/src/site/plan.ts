// The lab's bare-metal site, as data: who sits where, with which addresses, and what Herald and
// the sample Services look like. Pure: `herald-lab up` and the e2e test both build from this.
// Addresses are documentation ranges only:
//   192.0.2.0/24      the LAN: router .1 (and .3-.5 for extra BGP sessions), mgmt (API server)
//                     .2, nodes .11-, L2 pool .200-.219
//   198.51.100.0/24   the client's segment, behind the router
//   203.0.113.0/24    the BGP pool (announced by the nodes, ECMP at the router)
//   2001:db8:0:1::/64 LAN v6, 2001:db8:0:2::/64 client v6, 2001:db8:0:3::/120 BGP pool v6

import type { RouterKind } from '../routers/types.js';
export type { RouterKind };

export interface NodePlan {
  readonly name: string;
  readonly ip4: string;
  readonly ip6: string;
  readonly macByte: number;
}

export interface ServicePlan {
  readonly name: string;
  readonly mode: 'l2' | 'bgp';
  readonly port: number;
  /** Port the backends listen on, on their node's address. */
  readonly targetPort: number;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  /** Nodes that run a backend for this Service. */
  readonly backendNodes: readonly string[];
}

export interface SitePlan {
  readonly prefix: string;
  readonly namespace: string;
  readonly router: { readonly kind: RouterKind; readonly ip4: string; readonly ip6: string; readonly clientIp4: string; readonly clientIp6: string; readonly asn: number; readonly macByte: number };
  readonly mgmt: { readonly ip4: string; readonly apiPort: number; readonly macByte: number };
  readonly client: { readonly ip4: string; readonly ip6: string };
  readonly nodes: readonly NodePlan[];
  readonly nodeAsn: number;
  readonly l2Pool: readonly string[];
  readonly bgpPool: readonly string[];
  readonly services: readonly ServicePlan[];
  readonly heartbeatPort: number;
  /** The router also accepts IPv6 routes on its (IPv4) sessions (MP-BGP). Absent: IPv4 only. */
  readonly routerIpv6Routes?: boolean;
  /** false: no kube-proxy stand-in (no traffic through Services; for scale runs). Absent: on. */
  readonly kubeProxy?: boolean;
  /** BGP sessions per node, each to its own router address (see routerBgpAddresses). Absent: 1. */
  readonly bgpSessions?: number;
  /** BFD on every BGP session (a BFDProfile `lab-bfd`, and the router's BFD on). Absent: off. */
  readonly bfd?: { readonly intervalMs: number; readonly multiplier: number };
  /** `enableGracefulRestart: true` on every BGPPeer (the routers help by default). Absent: off. */
  readonly gracefulRestart?: boolean;
  /** `weightByLocalEndpoints: true` on the BGPAdvertisement (FRR weighs ECMP by it). Absent: off. */
  readonly weightedEcmp?: boolean;
}

/** Optional knobs for scale benches; `make lab` uses none of them. */
export interface SitePlanExtras {
  ipv6Routes?: boolean;
  kubeProxy?: boolean;
  /** 1 to 4 BGP sessions per node, each to a separate router address (one BIRD protocol each). */
  bgpSessions?: number;
  /** BFD on the BGP sessions, 300 ms x 3 (FRR and BIRD routers). */
  bfd?: boolean;
  /** Graceful restart (RFC 4724) on every BGPPeer. */
  gracefulRestart?: boolean;
  /** Weighted ECMP by local endpoints (the BGPAdvertisement's weightByLocalEndpoints). */
  weightedEcmp?: boolean;
}

export function sitePlan(opts: { prefix?: string; router?: RouterKind; nodes?: number } & SitePlanExtras = {}): SitePlan {
  const n = opts.nodes ?? 3;
  if (!Number.isInteger(n) || n < 1 || n > 8) throw new Error(`--nodes must be 1 to 8, not ${String(opts.nodes)}`);
  const nodes: NodePlan[] = [];
  for (let i = 1; i <= n; i++) {
    nodes.push({ name: `node${i}`, ip4: `192.0.2.${10 + i}`, ip6: `2001:db8:0:1::${(0x10 + i).toString(16)}`, macByte: 0x10 + i });
  }
  const names = nodes.map((x) => x.name);
  const sessions = opts.bgpSessions ?? 1;
  if (!Number.isInteger(sessions) || sessions < 1 || sessions > 4) throw new Error(`bgpSessions must be 1 to 4, not ${String(opts.bgpSessions)}`);
  if (sessions > 1 && (opts.router ?? 'bird') !== 'bird') throw new Error('bgpSessions above 1 needs ROUTER=bird (one BIRD stands in for several routers)');
  return {
    // Only when asked for: a default plan has none of these keys.
    ...(opts.ipv6Routes ? { routerIpv6Routes: true } : {}),
    ...(opts.kubeProxy === false ? { kubeProxy: false } : {}),
    ...(sessions > 1 ? { bgpSessions: sessions } : {}),
    ...(opts.bfd ? { bfd: { intervalMs: 300, multiplier: 3 } } : {}),
    ...(opts.gracefulRestart ? { gracefulRestart: true } : {}),
    ...(opts.weightedEcmp ? { weightedEcmp: true } : {}),
    prefix: opts.prefix ?? 'hlab',
    namespace: 'herald-system',
    router: { kind: opts.router ?? 'bird', ip4: '192.0.2.1', ip6: '2001:db8:0:1::1', clientIp4: '198.51.100.1', clientIp6: '2001:db8:0:2::1', asn: 64500, macByte: 0x01 },
    mgmt: { ip4: '192.0.2.2', apiPort: 6443, macByte: 0x02 },
    client: { ip4: '198.51.100.10', ip6: '2001:db8:0:2::10' },
    nodes,
    nodeAsn: 64512,
    l2Pool: ['192.0.2.200-192.0.2.219'],
    bgpPool: ['203.0.113.0/28'],
    heartbeatPort: 7473,
    services: [
      { name: 'web-l2', mode: 'l2', port: 80, targetPort: 8081, externalTrafficPolicy: 'Cluster', backendNodes: names },
      { name: 'web-bgp', mode: 'bgp', port: 80, targetPort: 8082, externalTrafficPolicy: 'Cluster', backendNodes: names },
      { name: 'web-local', mode: 'bgp', port: 80, targetPort: 8083, externalTrafficPolicy: 'Local', backendNodes: names.slice(0, Math.max(1, n - 1)) },
      { name: 'web-l2-local', mode: 'l2', port: 80, targetPort: 8084, externalTrafficPolicy: 'Local', backendNodes: names.slice(Math.min(1, n - 1)) },
    ],
  };
}

/**
 * The router addresses every node peers with, one BGP session each: the router's own address, then
 * .3, .4, .5 when the plan asks for more. A separate local address per session is what lets BIRD
 * tell the sessions from one node apart (it matches an incoming connection to a protocol by
 * remote and local address; two protocols with the same pair leave the second Idle).
 */
export function routerBgpAddresses(p: SitePlan): string[] {
  const extra = ['192.0.2.3', '192.0.2.4', '192.0.2.5'];
  return [p.router.ip4, ...extra.slice(0, (p.bgpSessions ?? 1) - 1)];
}

/** Namespace names of the site's hosts. */
export function siteNamespaces(p: SitePlan): { bridge: string; router: string; mgmt: string; client: string; node: (name: string) => string } {
  return {
    bridge: `${p.prefix}-br`,
    router: `${p.prefix}-router`,
    mgmt: `${p.prefix}-mgmt`,
    client: `${p.prefix}-client`,
    node: (name) => `${p.prefix}-${name}`,
  };
}
