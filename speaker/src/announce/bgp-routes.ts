// BGP for one IP, pure: what this node advertises for it (its contribution: each prefix, per
// peer, with attributes), and every node's verdict. No election: every eligible node advertises
// and the router spreads traffic by ECMP. Membership does not gate BGP (a speaker that merely lost
// its heartbeat quorum must not withdraw every route); Node Ready and the other rules apply.
//
// Each covering BGPAdvertisement that selects this node contributes the IP's aggregate
// (aggregationLength or aggregationLengthV6) to each of its peers (all, or those it names) that
// have a session here. Contributions to one prefix merge, from one IP or many (aggregation):
// communities are united, localPref is the highest (the config parser already rejects
// conflicting localPrefs for one prefix), and the services are united. Merging is order-free,
// so an incremental caller may merge per prefix in any order and get the same route.
//
// Weighted ECMP (weightByLocalEndpoints): for an externalTrafficPolicy Local Service the route
// carries the weight: this node's usable local endpoints (the ones kube-proxy would send to; at
// least 1, else the node is not eligible). Under ETP Cluster every node forwards to every
// endpoint, so the nodes are equal and no weight is sent. Merging keeps the largest weight (two
// Services sharing an IP: the larger count), which is order-free and idempotent; aggregation is
// refused with the field by the config parser, so a weight always describes one IP.
import { formatCommunity, type BGPAdvertisement, type Community } from '@herald/shared/config';
import type { IP, Prefix } from '@herald/shared/net';
import type { Advertisement } from '../bgp/adj-rib-out.js';
import { coveringAdvertisements, nodeEligibility, usableEndpoints, type Eligibility } from '../eligibility/index.js';
import type { AnnounceContext } from './context.js';
import { cmp, endpointsFor, type IPEntry, type IPService } from './ip-entries.js';
import type { BgpVerdict } from './types.js';

/** One prefix as this node advertises it, for one IP or merged over several. */
export interface PrefixRoute {
  readonly prefix: Prefix;
  /** Per peer name: the route with its attributes. */
  readonly peers: ReadonlyMap<string, Advertisement>;
  readonly services: ReadonlySet<string>;
}

export interface BgpForIP {
  /** What this node advertises for the IP, by prefix text (empty: nothing). */
  readonly routes: ReadonlyMap<string, PrefixRoute>;
  /** Per node: one verdict per service sharing the IP (services in key order). */
  verdicts(node: string): BgpVerdict[];
}

function targetPeers(ad: BGPAdvertisement, sessionPeers: ReadonlySet<string>): string[] {
  return ad.peers.length === 0 ? [...sessionPeers] : ad.peers.filter((p) => sessionPeers.has(p));
}

/** Two routes for one prefix as one: communities united (sorted), the highest localPref and weight. */
export function mergeAdvertisement(cur: Advertisement | undefined, next: Advertisement): Advertisement {
  const communities = new Map<string, Community>();
  for (const c of [...(cur?.communities ?? []), ...(next.communities ?? [])]) communities.set(formatCommunity(c), c);
  const lp = [cur?.localPref, next.localPref].filter((x): x is number => x !== undefined);
  const w = [cur?.weight, next.weight].filter((x): x is number => x !== undefined);
  return {
    prefix: cur?.prefix ?? next.prefix,
    ...(lp.length ? { localPref: Math.max(...lp) } : {}),
    ...(communities.size ? { communities: [...communities.entries()].sort((a, b) => cmp(a[0], b[0])).map(([, c]) => c) } : {}),
    ...(w.length ? { weight: Math.max(...w) } : {}),
  };
}

/** The weight an advertisement gives this node for one Service: its usable local endpoints (ETP Local only). */
export function localEndpointWeight(ad: BGPAdvertisement, s: IPService, self: string): number | undefined {
  if (!ad.weightByLocalEndpoints || s.info.externalTrafficPolicy !== 'Local') return undefined;
  return usableEndpoints(endpointsFor(s, self)).length;
}

