// BGP communities: "AA:NN" (RFC 1997, 16-bit halves), "large:A:B:C" (RFC 8092, 32-bit parts),
// the well-known names, and the aliases that Community objects define.
import type { Community } from './model.js';

/** RFC 1997 / RFC 7999 / RFC 8326 well-known communities, by their usual (FRR) names. */
export const WELL_KNOWN_COMMUNITIES: Readonly<Record<string, Community>> = Object.freeze({
  'graceful-shutdown': { type: 'standard', asn: 65535, value: 0 },
  blackhole: { type: 'standard', asn: 65535, value: 666 },
  'no-export': { type: 'standard', asn: 65535, value: 65281 },
  'no-advertise': { type: 'standard', asn: 65535, value: 65282 },
  'no-export-subconfed': { type: 'standard', asn: 65535, value: 65283 },
  'local-as': { type: 'standard', asn: 65535, value: 65283 },
  'no-peer': { type: 'standard', asn: 65535, value: 65284 },
});

export type CommunityResult = { readonly ok: true; readonly community: Community } | { readonly ok: false; readonly message: string };

const num = /^\d{1,10}$/;

function part(s: string, max: number): number | undefined {
  if (!num.test(s)) return undefined;
  const n = Number(s);
  return n <= max ? n : undefined;
}

/** A literal community (no names, no aliases). */
export function parseCommunityLiteral(s: string): CommunityResult {
  const q = JSON.stringify(s);
  if (s.startsWith('large:')) {
    const ps = s.slice(6).split(':');
    if (ps.length !== 3) return { ok: false, message: `invalid large community ${q}: want large:A:B:C` };
    const [g, a, b] = ps.map((p) => part(p, 0xffffffff));
    if (g === undefined || a === undefined || b === undefined) {
      return { ok: false, message: `invalid large community ${q}: each part is a number 0..4294967295` };
    }
    return { ok: true, community: { type: 'large', global: g, local1: a, local2: b } };
  }
  const ps = s.split(':');
  if (ps.length !== 2) return { ok: false, message: `invalid community ${q}: want AA:NN or large:A:B:C` };
  const [asn, value] = ps.map((p) => part(p, 0xffff));
  if (asn === undefined || value === undefined) return { ok: false, message: `invalid community ${q}: each half of AA:NN is a number 0..65535` };
  return { ok: true, community: { type: 'standard', asn, value } };
}

/**
 * What a BGPAdvertisement's communities entry means: an alias first (as MetalLB resolves
 * them), then a well-known name, then a literal.
 */
export function resolveCommunity(s: string, aliases: ReadonlyMap<string, Community>): CommunityResult {
  const alias = aliases.get(s);
  if (alias) return { ok: true, community: alias };
  const known = WELL_KNOWN_COMMUNITIES[s];
  if (known) return { ok: true, community: known };
  if (!s.includes(':')) {
    return { ok: false, message: `unknown community alias ${JSON.stringify(s)}: no Community object defines it` };
  }
  return parseCommunityLiteral(s);
}

export function formatCommunity(c: Community): string {
  return c.type === 'standard' ? `${c.asn}:${c.value}` : `large:${c.global}:${c.local1}:${c.local2}`;
}
