// Extended communities (RFC 4360), and the one this speaker interprets: Link Bandwidth
// (draft-ietf-idr-link-bandwidth). Each community is 8 bytes: type, subtype, 6 bytes of value.
// Link Bandwidth is type 0x40 (two-octet-AS specific, non-transitive), subtype 0x04, a 2-byte
// global administrator (the AS; AS_TRANS when the AS needs 4 bytes) and the bandwidth as an
// IEEE-754 single-precision float in bytes per second. Others are kept as their 8 bytes.
import { DecodeError, EncodeError, ErrorCode, UpdateSubcode } from './errors.js';
import { AS_TRANS } from './types.js';

export const LINK_BANDWIDTH_TYPE = 0x40;
export const LINK_BANDWIDTH_SUBTYPE = 0x04;
export const EXTENDED_COMMUNITY_LENGTH = 8;

export type ExtendedCommunity =
  | {
      readonly type: 'link-bandwidth';
      /** Global administrator: a 2-byte AS. */
      readonly asn: number;
      /** Bytes per second (a 32-bit float on the wire). */
      readonly bandwidth: number;
    }
  | { readonly type: 'other'; readonly bytes: Buffer };

export type LinkBandwidth = Extract<ExtendedCommunity, { type: 'link-bandwidth' }>;

/** The Link Bandwidth community for an AS (AS_TRANS when it does not fit 2 bytes). */
export function linkBandwidth(localAS: number, bytesPerSecond: number): LinkBandwidth {
  return { type: 'link-bandwidth', asn: localAS > 0xffff ? AS_TRANS : localAS, bandwidth: bytesPerSecond };
}

export function encodeExtendedCommunities(cs: readonly ExtendedCommunity[]): Buffer {
  const b = Buffer.alloc(cs.length * EXTENDED_COMMUNITY_LENGTH);
  cs.forEach((c, i) => {
    const o = i * EXTENDED_COMMUNITY_LENGTH;
    if (c.type === 'other') {
      if (c.bytes.length !== EXTENDED_COMMUNITY_LENGTH) throw new EncodeError(`extended community of ${c.bytes.length} bytes, not 8`);
      c.bytes.copy(b, o);
      return;
    }
    if (!Number.isInteger(c.asn) || c.asn < 0 || c.asn > 0xffff) throw new EncodeError(`link bandwidth AS ${c.asn} does not fit 2 bytes`);
    if (!Number.isFinite(c.bandwidth) || c.bandwidth < 0) throw new EncodeError(`link bandwidth ${c.bandwidth} is not a finite non-negative number`);
    b[o] = LINK_BANDWIDTH_TYPE;
    b[o + 1] = LINK_BANDWIDTH_SUBTYPE;
    b.writeUInt16BE(c.asn, o + 2);
    b.writeFloatBE(c.bandwidth, o + 4);
  });
  return b;
}

/** Decodes the EXTENDED COMMUNITIES attribute value; a length not a multiple of 8 is an error (RFC 7606 §7.14). */
export function decodeExtendedCommunities(v: Buffer): ExtendedCommunity[] {
  if (v.length % EXTENDED_COMMUNITY_LENGTH !== 0 || v.length === 0) {
    throw new DecodeError(`EXTENDED_COMMUNITIES: bad length ${v.length}`, ErrorCode.updateMessage, UpdateSubcode.attributeLengthError);
  }
  const out: ExtendedCommunity[] = [];
  for (let o = 0; o < v.length; o += EXTENDED_COMMUNITY_LENGTH) {
    // The draft's transitive variant (type 0x00) stays 'other', so a round trip keeps its bytes.
    if (v[o] === LINK_BANDWIDTH_TYPE && v[o + 1] === LINK_BANDWIDTH_SUBTYPE) {
      out.push({ type: 'link-bandwidth', asn: v.readUInt16BE(o + 2), bandwidth: v.readFloatBE(o + 4) });
    } else out.push({ type: 'other', bytes: Buffer.from(v.subarray(o, o + EXTENDED_COMMUNITY_LENGTH)) });
  }
  return out;
}
