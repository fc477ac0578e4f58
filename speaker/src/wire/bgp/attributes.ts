// Path attributes: encode, and decode with RFC 7606 revised error handling. Errors that RFC 7606
// lets us contain come back as values (treat-as-withdraw, attribute-discard); the rest throw a
// DecodeError (session reset) carrying the NOTIFICATION code and subcode.
import { IP, type Family } from '@herald/shared/net';
import { decodeAsPath, encodeAsPath, mergeAs4Path, needsAs4Path } from './as-path.js';
import { Cursor } from './cursor.js';
import { DecodeError, EncodeError, ErrorCode, UpdateSubcode } from './errors.js';
import { decodeExtendedCommunities, encodeExtendedCommunities } from './extended-community.js';
import { decodePrefixes, encodePrefixes } from './nlri.js';
import {
  AFI,
  AttrCode,
  AttrFlag,
  type AsPathSegment,
  type AttributeProblem,
  type CodecContext,
  type LargeCommunity,
  type MpReach,
  type MpUnreach,
  type OriginValue,
  type PathAttributes,
  type StandardCommunity,
  type UnknownAttribute,
} from './types.js';

const WELL_KNOWN = AttrFlag.transitive;
const OPT_TRANS = AttrFlag.optional | AttrFlag.transitive;
const OPT = AttrFlag.optional;

function attr(flags: number, code: number, value: Buffer): Buffer {
  const ext = value.length > 255;
  const h = Buffer.alloc(ext ? 4 : 3);
  h[0] = (flags & ~AttrFlag.extendedLength) | (ext ? AttrFlag.extendedLength : 0);
  h[1] = code;
  if (ext) h.writeUInt16BE(value.length, 2);
  else h[2] = value.length;
  return Buffer.concat([h, value]);
}

function u32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0, 0);
  return b;
}

export function familyAfi(f: Family): number {
  return f === 4 ? AFI.ipv4 : AFI.ipv6;
}

function afiFamily(afi: number): Family | undefined {
  return afi === AFI.ipv4 ? 4 : afi === AFI.ipv6 ? 6 : undefined;
}

function encodeMpReach(m: MpReach): Buffer {
  const nh = Buffer.concat(m.nextHops.map((ip) => ip.toBytes()));
  const head = Buffer.alloc(4);
  head.writeUInt16BE(m.afi, 0);
  head[2] = m.safi;
  head[3] = nh.length;
  return Buffer.concat([head, nh, Buffer.from([0]), encodePrefixes(m.nlri)]);
}

function encodeMpUnreach(m: MpUnreach): Buffer {
  const head = Buffer.alloc(3);
  head.writeUInt16BE(m.afi, 0);
  head[2] = m.safi;
  return Buffer.concat([head, encodePrefixes(m.withdrawn)]);
}

