// One route we want a peer to have, and what makes two of them the same on the wire. Pure.
import type { Community } from '@herald/shared/config';
import type { Prefix } from '@herald/shared/net';

/** One prefix to advertise, with the per-advertisement attributes. */
export interface Advertisement {
  readonly prefix: Prefix;
  /** Sent on iBGP only (RFC 4271 §5.1.5). */
  readonly localPref?: number;
  readonly communities?: readonly Community[];
  /**
   * Weighted ECMP (BGPAdvertisement weightByLocalEndpoints): this node's ready local endpoints,
   * sent as a Link Bandwidth extended community of weight x BANDWIDTH_PER_ENDPOINT. Unset: none.
   */
  readonly weight?: number;
}

/**
 * Bytes per second of Link Bandwidth per ready local endpoint: 1 Mbps (125,000 B/s). Routers
 * weigh paths by the ratio only; whole megabits keep the value exact in FRR, which shows and
 * computes link bandwidth in Mbps (1 endpoint shows as "LB:64512:125000 (1.000 Mbps)").
 */
export const BANDWIDTH_PER_ENDPOINT = 125_000;

function sameCommunity(a: Community, b: Community): boolean {
  if (a.type === 'standard') return b.type === 'standard' && a.asn === b.asn && a.value === b.value;
  return b.type === 'large' && a.global === b.global && a.local1 === b.local1 && a.local2 === b.local2;
}

/** Equal prefix, LOCAL_PREF and communities (in order). Cheap: no strings are built. */
export function sameAdvertisement(a: Advertisement, b: Advertisement): boolean {
  if (a === b) return true;
  if (a.localPref !== b.localPref || a.weight !== b.weight || !a.prefix.equals(b.prefix)) return false;
  const x = a.communities ?? [];
  const y = b.communities ?? [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (!sameCommunity(x[i]!, y[i]!)) return false;
  return true;
}

function communityText(c: Community): string {
  return c.type === 'standard' ? `s${c.asn}:${c.value}` : `l${c.global}:${c.local1}:${c.local2}`;
}

/**
 * A string equal for two advertisements exactly when their UPDATEs carry the same attributes on
 * a session of this kind: the family (next hop and NLRI encoding), LOCAL_PREF on iBGP only
 * (default 100, as attributesFor sends it), the communities in order, and the weight.
 */
export function attributeSignature(a: Advertisement, ibgp: boolean): string {
  const cs = a.communities;
  return `${a.prefix.family}|${ibgp ? (a.localPref ?? 100) : ''}|${cs && cs.length ? cs.map(communityText).join(',') : ''}|${a.weight ?? ''}`;
}
