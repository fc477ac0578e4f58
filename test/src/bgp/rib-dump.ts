// Whole-table reads of a receiver's RIB, for suites and benches that move thousands of prefixes:
// the router's own CLI is the oracle (BIRD `show route all ... protocol P`, FRR `show bgp ... json
// detail`), one call per family instead of one per prefix. Also the cheap count to poll on, and
// BIRD's per-session counters of route updates received (`show protocols all`).
import { BirdRouter, FrrRouter, parseBirdRoutes, type RouterDriver } from '@herald/lab';

/** What the receiver holds for one prefix from the peer. */
export interface HeldRoute {
  readonly nextHops: readonly string[];
  /** "ASN:VALUE", as the router shows them. */
  readonly communities: readonly string[];
}

interface FrrDetailPath {
  readonly community?: { readonly list?: readonly string[] };
  readonly nexthops?: readonly { readonly ip?: string }[];
  readonly peer?: { readonly peerId?: string };
}

/** FRR's `show bgp <afi> unicast json detail`: per prefix a header object, then its paths. */
export function parseFrrDetailTable(json: string, peerAddress: string): Map<string, HeldRoute> {
  const j = JSON.parse(json) as { routes?: Record<string, readonly (FrrDetailPath & { prefix?: string })[]> };
  const out = new Map<string, HeldRoute>();
  for (const [prefix, entries] of Object.entries(j.routes ?? {})) {
    for (const p of entries) {
      if (p.peer?.peerId !== peerAddress) continue;
      out.set(prefix, { nextHops: (p.nexthops ?? []).flatMap((n) => (n.ip ? [n.ip] : [])), communities: [...(p.community?.list ?? [])] });
    }
  }
  return out;
}

/** Every prefix of `family` the receiver holds from the peer (BIRD: protocol name; FRR: address). */
export async function heldRoutes(r: RouterDriver, family: 4 | 6, peer: { name: string; address: string }): Promise<Map<string, HeldRoute>> {
  if (r instanceof BirdRouter) {
    const out = new Map<string, HeldRoute>();
    for (const x of parseBirdRoutes(await r.birdc(`show route all table master${family} protocol ${peer.name}`))) out.set(x.prefix, { nextHops: x.nextHops, communities: x.communities });
    return out;
  }
  if (r instanceof FrrRouter) return parseFrrDetailTable(await r.vtysh(`show bgp ipv${family} unicast json detail`), peer.address);
  throw new Error(`heldRoutes: no whole-table read for ${r.kind}`);
}

/** How many prefixes of `family` the receiver holds from the peer: cheap, for polling. */
export async function heldCount(r: RouterDriver, family: 4 | 6, peer: { name: string; address: string }): Promise<number> {
  if (r instanceof BirdRouter) {
    const out = await r.birdc(`show route table master${family} protocol ${peer.name} count`);
    const m = /(\d+) of \d+ routes/.exec(out);
    if (!m) throw new Error(`BIRD count: unexpected output ${JSON.stringify(out)}`);
    return Number(m[1]);
  }
  if (r instanceof FrrRouter) {
    const j = JSON.parse(await r.vtysh(`show bgp ipv${family} unicast summary json`)) as { peers?: Record<string, { pfxRcd?: number }> };
    return j.peers?.[peer.address]?.pfxRcd ?? 0;
  }
  throw new Error(`heldCount: no count for ${r.kind}`);
}

/**
 * Route updates plus withdrawals received, per BGP protocol, summed over its channels, from BIRD's
 * `show protocols all` ("Import updates" / "Import withdraws", the `received` column).
 */
export function parseBirdImportCounts(out: string): Map<string, number> {
  const m = new Map<string, number>();
  let proto = '';
  for (const line of out.split('\n')) {
    // A protocol's first line starts in column 0 (so do birdc's own lines: they end the last one).
    if (/^\S/.test(line)) proto = /^(\S+)\s+BGP\s/.exec(line)?.[1] ?? '';
    const c = /^\s+Import (?:updates|withdraws):\s+(\d+)/.exec(line);
    if (c && proto) m.set(proto, (m.get(proto) ?? 0) + Number(c[1]));
  }
  return m;
}

export async function birdImportCounts(r: BirdRouter): Promise<Map<string, number>> {
  return parseBirdImportCounts(await r.birdc('show protocols all'));
}
