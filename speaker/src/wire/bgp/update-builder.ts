// Packs routes into as few UPDATEs as fit: prefixes with equal attributes share one UPDATE, each
// under the 4096-byte maximum. IPv4 NLRI go in the NLRI field, IPv6 in MP_REACH/MP_UNREACH_NLRI.
import type { IP, Prefix } from '@herald/shared/net';
import { encodeAttributes, familyAfi } from './attributes.js';
import { encodeMessage } from './message.js';
import { SAFI, type CodecContext, type PathAttributes } from './types.js';
import { packAll } from './update-packer.js';

/** Attributes for announced routes: the next hop is given apart (per family), never in `attrs`. */
export interface RouteGroup {
  /** Shared attributes (origin, AS path, MED, LOCAL_PREF, communities...). */
  readonly attrs: PathAttributes;
  /** IPv4: one address; IPv6: global, then optional link-local (RFC 2545). */
  readonly nextHops: readonly IP[];
  readonly prefixes: readonly Prefix[];
}

function attrsKey(g: RouteGroup, ctx: CodecContext): string {
  return `${g.nextHops.map((n) => n.key).join(',')}|${encodeAttributes(g.attrs, ctx).toString('hex')}`;
}

/** Merges groups whose attributes encode the same and splits by family. */
function normalise(groups: readonly RouteGroup[], ctx: CodecContext): RouteGroup[] {
  const byKey = new Map<string, { attrs: PathAttributes; nextHops: readonly IP[]; v4: Prefix[]; v6: Prefix[] }>();
  for (const g of groups) {
    const k = attrsKey(g, ctx);
    let e = byKey.get(k);
    if (!e) byKey.set(k, (e = { attrs: g.attrs, nextHops: g.nextHops, v4: [], v6: [] }));
    for (const p of g.prefixes) (p.family === 4 ? e.v4 : e.v6).push(p);
  }
  const out: RouteGroup[] = [];
  for (const e of byKey.values()) {
    if (e.v4.length) out.push({ attrs: e.attrs, nextHops: e.nextHops, prefixes: e.v4 });
    if (e.v6.length) out.push({ attrs: e.attrs, nextHops: e.nextHops, prefixes: e.v6 });
  }
  return out;
}

/** Encoded UPDATE messages announcing every group's prefixes. */
export function buildAnnouncements(groups: readonly RouteGroup[], ctx: CodecContext): Buffer[] {
  const out: Buffer[] = [];
  for (const g of normalise(groups, ctx)) {
    out.push(...packAll({ type: 'announce', family: g.prefixes[0]!.family, attrs: g.attrs, nextHops: g.nextHops }, g.prefixes, ctx));
  }
  return out;
}

/** Encoded UPDATE messages withdrawing the prefixes (IPv4 classic, IPv6 MP_UNREACH_NLRI). */
export function buildWithdrawals(prefixes: readonly Prefix[], ctx: CodecContext): Buffer[] {
  return ([4, 6] as const).flatMap((family) => {
    const ps = prefixes.filter((p) => p.family === family);
    return ps.length ? packAll({ type: 'withdraw', family }, ps, ctx) : [];
  });
}

/** The End-of-RIB marker for a family (RFC 4724 §2). */
export function endOfRib(afi: number, ctx: CodecContext): Buffer {
  if (afi === familyAfi(4)) return encodeMessage({ type: 'update', withdrawn: [], attributes: {}, nlri: [] }, ctx);
  return encodeMessage({ type: 'update', withdrawn: [], attributes: { mpUnreach: { afi, safi: SAFI.unicast, withdrawn: [] } }, nlri: [] }, ctx);
}