function fromAd(prefix: Prefix, ad: BGPAdvertisement, weight: number | undefined): Advertisement {
  return mergeAdvertisement(undefined, {
    prefix,
    ...(ad.localPref !== undefined ? { localPref: ad.localPref } : {}),
    ...(ad.communities.length ? { communities: ad.communities } : {}),
    ...(weight !== undefined ? { weight } : {}),
  });
}

/** Merges routes for one prefix (from several IPs) into one. */
export function mergeRoutes(routes: Iterable<PrefixRoute>): PrefixRoute | undefined {
  let prefix: Prefix | undefined;
  const peers = new Map<string, Advertisement>();
  const services = new Set<string>();
  for (const r of routes) {
    prefix ??= r.prefix;
    for (const [p, a] of r.peers) peers.set(p, mergeAdvertisement(peers.get(p), a));
    for (const s of r.services) services.add(s);
  }
  return prefix ? { prefix, peers, services } : undefined;
}

function verdictFor(ip: IP, e: Eligibility, ads: readonly BGPAdvertisement[], nodePeers: ReadonlySet<string>, ctx: AnnounceContext): BgpVerdict {
  if (!e.eligible) return { type: 'ineligible', ip, reason: e.reason };
  const mine = ads.filter((a) => e.advertisements.includes(a.name));
  const peers = new Set(mine.flatMap((a) => targetPeers(a, nodePeers)));
  if (peers.size === 0) return { type: 'no-peer', ip, advertisements: mine.map((a) => a.name) };
  const prefixes = new Map(mine.map((a) => ctx.containing(ip, ip.family === 4 ? a.aggregationLength : a.aggregationLengthV6)).map((p) => [p.toString(), p]));
  return { type: 'advertised', ip, prefixes: [...prefixes.values()], peers: [...peers].sort() };
}

/** This node's BGP routes for the IP, and (lazily) every node's verdicts. undefined: no BGPAdvertisement covers it. */
export function bgpForIP(entry: IPEntry, ctx: AnnounceContext): BgpForIP | undefined {
  const ads = ctx.config.bgpAdvertisements;
  if (!entry.services.some((s) => coveringAdvertisements(s.info, ads).length > 0)) return undefined;
  const { ip } = entry;
  const elig = (node: AnnounceContext['nodes'][number]): Eligibility[] =>
    entry.services.map((s) => nodeEligibility({ node, live: true, service: s.info, advertisements: ads, endpoints: endpointsFor(s, node.name) }));
  const routes = new Map<string, { prefix: Prefix; peers: Map<string, Advertisement>; services: Set<string> }>();
  const selfNode = ctx.nodes.find((n) => n.name === ctx.self);
  if (selfNode) {
    elig(selfNode).forEach((e, i) => {
      if (!e.eligible) return;
      const v = verdictFor(ip, e, ads, ctx.nodePeers.get(ctx.self) ?? new Set(), ctx);
      if (v.type !== 'advertised') return;
      const s = entry.services[i]!;
      const key = s.svc.key;
      for (const ad of ads.filter((a) => e.advertisements.includes(a.name))) {
        const weight = localEndpointWeight(ad, s, ctx.self);
        const prefix = ctx.containing(ip, ip.family === 4 ? ad.aggregationLength : ad.aggregationLengthV6);
        const k = prefix.toString();
        let r = routes.get(k);
        if (!r) routes.set(k, (r = { prefix, peers: new Map(), services: new Set() }));
        r.services.add(key);
        for (const peer of targetPeers(ad, ctx.peerNames)) r.peers.set(peer, mergeAdvertisement(r.peers.get(peer), fromAd(prefix, ad, weight)));
      }
    });
  }
  return {
    routes,
    verdicts(node) {
      const n = ctx.nodes.find((x) => x.name === node);
      if (!n) return [];
      return elig(n).map((e) => verdictFor(ip, e, ads, ctx.nodePeers.get(node) ?? new Set(), ctx));
    },
  };
}
