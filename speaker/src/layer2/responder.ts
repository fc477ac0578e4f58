// The L2 responder's decision, pure: given one received frame and the IPs owned on the interface
// it arrived on, say whether to answer and with which frame. ARP requests for an owned IPv4
// address get a reply from the interface MAC; an NS for an owned IPv6 target gets a solicited NA
// sent from the target address, hop limit 255, Override set, with the target link-layer option.
// NDP that fails RFC 4861 §7.1 validation (hop limit not 255, ...) is dropped with a reason.
import type { IP } from '@herald/shared/net';
import { decodeArp, arpReplyFrame, isGratuitous } from '../wire/arp.js';
import { WireError, type WireErrorReason } from '../wire/cursor.js';
import { EtherType, decodeEthernet, type MAC } from '../wire/ethernet.js';
import { ALL_NODES, decodeIPv6, decodeIcmpv6, multicastMac, neighborAdvertisementFrame, NEXT_HEADER_ICMPV6, validateNdp, type NdpInvalidReason } from '../wire/ndp.js';

export type L2Protocol = 'arp' | 'ndp';

export interface ResponderContext {
  /** The MAC of the interface the frame arrived on; replies come from it. */
  readonly mac: MAC;
  /** True if this node announces ip on this interface. */
  owns(ip: IP): boolean;
}

export type IgnoreReason =
  | 'not-arp-or-ipv6'
  | 'not-icmpv6'
  | 'not-neighbor-solicitation'
  | 'not-a-request'
  | 'gratuitous'
  | 'not-owned'
  | 'stacked-vlans';

export type DropReason =
  | { readonly type: 'malformed'; readonly wire: WireErrorReason }
  | { readonly type: 'invalid-ndp'; readonly ndp: NdpInvalidReason };

export type ResponderOutcome =
  /** A request for an owned IP, and the frame that answers it. */
  | { readonly type: 'reply'; readonly protocol: L2Protocol; readonly ip: IP; readonly frame: Buffer }
  | { readonly type: 'ignored'; readonly reason: IgnoreReason }
  | { readonly type: 'dropped'; readonly protocol: L2Protocol | undefined; readonly reason: DropReason };

/** Short label for a drop reason (metrics). */
export function dropLabel(r: DropReason): string {
  return r.type === 'malformed' ? `malformed-${r.wire.type}` : `invalid-ndp-${r.ndp.type}`;
}

export function respond(frame: Uint8Array, ctx: ResponderContext): ResponderOutcome {
  let protocol: L2Protocol | undefined;
  try {
    const eth = decodeEthernet(frame);
    if (eth.vlans.length > 1) return { type: 'ignored', reason: 'stacked-vlans' };
    const vlan = eth.vlans[0];
    const tag = vlan === undefined ? {} : { vlan };
    if (eth.etherType === EtherType.ARP) {
      protocol = 'arp';
      const arp = decodeArp(eth.payload);
      if (arp.op !== 'request') return { type: 'ignored', reason: 'not-a-request' };
      if (isGratuitous(arp)) return { type: 'ignored', reason: 'gratuitous' };
      if (!ctx.owns(arp.targetIp)) return { type: 'ignored', reason: 'not-owned' };
      return { type: 'reply', protocol, ip: arp.targetIp, frame: arpReplyFrame(arp, ctx.mac, vlan) };
    }
    if (eth.etherType !== EtherType.IPv6) return { type: 'ignored', reason: 'not-arp-or-ipv6' };
    const ip6 = decodeIPv6(eth.payload);
    if (ip6.nextHeader !== NEXT_HEADER_ICMPV6) return { type: 'ignored', reason: 'not-icmpv6' };
    protocol = 'ndp';
    const msg = decodeIcmpv6(ip6);
    if (msg.type !== 'neighbor-solicitation') return { type: 'ignored', reason: 'not-neighbor-solicitation' };
    const invalid = validateNdp(ip6, msg);
    if (invalid) return { type: 'dropped', protocol, reason: { type: 'invalid-ndp', ndp: invalid } };
    if (!ctx.owns(msg.target)) return { type: 'ignored', reason: 'not-owned' };
    if (ip6.src.value === 0n) {
      // Someone is doing DAD for our address: defend it (RFC 4861 §7.2.4), to all-nodes, S=0.
      const reply = neighborAdvertisementFrame({ mac: ctx.mac, dstMac: multicastMac(ALL_NODES), src: msg.target, dst: ALL_NODES, target: msg.target, solicited: false, override: true, ...tag });
      return { type: 'reply', protocol, ip: msg.target, frame: reply };
    }
    const slla = msg.options.find((o) => o.type === 'source-lla');
    const dstMac = slla?.type === 'source-lla' ? slla.mac : eth.src;
    const reply = neighborAdvertisementFrame({ mac: ctx.mac, dstMac, src: msg.target, dst: ip6.src, target: msg.target, solicited: true, override: true, ...tag });
    return { type: 'reply', protocol, ip: msg.target, frame: reply };
  } catch (err) {
    if (err instanceof WireError) return { type: 'dropped', protocol, reason: { type: 'malformed', wire: err.reason } };
    throw err;
  }
}
