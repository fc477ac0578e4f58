// L2 for one IP, pure, in two steps. rankL2 (no liveness) says which nodes could own the IP and
// in which order; electL2 takes the live set and names the owner and every other node's
// verdict. The ranking changes only with Services, EndpointSlices, Nodes and config; a
// membership change only re-runs the cheap second step (see election/elect.ts).
//
// Shared IPs: a node is a candidate when it is eligible for at least one of the Services
// sharing the IP, and ranks in the tier of how many of them it covers, so the owner covers as
// many as any live node does (desired.ts, THE RULE).
import type { L2Advertisement, Selector } from '@herald/shared/config';
import type { IP } from '@herald/shared/net';
import { rank, type Ranked } from '../election/index.js';
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

/** The L2 ranking of an IP (undefined when only BGP covers it). */
export function rankL2(entry: IPEntry, ctx: AnnounceContext): L2Rank | undefined {
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
  return { ip: entry.ip, services: entry.services.map((s) => s.svc.key), covered, ranked: rank(entry.ip, candidates, prefs), perNode, advertisements: ads };
}

/** The interfaces `node` announces the IP on: union over the advertisements selecting it; any with none: all. */
export function interfacesFor(r: L2Rank, node: string): string[] {
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