/** Encodes attributes in type-code order; MP_REACH/MP_UNREACH first, as BIRD and GoBGP do. */
export function encodeAttributes(a: PathAttributes, ctx: CodecContext): Buffer {
  const out: Buffer[] = [];
  if (a.mpUnreach) out.push(attr(OPT, AttrCode.mpUnreach, encodeMpUnreach(a.mpUnreach)));
  if (a.mpReach) out.push(attr(OPT, AttrCode.mpReach, encodeMpReach(a.mpReach)));
  if (a.origin !== undefined) out.push(attr(WELL_KNOWN, AttrCode.origin, Buffer.from([a.origin])));
  if (a.asPath) {
    out.push(attr(WELL_KNOWN, AttrCode.asPath, encodeAsPath(a.asPath, ctx.fourOctetAs ? 4 : 2)));
  }
  if (a.nextHop) {
    if (a.nextHop.family !== 4) throw new EncodeError('NEXT_HOP must be IPv4; use MP_REACH_NLRI for IPv6');
    out.push(attr(WELL_KNOWN, AttrCode.nextHop, a.nextHop.toBytes()));
  }
  if (a.med !== undefined) out.push(attr(OPT, AttrCode.med, u32(a.med)));
  if (a.localPref !== undefined) out.push(attr(WELL_KNOWN, AttrCode.localPref, u32(a.localPref)));
  if (a.atomicAggregate) out.push(attr(WELL_KNOWN, AttrCode.atomicAggregate, Buffer.alloc(0)));
  if (a.communities?.length) {
    const b = Buffer.alloc(a.communities.length * 4);
    a.communities.forEach((c, i) => {
      b.writeUInt16BE(c.asn, i * 4);
      b.writeUInt16BE(c.value, i * 4 + 2);
    });
    out.push(attr(OPT_TRANS, AttrCode.communities, b));
  }
  if (a.extendedCommunities?.length) out.push(attr(OPT_TRANS, AttrCode.extendedCommunities, encodeExtendedCommunities(a.extendedCommunities)));
  if (a.asPath && !ctx.fourOctetAs && needsAs4Path(a.asPath)) {
    out.push(attr(OPT_TRANS, AttrCode.as4Path, encodeAsPath(a.asPath, 4)));
  }
  if (a.largeCommunities?.length) {
    const b = Buffer.alloc(a.largeCommunities.length * 12);
    a.largeCommunities.forEach((c, i) => {
      b.writeUInt32BE(c.global >>> 0, i * 12);
      b.writeUInt32BE(c.local1 >>> 0, i * 12 + 4);
      b.writeUInt32BE(c.local2 >>> 0, i * 12 + 8);
    });
    out.push(attr(OPT_TRANS, AttrCode.largeCommunities, b));
  }
  for (const u of a.unknown ?? []) out.push(attr(u.flags, u.code, u.value));
  return Buffer.concat(out);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** How an error in each attribute is handled (RFC 7606 §7). */
const withdrawOnError = new Set<number>([
  AttrCode.origin,
  AttrCode.asPath,
  AttrCode.nextHop,
  AttrCode.med,
  AttrCode.localPref,
  AttrCode.communities,
  AttrCode.extendedCommunities,
  AttrCode.largeCommunities,
]);

const expectedFlags: Record<number, number> = {
  [AttrCode.origin]: WELL_KNOWN,
  [AttrCode.asPath]: WELL_KNOWN,
  [AttrCode.nextHop]: WELL_KNOWN,
  [AttrCode.med]: OPT,
  [AttrCode.localPref]: WELL_KNOWN,
  [AttrCode.atomicAggregate]: WELL_KNOWN,
  [AttrCode.aggregator]: OPT_TRANS,
  [AttrCode.communities]: OPT_TRANS,
  [AttrCode.mpReach]: OPT,
  [AttrCode.mpUnreach]: OPT,
  [AttrCode.extendedCommunities]: OPT_TRANS,
  [AttrCode.as4Path]: OPT_TRANS,
  [AttrCode.as4Aggregator]: OPT_TRANS,
  [AttrCode.largeCommunities]: OPT_TRANS,
};

function lenErr(what: string, len: number): DecodeError {
  return new DecodeError(`${what}: bad length ${len}`, ErrorCode.updateMessage, UpdateSubcode.attributeLengthError);
}

function decodeMpReach(v: Buffer): MpReach {
  const c = new Cursor(v, ErrorCode.updateMessage, UpdateSubcode.optionalAttributeError, 'MP_REACH_NLRI');
  const afi = c.u16();
  const safi = c.u8();
  const family = afiFamily(afi);
  if (family === undefined) throw new DecodeError(`MP_REACH_NLRI: unsupported AFI ${afi}`, ErrorCode.updateMessage, UpdateSubcode.optionalAttributeError);
  const nhLen = c.u8();
  const nh = c.bytes(nhLen);
  const nextHops: IP[] = [];
  if (family === 6 && (nhLen === 16 || nhLen === 32)) {
    nextHops.push(IP.fromBytes(nh.subarray(0, 16)));
    if (nhLen === 32) nextHops.push(IP.fromBytes(nh.subarray(16, 32)));
  } else if (family === 4 && nhLen === 4) nextHops.push(IP.fromBytes(nh));
  else if (family === 4 && (nhLen === 16 || nhLen === 32)) nextHops.push(IP.fromBytes(nh.subarray(0, 16)));
  else throw new DecodeError(`MP_REACH_NLRI: next hop length ${nhLen}`, ErrorCode.updateMessage, UpdateSubcode.optionalAttributeError);
  c.u8();
  return { afi, safi, nextHops, nlri: decodePrefixes(c.rest(), family) };
}

function decodeMpUnreach(v: Buffer): MpUnreach {
  const c = new Cursor(v, ErrorCode.updateMessage, UpdateSubcode.optionalAttributeError, 'MP_UNREACH_NLRI');
  const afi = c.u16();
  const safi = c.u8();
  const family = afiFamily(afi);
  if (family === undefined) throw new DecodeError(`MP_UNREACH_NLRI: unsupported AFI ${afi}`, ErrorCode.updateMessage, UpdateSubcode.optionalAttributeError);
  return { afi, safi, withdrawn: decodePrefixes(c.rest(), family) };
}

/** Decodes one known attribute into `a`; throws DecodeError on a malformed value. */
function decodeOne(a: Mutable<PathAttributes>, code: number, v: Buffer, ctx: CodecContext, as4: { path?: AsPathSegment[] }): boolean {
  switch (code) {
    case AttrCode.origin:
      if (v.length !== 1) throw lenErr('ORIGIN', v.length);
      if (v[0]! > 2) throw new DecodeError(`ORIGIN ${v[0]}`, ErrorCode.updateMessage, UpdateSubcode.invalidOrigin, Buffer.from(v));
      a.origin = v[0] as OriginValue;
      return true;
    case AttrCode.asPath:
      a.asPath = decodeAsPath(v, ctx.fourOctetAs ? 4 : 2);
      return true;
    case AttrCode.nextHop: {
      if (v.length !== 4) throw lenErr('NEXT_HOP', v.length);
      const ip = IP.fromBytes(v);
      if (ip.value === 0n || ip.value >> 28n === 0xen) {
        throw new DecodeError(`NEXT_HOP ${ip.toString()}`, ErrorCode.updateMessage, UpdateSubcode.invalidNextHop, Buffer.from(v));
      }
      a.nextHop = ip;
      return true;
    }
    case AttrCode.med:
      if (v.length !== 4) throw lenErr('MULTI_EXIT_DISC', v.length);
      a.med = v.readUInt32BE(0);
      return true;
    case AttrCode.localPref:
      if (v.length !== 4) throw lenErr('LOCAL_PREF', v.length);
      a.localPref = v.readUInt32BE(0);
      return true;
    case AttrCode.atomicAggregate:
      if (v.length !== 0) throw lenErr('ATOMIC_AGGREGATE', v.length);
      a.atomicAggregate = true;
      return true;
    case AttrCode.communities: {
      if (v.length % 4 !== 0) throw lenErr('COMMUNITIES', v.length);
      const cs: StandardCommunity[] = [];
      for (let i = 0; i < v.length; i += 4) cs.push({ type: 'standard', asn: v.readUInt16BE(i), value: v.readUInt16BE(i + 2) });
      a.communities = cs;
      return true;
    }
    case AttrCode.extendedCommunities:
      a.extendedCommunities = decodeExtendedCommunities(v);
      return true;
    case AttrCode.largeCommunities: {
      if (v.length % 12 !== 0 || v.length === 0) throw lenErr('LARGE_COMMUNITY', v.length);
      const cs: LargeCommunity[] = [];
      for (let i = 0; i < v.length; i += 12) {
        cs.push({ type: 'large', global: v.readUInt32BE(i), local1: v.readUInt32BE(i + 4), local2: v.readUInt32BE(i + 8) });
      }
      a.largeCommunities = cs;
      return true;
    }
    case AttrCode.mpReach:
      a.mpReach = decodeMpReach(v);
      return true;
    case AttrCode.mpUnreach:
      a.mpUnreach = decodeMpUnreach(v);
      return true;
    case AttrCode.as4Path:
      as4.path = decodeAsPath(v, 4);
      return true;
    case AttrCode.aggregator:
      if (v.length !== (ctx.fourOctetAs ? 8 : 6)) throw lenErr('AGGREGATOR', v.length);
      return false;
    case AttrCode.as4Aggregator:
      if (v.length !== 8) throw lenErr('AS4_AGGREGATOR', v.length);
      return false;
    default:
      return false;
  }
}

export interface DecodedAttributes {
  readonly attributes: PathAttributes;
  readonly treatAsWithdraw?: AttributeProblem;
  readonly discarded: readonly AttributeProblem[];
}

/** Decodes the Path Attributes field of an UPDATE (RFC 4271 §4.3, RFC 7606). */
export function decodeAttributes(buf: Buffer, ctx: CodecContext, hasClassicNlri: boolean): DecodedAttributes {
  const c = new Cursor(buf, ErrorCode.updateMessage, UpdateSubcode.malformedAttributeList, 'path attributes');
  const a: Mutable<PathAttributes> = {};
  const unknown: UnknownAttribute[] = [];
  const seen = new Set<number>();
  const discarded: AttributeProblem[] = [];
  let withdraw: AttributeProblem | undefined;
  const as4: { path?: AsPathSegment[] } = {};
  const problem = (code: number, e: DecodeError): void => {
    const p: AttributeProblem = {
      action: withdrawOnError.has(code) ? 'treat-as-withdraw' : 'attribute-discard',
      attrCode: code,
      code: e.code,
      subcode: e.subcode,
      reason: e.message,
    };
    if (p.action === 'treat-as-withdraw') withdraw ??= p;
    else discarded.push(p);
  };
  while (c.remaining > 0) {
    if (c.remaining < 3) {
      withdraw ??= { action: 'treat-as-withdraw', attrCode: 0, code: ErrorCode.updateMessage, subcode: UpdateSubcode.malformedAttributeList, reason: 'truncated attribute header' };
      break;
    }
    const flags = c.u8();
    const code = c.u8();
    const ext = (flags & AttrFlag.extendedLength) !== 0;
    if (c.remaining < (ext ? 2 : 1)) {
      withdraw ??= { action: 'treat-as-withdraw', attrCode: code, code: ErrorCode.updateMessage, subcode: UpdateSubcode.malformedAttributeList, reason: 'truncated attribute length' };
      break;
    }
    const len = ext ? c.u16() : c.u8();
    if (len > c.remaining) {
      // RFC 7606 §4: an attribute running past the attribute field: treat-as-withdraw.
      if (code === AttrCode.mpReach || code === AttrCode.mpUnreach) {
        throw new DecodeError(`attribute ${code} overruns the attribute field`, ErrorCode.updateMessage, UpdateSubcode.malformedAttributeList);
      }
      withdraw ??= { action: 'treat-as-withdraw', attrCode: code, code: ErrorCode.updateMessage, subcode: UpdateSubcode.attributeLengthError, reason: `attribute ${code} length ${len} overruns the attribute field` };
      break;
    }
    const v = c.bytes(len);
    if (seen.has(code)) {
      if (code === AttrCode.mpReach || code === AttrCode.mpUnreach) {
        throw new DecodeError(`duplicate attribute ${code}`, ErrorCode.updateMessage, UpdateSubcode.malformedAttributeList);
      }
      continue; // RFC 7606 §3 g: discard all but the first.
    }
    seen.add(code);
    const want = expectedFlags[code];
    if (want !== undefined && (flags & (AttrFlag.optional | AttrFlag.transitive)) !== want) {
      const e = new DecodeError(`attribute ${code} flags 0x${flags.toString(16)}`, ErrorCode.updateMessage, UpdateSubcode.attributeFlagsError);
      if (code === AttrCode.mpReach || code === AttrCode.mpUnreach) throw e;
      problem(code, e);
      continue;
    }
    if (want === undefined) {
      if ((flags & AttrFlag.optional) === 0) {
        throw new DecodeError(`unrecognized well-known attribute ${code}`, ErrorCode.updateMessage, UpdateSubcode.unrecognizedWellKnown, Buffer.from(v));
      }
      unknown.push({ flags, code, value: Buffer.from(v) });
      continue;
    }
    try {
      if (!decodeOne(a, code, v, ctx, as4)) unknown.push({ flags, code, value: Buffer.from(v) });
    } catch (err) {
      if (!(err instanceof DecodeError) || code === AttrCode.mpReach || code === AttrCode.mpUnreach) throw err;
      problem(code, err);
    }
  }
  if (as4.path && a.asPath && !ctx.fourOctetAs) a.asPath = mergeAs4Path(a.asPath, as4.path);
  if (unknown.length) a.unknown = unknown;
  const hasNlri = hasClassicNlri || (a.mpReach?.nlri.length ?? 0) > 0;
  if (hasNlri && !withdraw) {
    const missing = [
      a.origin === undefined ? AttrCode.origin : undefined,
      a.asPath === undefined ? AttrCode.asPath : undefined,
      hasClassicNlri && a.nextHop === undefined ? AttrCode.nextHop : undefined,
    ].find((x) => x !== undefined);
    if (missing !== undefined) {
      withdraw = { action: 'treat-as-withdraw', attrCode: missing, code: ErrorCode.updateMessage, subcode: UpdateSubcode.missingWellKnown, reason: `missing well-known attribute ${missing}` };
    }
  }
  return { attributes: a, discarded, ...(withdraw ? { treatAsWithdraw: withdraw } : {}) };
}
