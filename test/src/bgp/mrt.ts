// A minimal MRT TABLE_DUMP_V2 writer (RFC 6396) for loading GoBGP through `gobgp mrt inject`:
// one PEER_INDEX_TABLE, then one RIB_IPV6_UNICAST record per /128. GoBGP's reader wants the
// full MP_REACH_NLRI attribute (AFI, SAFI, 16-byte next hop), and drops the last few records of
// a file, so the caller pads with extra prefixes and checks the RIB count.
import { IP } from '@herald/shared';
import { bgpWire } from './api.js';

function record(type: number, subtype: number, body: Buffer): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt32BE(Math.floor(Date.now() / 1000), 0);
  h.writeUInt16BE(type, 4);
  h.writeUInt16BE(subtype, 6);
  h.writeUInt32BE(body.length, 8);
  return Buffer.concat([h, body]);
}

export function mrtIpv6Rib(o: { peerId: IP; peerAddress: IP; peerAS: number; nextHop: IP; base: IP; count: number }): Buffer {
  const peer = Buffer.concat([
    Buffer.from([0x03]), // IPv6 peer address, 4-byte AS
    o.peerId.toBytes(),
    o.peerAddress.toBytes(),
    Buffer.from([(o.peerAS >>> 24) & 0xff, (o.peerAS >>> 16) & 0xff, (o.peerAS >>> 8) & 0xff, o.peerAS & 0xff]),
  ]);
  const index = Buffer.concat([o.peerId.toBytes(), Buffer.from([0, 0, 0, 1]), peer]);
  const parts: Buffer[] = [record(13, 1, index)];
  const attrs = bgpWire.encodeAttributes(
    { origin: 0, asPath: [{ type: 'sequence', asns: [o.peerAS] }], mpReach: { afi: 2, safi: 1, nextHops: [o.nextHop], nlri: [] } },
    { fourOctetAs: true },
  );
  for (let i = 0; i < o.count; i++) {
    const b = Buffer.alloc(4 + 1 + 16 + 2 + 2 + 4 + 2);
    b.writeUInt32BE(i, 0);
    b[4] = 128;
    IP.fromBigInt(6, o.base.value + BigInt(i)).toBytes().copy(b, 5);
    b.writeUInt16BE(1, 21);
    b.writeUInt16BE(0, 23);
    b.writeUInt32BE(Math.floor(Date.now() / 1000), 25);
    b.writeUInt16BE(attrs.length, 29);
    parts.push(record(13, 4, Buffer.concat([b, attrs])));
  }
  return Buffer.concat(parts);
}
