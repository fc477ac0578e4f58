// What this node announces, pure: Services (with their ingress IPs and endpoints), Nodes, the
// config and the live members in; the L2 owner of every IP, this node's BGP routes, and a
// verdict for every (service, node) out. Every speaker computes the same L2 owners from the
// same inputs (DESIGN §1, §5).
//
// Shared IPs (THE RULE). An IP is elected once, never per Service, so it has exactly one owner.
// A node is a candidate for an IP when it is eligible (eligibility/) for at least one of the
// Services sharing it. When some candidates are eligible for every one of those Services, only
// they stay candidates (the others get `shared-ip-coverage`): the owner then serves all of
// them, which matters under ETP Local, where a node without a local endpoint of a Service
// would drop that Service's traffic. The controller only lets ETP Local Services share an IP
// when their selectors are identical, so in steady state every candidate covers all of them;
// the tiering decides only during rollouts and for mixed Cluster/Local sharing.
//
// The election's preferredNodeSelectors are those of every L2Advertisement covering any of the
// sharing Services (not only the owner's), by advertisement name, each repeated by its weight,
// so every node ranks with the same list. The owner's interfaces are the union of the
// `interfaces` of the covering advertisements that select it; one with none means every
// suitable interface.
//
// BGP: each eligible node advertises, so there is no election. For this node, each covering
// BGPAdvertisement that selects it contributes the IP's aggregate (aggregationLength or
// aggregationLengthV6) to each of its peers (all, or those it names) that have a session here.
// Two advertisements giving one prefix to one peer merge: communities are united, localPref is
// the highest (the config parser already rejects conflicting localPrefs for one prefix).
import { formatCommunity, type BGPAdvertisement, type BGPPeer, type Community, type Config, type L2Advertisement, type Selector } from '@herald/shared/config';
import { Prefix, type IP } from '@herald/shared/net';
import type { Advertisement } from '../bgp/adj-rib-out.js';
import { elect, type Candidate, type NotChosen } from '../election/index.js';
import { coveringAdvertisements, nodeEligibility, type Eligibility, type IneligibleReason, type NodeInfo, type ServiceInfo } from '../eligibility/index.js';
import type { AnnounceInput, BgpDesired, BgpVerdict, Desired, L2Desired, L2Verdict, NotOwnerCause, ServiceState } from './types.js';

/** The pool an IP belongs to: the pool whose ranges hold it, else the service's annotation. */
export function poolOf(ip: IP, config: Config, annotated: string | undefined): string | undefined {
  for (const p of config.pools.values()) if (p.ranges.some((r) => r.contains(ip))) return p.name;
  return annotated;
}

/** The peers whose nodeSelectors select this node (none: every node). */
export function peersForNode(config: Config, node: NodeInfo | undefined): BGPPeer[] {
  if (!node) return [];
  return [...config.peers.values()].filter((p) => p.nodeSelectors.length === 0 || p.nodeSelectors.some((s) => s.matches(node.labels))).sort((a, b) => cmp(a.name, b.name));
}

/** preferredNodeSelectors of the given advertisements, by name, each repeated by its weight. */
export function weightedPreferences(ads: readonly L2Advertisement[]): Selector[] {
  const out: Selector[] = [];
  const seen = new Set<string>();
  for (const a of [...ads].sort((x, y) => cmp(x.name, y.name))) {
    if (seen.has(a.name)) continue;
    seen.add(a.name);
    a.preferredNodeSelectors.forEach((s, i) => {
      const w = Math.max(1, Math.min(100, Math.trunc(a.preferredNodeWeights?.[i] ?? 1)));
      for (let k = 0; k < w; k++) out.push(s);
    });
  }
  return out;
}

type Candidacy = IneligibleReason | { readonly type: 'shared-ip-coverage'; readonly eligibleFor: number; readonly of: number };

interface IPEntry {
  readonly ip: IP;
  readonly services: { readonly svc: ServiceState; readonly info: ServiceInfo }[];
}

