// IPv6 header, ICMPv6 (checksum over the RFC 8200 §8.1 pseudo-header) and the two NDP messages
// a responder needs (RFC 4861 §4.3 Neighbor Solicitation, §4.4 Neighbor Advertisement) with their
// link-layer address options (§4.6.1). Pure. Validation of received NDP (§7.1) is a separate
// function returning a reason value, so the caller can count drops.
import { IP } from '@herald/shared/net';
import { Cursor, WireError } from './cursor.js';
import { EtherType, MAC, encodeEthernet } from './ethernet.js';

export const IPV6_HEADER_LEN = 40;
export const NEXT_HEADER_ICMPV6 = 58;
export const ICMPV6_NS = 135;
export const ICMPV6_NA = 136;
export const OPT_SOURCE_LLA = 1;
export const OPT_TARGET_LLA = 2;

export interface IPv6Packet {
  readonly trafficClass: number;
  readonly flowLabel: number;
  readonly nextHeader: number;
  readonly hopLimit: number;
  readonly src: IP;
  readonly dst: IP;
  /** Exactly payload-length bytes (Ethernet padding cut off), as a view. */
  readonly payload: Buffer;
}

export function decodeIPv6(b: Uint8Array): IPv6Packet {
  const c = Cursor.of(b, 'IPv6 header');
  const w = c.u32();
  const version = w >>> 28;
  if (version !== 6) throw new WireError({ type: 'unsupported', what: 'IP version', value: version });
  const payloadLen = c.u16();
  const nextHeader = c.u8();
  const hopLimit = c.u8();
  const src = IP.fromBytes(c.bytes(16));
  const dst = IP.fromBytes(c.bytes(16));
  if (payloadLen > c.remaining) throw new WireError({ type: 'truncated', what: 'IPv6 payload', need: IPV6_HEADER_LEN + payloadLen, have: b.length });
  return { trafficClass: (w >>> 20) & 0xff, flowLabel: w & 0xfffff, nextHeader, hopLimit, src, dst, payload: c.bytes(payloadLen) };
}

export function encodeIPv6(p: Omit<IPv6Packet, 'payload'> & { payload: Uint8Array }): Buffer {
  const out = Buffer.alloc(IPV6_HEADER_LEN + p.payload.length);
  out.writeUInt32BE(((6 << 28) | ((p.trafficClass & 0xff) << 20) | (p.flowLabel & 0xfffff)) >>> 0, 0);
  out.writeUInt16BE(p.payload.length, 4);
  out[6] = p.nextHeader;
  out[7] = p.hopLimit;
  p.src.toBytes().copy(out, 8);
  p.dst.toBytes().copy(out, 24);
  out.set(p.payload, IPV6_HEADER_LEN);
  return out;
}

