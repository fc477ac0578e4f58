// Captures real BGP sessions between each router (BIRD, FRR, GoBGP) and our speaker with
// tcpdump inside a node namespace, and writes the router's messages as hex fixtures for the
// codec's golden-bytes test (speaker/test/wire/bgp/fixtures/<router>.json).
// Run as root: node test/dist/src/bgp/capture-fixtures.js <fixtures dir>
import { spawnSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nsSpawn, stopProcess } from '@herald/lab';
import { createBgpSite } from './lab-site.js';
import { bgpFrames, tcpStreams } from './pcap.js';
import { SpeakerProcess } from './speaker-process.js';
import { routers, type RouterKind } from './api.js';

const versions: Record<RouterKind, string[]> = { bird: ['bird', '--version'], frr: ['/usr/lib/frr/bgpd', '--version'], gobgp: ['gobgpd', '--version'] };

function version(kind: RouterKind): string {
  const [cmd, ...args] = versions[kind];
  const r = spawnSync(cmd!, args, { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.split('\n').find((l) => /\d+\.\d+/.test(l))?.trim() ?? kind;
}

async function captureOne(kind: RouterKind, outDir: string): Promise<void> {
  const topo = await createBgpSite('cap');
  const pcapFile = join('/tmp', `herald-cap-${kind}-${process.pid}.pcap`);
  const r = routers.createRouter(kind, {
    ns: topo.ns('router'),
    routerId: '192.0.2.1',
    asn: 64500,
    kernel: true, // FRR originates `network` routes only with zebra connected
    originate: ['198.51.100.128/25', '2001:db8:ff::/48'],
    peers: [
      { name: 'n1e4', address: '192.0.2.11', asn: 4200000001 },
      { name: 'n1e6', address: '2001:db8::11', asn: 4200000001 },
    ],
  });
  const dump = nsSpawn(topo.ns('node1'), ['tcpdump', '-i', 'eth0', '-U', '-w', pcapFile, 'tcp', 'port', '179']);
  let sp: SpeakerProcess | undefined;
  try {
    await new Promise((res) => setTimeout(res, 1000));
    await r.start();
    sp = SpeakerProcess.start(topo.ns('node1'), {
      routes: [],
      peers: [
        { name: 'e4', myASN: 4200000001, peerASN: 64500, peerAddress: '192.0.2.1', holdTime: 3, keepaliveTime: 1, routes: [{ prefix: '203.0.113.1/32' }] },
        { name: 'e6', myASN: 4200000001, peerASN: 64500, peerAddress: '2001:db8::1', holdTime: 3, keepaliveTime: 1, routes: [{ prefix: '2001:db8:1::/64' }] },
      ],
    });
    await Promise.all([sp.waitState('e4', 'established'), sp.waitState('e6', 'established')]);
    await new Promise((res) => setTimeout(res, 2500));
  } finally {
    await sp?.stop();
    await stopProcess(dump, 'SIGINT');
    await r.stop();
    await topo.destroy();
  }
  const streams = tcpStreams(await readFile(pcapFile));
  const fromRouter = streams.filter((s) => s.src.startsWith('192.0.2.1.') || s.src.startsWith('2001:db8::1.'));
  const messages = fromRouter.flatMap((s) => bgpFrames(s.payload).map((f) => ({ session: s.src.includes(':') ? 'ipv6' : 'ipv4', hex: f.toString('hex') })));
  const fixture = {
    router: version(kind),
    source: `tcpdump -i eth0 -w in the speaker's namespace, ${new Date().toISOString().slice(0, 10)}: ${kind} (AS 64500, originating 198.51.100.128/25 and 2001:db8:ff::/48 with community 64500:1 and large community 64500:1:2) peering with Herald's speaker (AS 4200000001) over IPv4 and IPv6; messages sent by the router, in order`,
    messages,
  };
  await writeFile(join(outDir, `${kind}.json`), JSON.stringify(fixture, null, 1) + '\n');
  process.stdout.write(`${kind}: ${messages.length} messages\n`);
}

const outDir = process.argv[2];
if (!outDir) throw new Error('usage: capture-fixtures <fixtures dir>');
for (const kind of ['bird', 'frr', 'gobgp'] as RouterKind[]) await captureOne(kind, outDir);
