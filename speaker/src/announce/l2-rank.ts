// L2 for one IP, pure, in two steps. rankL2 (no liveness) says which nodes could own the IP and
// in which order; electL2 takes the live set and names the owner and every other node's
// verdict. The ranking changes only with Services, EndpointSlices, Nodes and config; a
// membership change only re-runs the cheap second step (see election/elect.ts).
//
// rankL2 orders every eligible node (the explain path: Events and verdicts cite who outranks
// whom). The bulk path (AnnounceState -> the packet thread) uses rankL2Top: the IP's candidate
// group (interned, so IPs with the same eligible nodes share it) and only its best TOP_K nodes;
// election/top-k.ts picks the same owner from those as from the full ranking.
//
// Shared IPs: a node is a candidate when it is eligible for at least one of the Services
// sharing the IP, and ranks in the tier of how many of them it covers, so the owner covers as
// many as any live node does (desired.ts, THE RULE).
import type { L2Advertisement, Selector } from '@herald/shared/config';
import type { IP } from '@herald/shared/net';
import { preferenceScore, rank, TOP_K, topK, type CandidateGroup, type GroupInterner, type Ranked } from '../election/index.js';
import { coveringAdvertisements, nodeEligibility, type AdvertisementScope, type Eligibility, type IneligibleReason, type NodeInfo } from '../eligibility/index.js';
import type { AnnounceContext } from './context.js';
import { cmp, endpointsFor, type IPEntry, type IPService } from './ip-entries.js';
import type { L2Verdict, NotOwnerCause } from './types.js';

