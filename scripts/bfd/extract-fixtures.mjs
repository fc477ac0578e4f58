// Turns the pcap written by capture-fixtures.sh into speaker/test/wire/bfd/fixtures/{frr,bird}.json:
// every distinct BFD payload each router sent, in order, with its UDP port, IP TTL and the
// relative time it was first seen. Usage: node extract-fixtures.mjs PCAP OUTDIR FRR_VERSION BIRD_VERSION
import { readFileSync, writeFileSync } from 'node:fs';

const [pcapPath, outDir, frrVersion, birdVersion] = process.argv.slice(2);
const b = readFileSync(pcapPath);
if (b.readUInt32LE(0) !== 0xa1b2c3d4) throw new Error('not a little-endian microsecond pcap');
if (b.readUInt32LE(20) !== 1) throw new Error('link type is not Ethernet');
const byRouter = { frr: [], bird: [] };
const seen = new Set();
let t0;
for (let off = 24; off + 16 <= b.length; ) {
  const sec = b.readUInt32LE(off);
  const usec = b.readUInt32LE(off + 4);
  const incl = b.readUInt32LE(off + 8);
  const frame = b.subarray(off + 16, off + 16 + incl);
  off += 16 + incl;
  const t = sec * 1000 + usec / 1000;
  t0 ??= t;
  if (frame.readUInt16BE(12) !== 0x0800) continue;
  const ip = frame.subarray(14);
  const ihl = (ip[0] & 15) * 4;
  const ttl = ip[8];
  const src = [...ip.subarray(12, 16)].join('.');
  const udp = ip.subarray(ihl);
  const dport = udp.readUInt16BE(2);
  const payload = udp.subarray(8, udp.readUInt16BE(4));
  const hex = payload.toString('hex');
  const router = src.endsWith('.1') ? 'frr' : 'bird';
  const key = `${router}/${dport}/${hex}`;
  if (seen.has(key)) continue;
  seen.add(key);
  byRouter[router].push({ atMs: Math.round(t - t0), from: src, port: dport, ttl, hex });
}
const sourceOf = (r) =>
  `tcpdump -i eth0 -w on FRR's veth (scripts/bfd/capture-fixtures.sh), ${new Date().toISOString().slice(0, 10)}: FRR bfdd (192.0.2.1 single hop, 198.51.100.1 multihop) and BIRD protocol bfd (192.0.2.2, 198.51.100.2) peering with each other, 300 ms x 3; FRR then changes its single-hop intervals to 500 ms (Poll/Final) and BIRD disables its protocol (it stops sending; FRR goes Down with diagnostic 1, detection time expired). Distinct payloads sent by ${r}, in order`;
writeFileSync(`${outDir}/frr.json`, JSON.stringify({ router: frrVersion, source: sourceOf('FRR'), packets: byRouter.frr }, null, 1) + '\n');
writeFileSync(`${outDir}/bird.json`, JSON.stringify({ router: birdVersion, source: sourceOf('BIRD'), packets: byRouter.bird }, null, 1) + '\n');
console.log(`frr: ${byRouter.frr.length} packets, bird: ${byRouter.bird.length} packets`);
