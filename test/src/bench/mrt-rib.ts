// An MRT TABLE_DUMP_V2 file (RFC 6396 §4.3) of host routes, IPv4 and IPv6, for loading GoBGP
// through `gobgp mrt inject global`: one PEER_INDEX_TABLE, then one RIB_IPV4_UNICAST record per
// /32 (NEXT_HOP attribute) and one RIB_IPV6_UNICAST record per /128 (MP_REACH_NLRI with the
// IPv6 next hop, which GoBGP's reader wants whole). Pure. GoBGP drops the last few records of a
// file, so the caller pads and reads the RIB's count back.
import { IP } from '@herald/shared';
import { bgpWire } from '@herald/speaker';

const TABLE_DUMP_V2 = 13;
const PEER_INDEX_TABLE = 1;
const RIB_IPV4_UNICAST = 2;
const RIB_IPV6_UNICAST = 4;
/** Peer type bits: bit 0 set = IPv6 peer address, bit 1 set = 4-byte AS. */
const PEER_IPV4_AS4 = 0x02;

function record(subtype: number, body: Buffer, time: number): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt32BE(time, 0);
  h.writeUInt16BE(TABLE_DUMP_V2, 4);
  h.writeUInt16BE(subtype, 6);
  h.writeUInt32BE(body.length, 8);
  return Buffer.concat([h, body]);
}

export interface MrtRibInput {
  /** BGP identifier of the (one) peer, also the collector's. */
  readonly peerId: IP;
  /** The peer's IPv4 address (the session's). */
  readonly peerAddress: IP;
  readonly peerAS: number;
  readonly nextHop4: IP;
  readonly nextHop6: IP;
  /** Host routes: /32 for IPv4, /128 for IPv6, in this order in the file. */
  readonly hosts: readonly IP[];
  /** Seconds since the epoch for the records (default now). */
  readonly time?: number;
}

export function mrtHostRib(o: MrtRibInput): Buffer {
  if (o.peerAddress.family !== 4 || o.peerId.family !== 4) throw new Error('mrtHostRib: the peer address and id must be IPv4');
  if (o.nextHop4.family !== 4 || o.nextHop6.family !== 6) throw new Error('mrtHostRib: want an IPv4 and an IPv6 next hop');
  const time = o.time ?? Math.floor(Date.now() / 1000);
  const as = Buffer.alloc(4);
  as.writeUInt32BE(o.peerAS >>> 0);
  const peer = Buffer.concat([Buffer.from([PEER_IPV4_AS4]), o.peerId.toBytes(), o.peerAddress.toBytes(), as]);
  const index = Buffer.concat([o.peerId.toBytes(), Buffer.from([0, 0, 0, 1]), peer]);
  const parts: Buffer[] = [record(PEER_INDEX_TABLE, index, time)];
  const asPath = [{ type: 'sequence' as const, asns: [o.peerAS] }];
  const attrs4 = bgpWire.encodeAttributes({ origin: 0, asPath, nextHop: o.nextHop4 }, { fourOctetAs: true });
  const attrs6 = bgpWire.encodeAttributes({ origin: 0, asPath, mpReach: { afi: 2, safi: 1, nextHops: [o.nextHop6], nlri: [] } }, { fourOctetAs: true });
  o.hosts.forEach((ip, seq) => {
    const len = ip.family === 4 ? 4 : 16;
    const attrs = ip.family === 4 ? attrs4 : attrs6;
    // sequence, prefix length, prefix, entry count; then one entry: peer index, time, attrs.
    const b = Buffer.alloc(4 + 1 + len + 2 + 2 + 4 + 2);
    b.writeUInt32BE(seq, 0);
    b[4] = len * 8;
    ip.toBytes().copy(b, 5);
    b.writeUInt16BE(1, 5 + len);
    b.writeUInt16BE(0, 7 + len);
    b.writeUInt32BE(time, 9 + len);
    b.writeUInt16BE(attrs.length, 13 + len);
    parts.push(record(ip.family === 4 ? RIB_IPV4_UNICAST : RIB_IPV6_UNICAST, Buffer.concat([b, attrs]), time));
  });
  return Buffer.concat(parts);
}