export interface L2Rank {
  readonly ip: IP;
  /** Keys of the services sharing the IP, sorted. */
  readonly services: readonly string[];
  /** Some L2Advertisement covers one of them (else the IP is ranked only for its reasons). */
  readonly covered: boolean;
  /** The eligible nodes, best first, whether live or not. */
  readonly ranked: readonly Ranked[];
  /** Per node (every node of the context): its eligibility for each service, liveness aside. */
  readonly perNode: ReadonlyMap<string, readonly Eligibility[]>;
  readonly advertisements: readonly L2Advertisement[];
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

/** A node's eligibility for one service of the IP, liveness aside (membership decides that). */
export function eligibilityOf(s: IPService, node: NodeInfo, ads: readonly AdvertisementScope[]): Eligibility {
  return nodeEligibility({ node, live: true, service: s.info, advertisements: ads, endpoints: endpointsFor(s, node.name) });
}

/** True when no L2 ranking is needed: BGP alone covers the IP. */
export function bgpOnly(entry: IPEntry, ctx: AnnounceContext): boolean {
  const l2 = entry.services.some((s) => coveringAdvertisements(s.info, ctx.config.l2Advertisements).length > 0);
  const bgp = entry.services.some((s) => coveringAdvertisements(s.info, ctx.config.bgpAdvertisements).length > 0);
  return !l2 && bgp;
}

interface L2Inputs {
  readonly covered: boolean;
  readonly candidates: { readonly name: string; readonly labels: NodeInfo['labels']; readonly tier: number }[];
  readonly prefs: Selector[];
  readonly perNode: Map<string, Eligibility[]>;
  readonly advertisements: readonly L2Advertisement[];
}

function l2Inputs(entry: IPEntry, ctx: AnnounceContext): L2Inputs | undefined {
  if (bgpOnly(entry, ctx)) return undefined;
  const ads = ctx.config.l2Advertisements;
  const covered = entry.services.some((s) => coveringAdvertisements(s.info, ads).length > 0);
  const perNode = new Map<string, Eligibility[]>();
  const candidates = [];
  for (const node of ctx.nodes) {
    const elig = entry.services.map((s) => eligibilityOf(s, node, ads));
    perNode.set(node.name, elig);
    const n = elig.filter((e) => e.eligible).length;
    if (n > 0) candidates.push({ name: node.name, labels: node.labels, tier: n });
  }
  const prefs = weightedPreferences(entry.services.flatMap((s) => coveringAdvertisements(s.info, ads)));
  return { covered, candidates, prefs, perNode, advertisements: ads };
}

/** The L2 ranking of an IP, every eligible node (undefined when only BGP covers it). */
export function rankL2(entry: IPEntry, ctx: AnnounceContext): L2Rank | undefined {
  const x = l2Inputs(entry, ctx);
  if (!x) return undefined;
  return { ip: entry.ip, services: entry.services.map((s) => s.svc.key), covered: x.covered, ranked: rank(entry.ip, x.candidates, x.prefs), perNode: x.perNode, advertisements: x.advertisements };
}

/** The bulk form of an IP's L2 ranking: its candidate group and that group's best nodes for it. */
export interface L2TopRank {
  readonly ip: IP;
  readonly services: readonly string[];
  readonly covered: boolean;
  /** Every eligible node with its tier and score (shared with the IPs that have the same). */
  readonly group: CandidateGroup;
  /** The best min(k, group size) of them, best first, as indices into group.names. */
  readonly top: Uint16Array;
  readonly perNode: ReadonlyMap<string, readonly Eligibility[]>;
  readonly advertisements: readonly L2Advertisement[];
}

/** As rankL2, keeping only the best `k` (the owner pick falls back to the group: election/top-k.ts). */
export function rankL2Top(entry: IPEntry, ctx: AnnounceContext, groups: GroupInterner, k: number = TOP_K): L2TopRank | undefined {
  const x = l2Inputs(entry, ctx);
  if (!x) return undefined;
  groups.begin();
  for (const c of x.candidates) groups.add(c.name, c.tier, x.prefs.length ? preferenceScore(c.labels, x.prefs) : 0);
  const group = groups.end();
  return { ip: entry.ip, services: entry.services.map((s) => s.svc.key), covered: x.covered, group, top: topK(entry.ip, group, k), perNode: x.perNode, advertisements: x.advertisements };
}

/** The interfaces `node` announces the IP on: union over the advertisements selecting it; any with none: all. */
export function interfacesFor(r: Pick<L2Rank, 'perNode' | 'advertisements'>, node: string): string[] {
  const names = new Set((r.perNode.get(node) ?? []).flatMap((e) => (e.eligible ? e.advertisements : [])));
  const chosen = r.advertisements.filter((a) => names.has(a.name));
  if (chosen.length === 0 || chosen.some((a) => a.interfaces.length === 0)) return [];
  return [...new Set(chosen.flatMap((a) => a.interfaces))].sort();
}

export interface L2Election {
  /** undefined: no eligible live node. */
  readonly owner: string | undefined;
  /** Per node: one verdict per service sharing the IP (services in key order). */
  verdicts(node: string): L2Verdict[];
}

function firstReason(elig: readonly Eligibility[]): IneligibleReason {
  for (const e of elig) if (!e.eligible) return e.reason;
  return { type: 'no-advertisement', pool: undefined };
}

export function electL2(r: L2Rank, live: ReadonlySet<string>): L2Election {
  const best = r.ranked.find((x) => live.has(x.name));
  const owner = best?.name;
  const byName = new Map(r.ranked.map((x) => [x.name, x]));
  return {
    owner,
    verdicts(node) {
      const elig = r.perNode.get(node) ?? [];
      if (node === owner) return elig.map(() => ({ type: 'owner', ip: r.ip }));
      if (!live.has(node)) return elig.map(() => ({ type: 'ineligible', ip: r.ip, reason: { type: 'not-live' } }));
      const me = byName.get(node);
      return elig.map((e): L2Verdict => {
        if (!e.eligible) return { type: 'ineligible', ip: r.ip, reason: e.reason };
        if (!me || !best) return { type: 'ineligible', ip: r.ip, reason: firstReason(elig) };
        const cause: NotOwnerCause = me.tier !== best.tier ? 'shared-ip-coverage' : me.score !== best.score ? 'preference' : 'hash';
        return { type: 'not-owner', ip: r.ip, owner: best.name, cause };
      });
    },
  };
}
