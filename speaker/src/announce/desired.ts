// What this node announces, pure: Services (with their ingress IPs and endpoints), Nodes, the
// config and the live members in; the L2 owner of every IP, this node's BGP routes, and a
// verdict for every (service, node) out. Every speaker computes the same L2 owners from the
// same inputs (DESIGN §1, §5).
//
// Shared IPs (THE RULE). An IP is elected once, never per Service, so it has exactly one owner.
// A node is a candidate for an IP when it is eligible (eligibility/) for at least one of the
// Services sharing it. Candidates rank first by how many of those Services they are eligible
// for (so a node that covers every one of them is preferred to one that covers fewer: verdict
// `shared-ip-coverage`): the owner then serves all of them, which matters under ETP Local,
// where a node without a local endpoint of a Service would drop that Service's traffic. The
// controller only lets ETP Local Services share an IP when their selectors are identical, so in
// steady state every candidate covers all of them; the tiering decides only during rollouts and
// for mixed Cluster/Local sharing.
//
// The election's preferredNodeSelectors are those of every L2Advertisement covering any of the
// sharing Services (not only the owner's), by advertisement name, each repeated by its weight,
// so every node ranks with the same list. The owner's interfaces are the union of the
// `interfaces` of the covering advertisements that select it; one with none means every
// suitable interface.
//
// This function is the whole computation, for tests and for anyone asking "why" about every
// Service at once. The speaker itself runs the same per-IP functions (l2-rank.ts,
// bgp-routes.ts) incrementally, only for the IPs a change touches (reconcile/announce-index.ts).
import { bgpForIP, mergeRoutes, type PrefixRoute } from './bgp-routes.js';
import { announceContext } from './context.js';
import { cmp, groupByIP } from './ip-entries.js';
import { electL2, interfacesFor, rankL2 } from './l2-rank.js';
import type { AnnounceInput, BgpDesired, BgpVerdict, Desired, L2Desired, L2Verdict } from './types.js';

export { peersForNode } from './context.js';
export { poolOf } from './ip-entries.js';
export { weightedPreferences } from './l2-rank.js';

export function desiredAnnouncements(input: AnnounceInput): Desired {
  const { config, nodes, live, self } = input;
  const ctx = announceContext(config, nodes, self);
  const why = new Map<string, Map<string, { l2: L2Verdict[]; bgp: BgpVerdict[] }>>();
  const verdict = (svcKey: string, node: string): { l2: L2Verdict[]; bgp: BgpVerdict[] } => {
    let m = why.get(svcKey);
    if (!m) why.set(svcKey, (m = new Map<string, { l2: L2Verdict[]; bgp: BgpVerdict[] }>()));
    let v = m.get(node);
    if (!v) m.set(node, (v = { l2: [], bgp: [] }));
    return v;
  };
  const l2 = new Map<string, L2Desired>();
  const byPrefix = new Map<string, PrefixRoute[]>();

  for (const [ipKey, entry] of groupByIP(input.services, config)) {
    const rank = rankL2(entry, ctx);
    if (rank) {
      const election = electL2(rank, live);
      if (rank.covered) l2.set(ipKey, { ip: entry.ip, services: rank.services, owner: election.owner, interfaces: election.owner ? interfacesFor(rank, election.owner) : [] });
      for (const node of nodes) election.verdicts(node.name).forEach((v, i) => verdict(rank.services[i]!, node.name).l2.push(v));
    }
    const bgp = bgpForIP(entry, ctx);
    if (bgp) {
      for (const node of nodes) bgp.verdicts(node.name).forEach((v, i) => verdict(entry.services[i]!.svc.key, node.name).bgp.push(v));
      for (const [k, r] of bgp.routes) (byPrefix.get(k) ?? byPrefix.set(k, []).get(k)!).push(r);
    }
  }

  const bgpOut = new Map<string, BgpDesired>();
  for (const [k, rs] of [...byPrefix].sort((a, b) => cmp(a[0], b[0]))) {
    const r = mergeRoutes(rs);
    if (r) bgpOut.set(k, { prefix: r.prefix, peers: r.peers, services: [...r.services].sort() });
  }
  return { l2, bgp: bgpOut, sessionPeers: ctx.sessionPeers.map((p) => p.name), why };
}
