// A minimal pcap reader for captured BGP sessions: Ethernet + IPv4/IPv6 + TCP, payloads
// reassembled per direction in sequence order (retransmissions dropped).

export interface TcpStream {
  readonly src: string;
  readonly dst: string;
  readonly payload: Buffer;
}

function ipText(b: Buffer): string {
  if (b.length === 4) return [...b].join('.');
  const parts: string[] = [];
  for (let i = 0; i < 16; i += 2) parts.push(b.readUInt16BE(i).toString(16));
  return parts.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

export function tcpStreams(pcap: Buffer): TcpStream[] {
  if (pcap.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('not a little-endian microsecond pcap');
  if (pcap.readUInt32LE(20) !== 1) throw new Error('pcap link type is not Ethernet');
  const streams = new Map<string, { src: string; dst: string; next: number | undefined; parts: Buffer[] }>();
  let at = 24;
  while (at + 16 <= pcap.length) {
    const incl = pcap.readUInt32LE(at + 8);
    const pkt = pcap.subarray(at + 16, at + 16 + incl);
    at += 16 + incl;
    const etype = pkt.readUInt16BE(12);
    let ip = pkt.subarray(14);
    let src: Buffer;
    let dst: Buffer;
    let proto: number;
    if (etype === 0x0800) {
      proto = ip[9]!;
      src = ip.subarray(12, 16);
      dst = ip.subarray(16, 20);
      ip = ip.subarray((ip[0]! & 0xf) * 4, ip.readUInt16BE(2));
    } else if (etype === 0x86dd) {
      proto = ip[6]!;
      src = ip.subarray(8, 24);
      dst = ip.subarray(24, 40);
      ip = ip.subarray(40, 40 + ip.readUInt16BE(4));
    } else continue;
    if (proto !== 6) continue;
    const sport = ip.readUInt16BE(0);
    const dport = ip.readUInt16BE(2);
    const seq = ip.readUInt32BE(4);
    const flags = ip[13]!;
    const data = ip.subarray((ip[12]! >> 4) * 4);
    const key = `${ipText(src)}.${sport}>${ipText(dst)}.${dport}`;
    let s = streams.get(key);
    if (!s) streams.set(key, (s = { src: `${ipText(src)}.${sport}`, dst: `${ipText(dst)}.${dport}`, next: undefined, parts: [] }));
    if (flags & 0x02) {
      s.next = (seq + 1) >>> 0;
      continue;
    }
    if (data.length === 0 || s.next === undefined) continue;
    if (seq !== s.next) continue; // retransmission or out of order: not expected on a veth
    s.parts.push(Buffer.from(data));
    s.next = (seq + data.length) >>> 0;
  }
  return [...streams.values()].map((s) => ({ src: s.src, dst: s.dst, payload: Buffer.concat(s.parts) }));
}

/** Splits a BGP byte stream into whole messages by the header length field. */
export function bgpFrames(stream: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at + 19 <= stream.length) {
    const len = stream.readUInt16BE(at + 16);
    if (len < 19 || at + len > stream.length) break;
    out.push(stream.subarray(at, at + len));
    at += len;
  }
  return out;
}
