// Captures FRR 8.4 sending the Link Bandwidth extended community (route-map `set extcommunity
// bandwidth 1 non-transitive`, and without `non-transitive`) to our speaker, with tcpdump in the
// speaker's namespace, and writes FRR's UPDATEs as a golden-bytes fixture for the codec
// (speaker/test/wire/bgp/fixtures/link-bandwidth/frr.json).
// Run as root: node test/dist/src/bgp/capture-link-bandwidth.js <fixtures dir>
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FrrRouter, nsSpawn, stopProcess } from '@herald/lab';
import { createBgpSite } from './lab-site.js';
import { bgpFrames, tcpStreams } from './pcap.js';
import { SpeakerProcess } from './speaker-process.js';

const variants = [
  { name: 'non-transitive', set: 'set extcommunity bandwidth 1 non-transitive', prefix: '198.51.100.128/25' },
  { name: 'transitive', set: 'set extcommunity bandwidth 2', prefix: '198.51.100.0/25' },
];

async function captureOne(v: (typeof variants)[number]): Promise<{ variant: string; set: string; hex: string[] }> {
  const topo = await createBgpSite('caplb');
  const pcapFile = join('/tmp', `herald-cap-lb-${v.name}-${process.pid}.pcap`);
  const r = new FrrRouter({
    ns: topo.ns('router'),
    routerId: '192.0.2.1',
    asn: 64500,
    kernel: true, // FRR originates `network` routes only with zebra connected
    originate: [v.prefix],
    frrOriginateSet: [v.set],
    peers: [{ name: 'n1', address: '192.0.2.11', asn: 64512 }],
  });
  const dump = nsSpawn(topo.ns('node1'), ['tcpdump', '-i', 'eth0', '-U', '-w', pcapFile, 'tcp', 'port', '179']);
  let sp: SpeakerProcess | undefined;
  try {
    await new Promise((res) => setTimeout(res, 1000));
    await r.start();
    sp = SpeakerProcess.start(topo.ns('node1'), { routes: [], peers: [{ name: 'r', myASN: 64512, peerASN: 64500, peerAddress: '192.0.2.1', holdTime: 3, keepaliveTime: 1 }] });
    await sp.waitState('r', 'established');
    await new Promise((res) => setTimeout(res, 2500));
  } finally {
    await sp?.stop();
    await stopProcess(dump, 'SIGINT');
    await r.stop();
    await topo.destroy();
  }
  const streams = tcpStreams(await readFile(pcapFile));
  await rm(pcapFile, { force: true });
  const fromRouter = streams.filter((s) => s.src.startsWith('192.0.2.1.'));
  // UPDATEs only (type 2), the End-of-RIB included.
  const hex = fromRouter.flatMap((s) => bgpFrames(s.payload)).filter((f) => f[18] === 2).map((f) => f.toString('hex'));
  return { variant: v.name, set: v.set, hex };
}

const outDir = process.argv[2];
if (!outDir) throw new Error('usage: capture-link-bandwidth <fixtures dir>');
const version = spawnSync('/usr/lib/frr/bgpd', ['--version'], { encoding: 'utf8' }).stdout.split('\n').find((l) => /\d+\.\d+/.test(l))?.trim() ?? 'frr';
const captures = [];
for (const v of variants) captures.push(await captureOne(v));
await mkdir(outDir, { recursive: true });
await writeFile(
  join(outDir, 'frr.json'),
  JSON.stringify(
    {
      router: version,
      source: `tcpdump -i eth0 -w in the speaker's namespace, ${new Date().toISOString().slice(0, 10)}: FRR (AS 64500) originating a prefix through a route-map with the set line shown, peering with Herald's speaker (AS 64512) over IPv4; the UPDATEs FRR sent, in order`,
      captures,
    },
    null,
    1,
  ) + '\n',
);
process.stdout.write(`frr link bandwidth: ${captures.map((c) => `${c.variant} ${c.hex.length} updates`).join(', ')}\n`);