export function desiredAnnouncements(input: AnnounceInput): Desired {
  const { config, nodes, live, self } = input;
  const selfNode = nodes.find((n) => n.name === self);
  const sessionPeers = peersForNode(config, selfNode);
  const peerNames = new Set(sessionPeers.map((p) => p.name));
  const nodePeers = new Map(nodes.map((n) => [n.name, new Set(peersForNode(config, n).map((p) => p.name))]));

  // Group IPs (shared ones have several services), each service with its per-IP pool.
  const byIP = new Map<string, IPEntry>();
  for (const svc of [...input.services].sort((a, b) => cmp(a.key, b.key))) {
    for (const ip of svc.ips) {
      const info: ServiceInfo = { ...svc.info, pool: poolOf(ip, config, svc.info.pool) };
      let e = byIP.get(ip.key);
      if (!e) byIP.set(ip.key, (e = { ip, services: [] }));
      e.services.push({ svc, info });
    }
  }

  const why = new Map<string, Map<string, { l2: L2Verdict[]; bgp: BgpVerdict[] }>>();
  const verdict = (svcKey: string, node: string): { l2: L2Verdict[]; bgp: BgpVerdict[] } => {
    let m = why.get(svcKey);
    if (!m) why.set(svcKey, (m = new Map<string, { l2: L2Verdict[]; bgp: BgpVerdict[] }>()));
    let v = m.get(node);
    if (!v) m.set(node, (v = { l2: [], bgp: [] }));
    return v;
  };
  const l2 = new Map<string, L2Desired>();
  const bgp = new Map<string, { prefix: Prefix; peers: Map<string, Advertisement>; services: Set<string> }>();
  const containing = prefixCache();

  for (const [ipKey, entry] of byIP) {
    const { ip } = entry;
    const l2Covered = entry.services.some((s) => coveringAdvertisements(s.info, config.l2Advertisements).length > 0);
    const bgpCovered = entry.services.some((s) => coveringAdvertisements(s.info, config.bgpAdvertisements).length > 0);
    const endpointsByNode = entry.services.map((s) => groupByNode(s.svc));
    // Membership (the heartbeat quorum) gates L2 only, where one owner per IP must hold. BGP has
    // no such rule: every eligible node advertises, a dead node's routes leave with its session
    // (hold timer), and a speaker that merely lost its heartbeat quorum (a CPU-starved moment,
    // say) must not withdraw every route. Node Ready and the other rules still apply.
    const eligibilityOf = (ads: readonly (L2Advertisement | BGPAdvertisement)[], node: NodeInfo, i: number, mode: 'l2' | 'bgp'): Eligibility => {
      const s = entry.services[i]!;
      const endpoints = s.info.externalTrafficPolicy === 'Local' ? endpointsByNode[i]!.get(node.name) ?? [] : s.svc.endpoints;
      return nodeEligibility({ node, live: mode === 'bgp' || live.has(node.name), service: s.info, advertisements: ads, endpoints });
    };

    if (l2Covered || !bgpCovered) {
      // L2: one election for the IP. (An IP nothing covers lands here too, for its reasons.)
      const perNode = nodes.map((node) => ({ node, elig: entry.services.map((_, i) => eligibilityOf(config.l2Advertisements, node, i, 'l2')) }));
      const best = Math.max(0, ...perNode.map((p) => p.elig.filter((e) => e.eligible).length));
      const candidates: Candidate<Candidacy>[] = perNode.map(({ node, elig }) => {
        const n = elig.filter((e) => e.eligible).length;
        let ineligible: Candidacy | undefined;
        if (n === 0) ineligible = firstReason(elig);
        else if (n < best) ineligible = { type: 'shared-ip-coverage', eligibleFor: n, of: entry.services.length };
        return { name: node.name, labels: node.labels, ineligible };
      });
      const coveringAds = entry.services.flatMap((s) => coveringAdvertisements(s.info, config.l2Advertisements));
      const election = elect(ip, candidates, weightedPreferences(coveringAds));
      const owner = election.owner;
      const ownerElig = perNode.find((p) => p.node.name === owner)?.elig ?? [];
      if (l2Covered) {
        l2.set(ipKey, { ip, services: entry.services.map((s) => s.svc.key), owner, interfaces: interfacesFor(ownerElig, config.l2Advertisements) });
      }
      for (const { node, elig } of perNode) {
        const nc = election.notChosen.get(node.name);
        entry.services.forEach((s, i) => {
          const e = elig[i]!;
          let v: L2Verdict;
          if (node.name === owner) v = { type: 'owner', ip };
          else if (!e.eligible) v = { type: 'ineligible', ip, reason: e.reason };
          else v = { type: 'not-owner', ip, owner: owner ?? '', cause: notOwnerCause(nc) };
          verdict(s.svc.key, node.name).l2.push(v);
        });
      }
    }

    if (bgpCovered) {
      for (const node of nodes) {
        entry.services.forEach((s, i) => {
          const e = eligibilityOf(config.bgpAdvertisements, node, i, 'bgp');
          const v = bgpVerdict(ip, e, config.bgpAdvertisements, nodePeers.get(node.name) ?? new Set(), containing);
          verdict(s.svc.key, node.name).bgp.push(v);
          if (node.name !== self || v.type !== 'advertised' || !e.eligible) return;
          for (const ad of config.bgpAdvertisements.filter((a) => e.advertisements.includes(a.name))) {
            const prefix = containing(ip, ip.family === 4 ? ad.aggregationLength : ad.aggregationLengthV6);
            const key = prefix.toString();
            let d = bgp.get(key);
            if (!d) bgp.set(key, (d = { prefix, peers: new Map(), services: new Set() }));
            d.services.add(s.svc.key);
            for (const peer of targetPeers(ad, peerNames)) d.peers.set(peer, merge(d.peers.get(peer), prefix, ad));
          }
        });
      }
    }
  }

  const bgpOut = new Map<string, BgpDesired>();
  for (const [k, d] of [...bgp].sort((a, b) => cmp(a[0], b[0]))) bgpOut.set(k, { prefix: d.prefix, peers: d.peers, services: [...d.services].sort() });
  return { l2, bgp: bgpOut, sessionPeers: sessionPeers.map((p) => p.name), why };
}