/** The ICMPv6 checksum of msg (its checksum field taken as zero) for src -> dst. */
export function icmpv6Checksum(src: IP, dst: IP, msg: Uint8Array): number {
  let sum = 0;
  const add16 = (b: Uint8Array, skipAt = -1): void => {
    for (let i = 0; i < b.length; i += 2) {
      if (i === skipAt) continue;
      sum += ((b[i]! << 8) | (i + 1 < b.length ? b[i + 1]! : 0)) >>> 0;
    }
  };
  add16(src.toBytes());
  add16(dst.toBytes());
  sum += (msg.length >>> 16) + (msg.length & 0xffff) + NEXT_HEADER_ICMPV6;
  add16(msg, 2);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

export type NdpOption =
  | { readonly type: 'source-lla'; readonly mac: MAC }
  | { readonly type: 'target-lla'; readonly mac: MAC }
  | { readonly type: 'other'; readonly code: number; readonly data: Buffer };

export interface NeighborSolicitation {
  readonly type: 'neighbor-solicitation';
  readonly target: IP;
  readonly options: readonly NdpOption[];
}

export interface NeighborAdvertisement {
  readonly type: 'neighbor-advertisement';
  readonly router: boolean;
  readonly solicited: boolean;
  readonly override: boolean;
  readonly target: IP;
  readonly options: readonly NdpOption[];
}

export type Icmpv6Message =
  | NeighborSolicitation
  | NeighborAdvertisement
  | { readonly type: 'other'; readonly icmpType: number; readonly code: number };

function decodeOptions(c: Cursor): NdpOption[] {
  const out: NdpOption[] = [];
  while (c.remaining > 0) {
    const code = c.u8();
    const units = c.u8();
    if (units === 0) throw new WireError({ type: 'bad-option', what: `option ${code} has length 0` });
    const data = c.bytes(units * 8 - 2);
    if (code === OPT_SOURCE_LLA || code === OPT_TARGET_LLA) {
      if (units !== 1) throw new WireError({ type: 'bad-option', what: `link-layer address option of ${units * 8} bytes on Ethernet` });
      const mac = MAC.fromBytes(data.subarray(0, 6));
      out.push(code === OPT_SOURCE_LLA ? { type: 'source-lla', mac } : { type: 'target-lla', mac });
    } else out.push({ type: 'other', code, data });
  }
  return out;
}

function encodeOptions(opts: readonly NdpOption[]): Buffer {
  return Buffer.concat(
    opts.map((o) => {
      if (o.type === 'other') {
        if ((o.data.length + 2) % 8 !== 0) throw new Error('NDP option data must pad the option to 8-byte units');
        return Buffer.concat([Buffer.from([o.code, (o.data.length + 2) / 8]), o.data]);
      }
      const b = Buffer.alloc(8);
      b[0] = o.type === 'source-lla' ? OPT_SOURCE_LLA : OPT_TARGET_LLA;
      b[1] = 1;
      o.mac.copyTo(b, 2);
      return b;
    }),
  );
}

/** Decodes the ICMPv6 payload of an IPv6 packet, verifying its checksum. */
export function decodeIcmpv6(ip: IPv6Packet): Icmpv6Message {
  if (ip.nextHeader !== NEXT_HEADER_ICMPV6) throw new WireError({ type: 'unsupported', what: 'IPv6 next header', value: ip.nextHeader });
  const c = Cursor.of(ip.payload, 'ICMPv6');
  const icmpType = c.u8();
  const code = c.u8();
  const got = c.u16();
  const want = icmpv6Checksum(ip.src, ip.dst, ip.payload);
  if (got !== want) throw new WireError({ type: 'bad-checksum', want, got });
  if (icmpType !== ICMPV6_NS && icmpType !== ICMPV6_NA) return { type: 'other', icmpType, code };
  const flags = c.u32();
  const target = IP.fromBytes(c.bytes(16));
  const options = decodeOptions(c);
  if (icmpType === ICMPV6_NS) return { type: 'neighbor-solicitation', target, options };
  return {
    type: 'neighbor-advertisement',
    router: (flags & 0x80000000) !== 0,
    solicited: (flags & 0x40000000) !== 0,
    override: (flags & 0x20000000) !== 0,
    target,
    options,
  };
}

/** Encodes an NS or NA as ICMPv6 with its checksum for src -> dst. */
export function encodeIcmpv6(m: NeighborSolicitation | NeighborAdvertisement, src: IP, dst: IP): Buffer {
  const opts = encodeOptions(m.options);
  const out = Buffer.alloc(24 + opts.length);
  out[0] = m.type === 'neighbor-solicitation' ? ICMPV6_NS : ICMPV6_NA;
  if (m.type === 'neighbor-advertisement') {
    out.writeUInt32BE(((m.router ? 0x80000000 : 0) | (m.solicited ? 0x40000000 : 0) | (m.override ? 0x20000000 : 0)) >>> 0, 4);
  }
  m.target.toBytes().copy(out, 8);
  opts.copy(out, 24);
  out.writeUInt16BE(icmpv6Checksum(src, dst, out), 2);
  return out;
}

/** ff02::1:ffXX:XXXX for ip (RFC 4291 §2.7.1). */
export function solicitedNodeAddress(ip: IP): IP {
  if (ip.family !== 6) throw new Error('solicited-node address of a non-IPv6 address');
  return IP.fromBigInt(6, 0xff0200000000000000000001ff000000n | (ip.value & 0xffffffn));
}

/** 33:33 followed by the low 32 bits of an IPv6 multicast address (RFC 2464 §7). */
export function multicastMac(group: IP): MAC {
  const b = group.toBytes();
  return MAC.fromBytes(Buffer.from([0x33, 0x33, b[12]!, b[13]!, b[14]!, b[15]!]));
}

export const ALL_NODES = IP.parse('ff02::1');

/** Why a received NDP message must be ignored (RFC 4861 §7.1.1 / §7.1.2), or undefined. */
export type NdpInvalidReason =
  | { readonly type: 'hop-limit'; readonly got: number }
  | { readonly type: 'icmp-code' }
  | { readonly type: 'multicast-target' }
  | { readonly type: 'dad-with-source-lla' }
  | { readonly type: 'dad-not-to-solicited-node' };

/** The RFC 4861 validity checks that the decoder does not already make. */
export function validateNdp(ip: IPv6Packet, m: NeighborSolicitation | NeighborAdvertisement): NdpInvalidReason | undefined {
  if (ip.hopLimit !== 255) return { type: 'hop-limit', got: ip.hopLimit };
  if (ip.payload[1] !== 0) return { type: 'icmp-code' };
  if (m.target.value >> 120n === 0xffn) return { type: 'multicast-target' };
  if (m.type === 'neighbor-solicitation' && ip.src.value === 0n) {
    if (m.options.some((o) => o.type === 'source-lla')) return { type: 'dad-with-source-lla' };
    if (!ip.dst.equals(solicitedNodeAddress(m.target))) return { type: 'dad-not-to-solicited-node' };
  }
  return undefined;
}

/** A whole Ethernet frame carrying an NA from `src` (the target, for Herald) with hop limit 255. */
export function neighborAdvertisementFrame(a: {
  mac: MAC;
  dstMac: MAC;
  src: IP;
  dst: IP;
  target: IP;
  solicited: boolean;
  override: boolean;
  vlan?: number;
}): Buffer {
  const na: NeighborAdvertisement = {
    type: 'neighbor-advertisement',
    router: false,
    solicited: a.solicited,
    override: a.override,
    target: a.target,
    options: [{ type: 'target-lla', mac: a.mac }],
  };
  const icmp = encodeIcmpv6(na, a.src, a.dst);
  const ip = encodeIPv6({ trafficClass: 0, flowLabel: 0, nextHeader: NEXT_HEADER_ICMPV6, hopLimit: 255, src: a.src, dst: a.dst, payload: icmp });
  return encodeEthernet({ dst: a.dstMac, src: a.mac, etherType: EtherType.IPv6, payload: ip, ...(a.vlan === undefined ? {} : { vlan: a.vlan }) });
}

/** An unsolicited NA for ip at mac to all-nodes, with Override (RFC 4861 §7.2.6). */
export function unsolicitedNaFrame(ip: IP, mac: MAC): Buffer {
  return neighborAdvertisementFrame({ mac, dstMac: multicastMac(ALL_NODES), src: ip, dst: ALL_NODES, target: ip, solicited: false, override: true });
}
