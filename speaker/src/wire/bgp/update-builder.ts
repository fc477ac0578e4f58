// Packs routes into as few UPDATEs as fit: prefixes with equal attributes share one UPDATE, each
// under the 4096-byte maximum. IPv4 NLRI go in the NLRI field, IPv6 in MP_REACH/MP_UNREACH_NLRI.
import type { IP, Prefix } from '@herald/shared/net';
import { encodeAttributes, familyAfi } from './attributes.js';
import { encodeMessage } from './message.js';
import { prefixWireLength } from './nlri.js';
import { MAX_MESSAGE_LENGTH, SAFI, type CodecContext, type PathAttributes } from './types.js';

/** Attributes for announced routes: the next hop is given apart (per family), never in `attrs`. */
export interface RouteGroup {
  /** Shared attributes (origin, AS path, MED, LOCAL_PREF, communities...). */
  readonly attrs: PathAttributes;
  /** IPv4: one address; IPv6: global, then optional link-local (RFC 2545). */
  readonly nextHops: readonly IP[];
  readonly prefixes: readonly Prefix[];
}

function chunkByBytes(ps: readonly Prefix[], budget: number): Prefix[][] {
  const out: Prefix[][] = [];
  let cur: Prefix[] = [];
  let used = 0;
  for (const p of ps) {
    const n = prefixWireLength(p);
    if (used + n > budget && cur.length) {
      out.push(cur);
      cur = [];
      used = 0;
    }
    cur.push(p);
    used += n;
  }
  if (cur.length) out.push(cur);
  return out;
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
    const family = g.prefixes[0]!.family;
    if (family === 4 && g.nextHops[0]?.family === 4) {
      const attrs: PathAttributes = { ...g.attrs, nextHop: g.nextHops[0] };
      const base = encodeMessage({ type: 'update', withdrawn: [], attributes: attrs, nlri: [] }, ctx).length;
      for (const nlri of chunkByBytes(g.prefixes, MAX_MESSAGE_LENGTH - base)) {
        out.push(encodeMessage({ type: 'update', withdrawn: [], attributes: attrs, nlri }, ctx));
      }
    } else {
      const mp = (nlri: readonly Prefix[]): PathAttributes => ({
        ...g.attrs,
        mpReach: { afi: familyAfi(family), safi: SAFI.unicast, nextHops: g.nextHops, nlri },
      });
      const base = encodeMessage({ type: 'update', withdrawn: [], attributes: mp([]), nlri: [] }, ctx).length + 1;
      for (const nlri of chunkByBytes(g.prefixes, MAX_MESSAGE_LENGTH - base)) {
        out.push(encodeMessage({ type: 'update', withdrawn: [], attributes: mp(nlri), nlri: [] }, ctx));
      }
    }
  }
  return out;
}

/** Encoded UPDATE messages withdrawing the prefixes (IPv4 classic, IPv6 MP_UNREACH_NLRI). */
export function buildWithdrawals(prefixes: readonly Prefix[], ctx: CodecContext, v4OverMp = false): Buffer[] {
  const out: Buffer[] = [];
  const v4 = prefixes.filter((p) => p.family === 4);
  const v6 = prefixes.filter((p) => p.family === 6);
  if (!v4OverMp) {
    for (const withdrawn of chunkByBytes(v4, MAX_MESSAGE_LENGTH - 23)) {
      out.push(encodeMessage({ type: 'update', withdrawn, attributes: {}, nlri: [] }, ctx));
    }
  }
  const mpFamilies: [number, Prefix[]][] = [[familyAfi(6), v6]];
  if (v4OverMp) mpFamilies.push([familyAfi(4), v4]);
  for (const [afi, ps] of mpFamilies) {
    // header 19 + 2 + 2 + attribute header 4 (extended) + AFI/SAFI 3
    for (const withdrawn of chunkByBytes(ps, MAX_MESSAGE_LENGTH - 30)) {
      out.push(encodeMessage({ type: 'update', withdrawn: [], attributes: { mpUnreach: { afi, safi: SAFI.unicast, withdrawn } }, nlri: [] }, ctx));
    }
  }
  return out;
}

/** The End-of-RIB marker for a family (RFC 4724 §2). */
export function endOfRib(afi: number, ctx: CodecContext): Buffer {
  if (afi === familyAfi(4)) return encodeMessage({ type: 'update', withdrawn: [], attributes: {}, nlri: [] }, ctx);
  return encodeMessage({ type: 'update', withdrawn: [], attributes: { mpUnreach: { afi, safi: SAFI.unicast, withdrawn: [] } }, nlri: [] }, ctx);
}