function groupByNode(svc: ServiceState): Map<string, ServiceState['endpoints'][number][]> {
  const m = new Map<string, ServiceState['endpoints'][number][]>();
  for (const e of svc.endpoints) {
    if (e.nodeName === undefined) continue;
    let l = m.get(e.nodeName);
    if (!l) m.set(e.nodeName, (l = []));
    l.push(e);
  }
  return m;
}

function firstReason(elig: readonly Eligibility[]): IneligibleReason {
  for (const e of elig) if (!e.eligible) return e.reason;
  return { type: 'no-advertisement', pool: undefined };
}

function notOwnerCause(nc: NotChosen<Candidacy> | undefined): NotOwnerCause {
  if (nc?.type === 'outranked') return nc.cause;
  return 'shared-ip-coverage';
}

/** The owner's interfaces: union over the advertisements selecting it; any with none: all. */
function interfacesFor(elig: readonly Eligibility[], ads: readonly L2Advertisement[]): string[] {
  const names = new Set(elig.flatMap((e) => (e.eligible ? e.advertisements : [])));
  const chosen = ads.filter((a) => names.has(a.name));
  if (chosen.length === 0 || chosen.some((a) => a.interfaces.length === 0)) return [];
  return [...new Set(chosen.flatMap((a) => a.interfaces))].sort();
}

function targetPeers(ad: BGPAdvertisement, sessionPeers: ReadonlySet<string>): string[] {
  return ad.peers.length === 0 ? [...sessionPeers] : ad.peers.filter((p) => sessionPeers.has(p));
}

/** Prefix.containing, once per (IP, length) in a pass: every node's verdict needs the same ones. */
function prefixCache(): (ip: IP, length: number) => Prefix {
  const m = new Map<string, Prefix>();
  return (ip, length) => {
    const k = `${ip.key}/${length}`;
    let p = m.get(k);
    if (!p) m.set(k, (p = Prefix.containing(ip, length)));
    return p;
  };
}

function bgpVerdict(ip: IP, e: Eligibility, ads: readonly BGPAdvertisement[], nodePeers: ReadonlySet<string>, containing: (ip: IP, length: number) => Prefix): BgpVerdict {
  if (!e.eligible) return { type: 'ineligible', ip, reason: e.reason };
  const mine = ads.filter((a) => e.advertisements.includes(a.name));
  const peers = new Set(mine.flatMap((a) => targetPeers(a, nodePeers)));
  if (peers.size === 0) return { type: 'no-peer', ip, advertisements: mine.map((a) => a.name) };
  const prefixes = new Map(mine.map((a) => containing(ip, ip.family === 4 ? a.aggregationLength : a.aggregationLengthV6)).map((p) => [p.toString(), p]));
  return { type: 'advertised', ip, prefixes: [...prefixes.values()], peers: [...peers].sort() };
}

function merge(cur: Advertisement | undefined, prefix: Prefix, ad: BGPAdvertisement): Advertisement {
  const communities = new Map<string, Community>();
  for (const c of [...(cur?.communities ?? []), ...ad.communities]) communities.set(formatCommunity(c), c);
  const lp = [cur?.localPref, ad.localPref].filter((x): x is number => x !== undefined);
  return {
    prefix,
    ...(lp.length ? { localPref: Math.max(...lp) } : {}),
    ...(communities.size ? { communities: [...communities.entries()].sort((a, b) => cmp(a[0], b[0])).map(([, c]) => c) } : {}),
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
