// BGP benchmarks (DESIGN §8), side by side in one run against the same BIRD receiver:
// - prefixes announced per second: Herald's speaker vs BIRD and GoBGP as the speaker; Herald
//   timed from handing it the routes on an established session, BIRD and GoBGP from the moment
//   the receiver logged Established, all until the receiver holds every route;
// - Service prefix -> route in BIRD's RIB latency (median of several).
// Needs root, bird and birdc. The lead wires benchBgp() into `make bench`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, nsRun, nsSpawn, stopProcess, uniquePrefix } from '@herald/lab';
import { IP } from '@herald/shared';
import { mrtIpv6Rib } from './mrt.js';
import { SpeakerProcess } from './speaker-process.js';
import { routers } from './stopgap-imports.js';

export interface BenchRow {
  what: string;
  value: string;
  target: string;
}

const COUNT = 100_000;

async function birdCount(ns: string, ctl: string, proto: string): Promise<number> {
  const out = await nsRun(ns, ['birdc', '-s', ctl, 'show', 'route', 'table', 'master6', 'protocol', proto, 'count']);
  const m = /(\d+) of \d+ routes/.exec(out);
  return m ? Number(m[1]) : 0;
}

/** Milliseconds since local midnight (BIRD prints protocol times as hh:mm:ss.sss, local time). */
function msOfDay(d = new Date()): number {
  return ((d.getHours() * 60 + d.getMinutes()) * 60 + d.getSeconds()) * 1000 + d.getMilliseconds();
}

/** When the receiver's protocol entered Established, from its `show protocols` Since column. */
async function establishedAt(ns: string, ctl: string, proto: string): Promise<number> {
  return routers.poll(`${proto} established`, async () => {
    const out = await nsRun(ns, ['birdc', '-s', ctl, 'show', 'protocols', proto]);
    const line = out.split('\n').find((l) => l.startsWith(proto + ' ') && l.includes('Established'));
    const m = line && /(\d\d):(\d\d):(\d\d)\.(\d{3})/.exec(line);
    return m ? ((Number(m[1]) * 60 + Number(m[2])) * 60 + Number(m[3])) * 1000 + Number(m[4]) : undefined;
  }, { tries: 2000, intervalMs: 5 });
}

/** Announcement rate: `want` routes over the time from t0 (ms of day) until the receiver holds them all. */
async function rate(ns: string, ctl: string, proto: string, want: number, t0: () => Promise<number>): Promise<number> {
  const start = await t0();
  for (let i = 0; i < 100_000; i++) {
    if ((await birdCount(ns, ctl, proto)) >= want) return want / ((msOfDay() - start) / 1000);
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`BIRD protocol ${proto} did not reach ${want} routes`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

export async function benchBgp(): Promise<{ rows: BenchRow[] }> {
  const topo = await Topology.create(uniquePrefix('bb'), [
    { name: 'router', addresses: ['2001:db8::1/64', '192.0.2.1/24'], macByte: 1, router: true },
    { name: 'node1', addresses: ['2001:db8::11/64', '192.0.2.11/24'], macByte: 11 },
    { name: 'node2', addresses: ['2001:db8::12/64', '192.0.2.12/24'], macByte: 12 },
    { name: 'node3', addresses: ['2001:db8::13/64', '192.0.2.13/24'], macByte: 13 },
  ]);
  const receiver = routers.createRouter('bird', {
    ns: topo.ns('router'),
    routerId: '192.0.2.1',
    asn: 64500,
    holdTime: 30,
    keepaliveTime: 10,
    peers: [
      { name: 'herald', address: '2001:db8::11', asn: 64512 },
      { name: 'birdspk', address: '2001:db8::12', asn: 64513 },
      { name: 'gobgpspk', address: '2001:db8::13', asn: 64514 },
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), 'herald-bench-'));
  const rows: BenchRow[] = [];
  let speaker: SpeakerProcess | undefined;
  let birdSpeaker: ReturnType<typeof nsSpawn> | undefined;
  let gobgpSpeaker: ReturnType<typeof nsSpawn> | undefined;
  try {
    await receiver.start();
    const rctl = (receiver as unknown as { ctl: string }).ctl;
    // Herald: establish empty, then announce COUNT /128s and time until BIRD holds them all.
    speaker = SpeakerProcess.start(topo.ns('node1'), {
      routes: [],
      peers: [{ name: 'r', myASN: 64512, peerASN: 64500, peerAddress: '2001:db8::1', holdTime: 30, keepaliveTime: 10 }],
    });
    await speaker.waitState('r', 'established', 20_000);
    const sp = speaker;
    const ours = await rate(topo.ns('router'), rctl, 'herald', COUNT, () => {
      const t = msOfDay();
      sp.send({ cmd: 'advertise-many', base: '2001:db8:100::', count: COUNT });
      return Promise.resolve(t);
    });

    // BIRD as the speaker: a static protocol with the same count, exported once the session is up.
    const conf = join(dir, 'speaker.conf');
    const sctl = join(dir, 'speaker.ctl');
    const statics: string[] = [];
    const base = IP.parse('2001:db8:200::');
    for (let i = 0; i < COUNT; i++) statics.push(`route ${IP.fromBigInt(6, base.value + BigInt(i)).toString()}/128 blackhole;`);
    await writeFile(
      conf,
      [
        'router id 192.0.2.12;',
        'protocol device {}',
        `protocol static s6 { ipv6; ${statics.join(' ')} }`,
        'protocol bgp r { local as 64513; neighbor 2001:db8::1 as 64500; connect delay time 1; ipv6 { import none; export all; }; disabled; }',
      ].join('\n'),
    );
    birdSpeaker = nsSpawn(topo.ns('node2'), ['bird', '-f', '-c', conf, '-s', sctl]);
    let birdErr = '';
    birdSpeaker.stderr?.on('data', (b: Buffer) => (birdErr += b.toString('utf8')));
    await routers
      .poll('speaker BIRD up', async () => (birdSpeaker?.exitCode !== null ? Promise.reject(new Error('exited')) : (await nsRun(topo.ns('node2'), ['birdc', '-s', sctl, 'show', 'status'])).includes('Daemon is up') ? true : undefined), { tries: 600 })
      .catch((e: unknown) => {
        throw new Error(`speaker BIRD: ${birdErr}`, { cause: e });
      });
    const bird = await rate(topo.ns('router'), rctl, 'birdspk', COUNT, async () => {
      await nsRun(topo.ns('node2'), ['birdc', '-s', sctl, 'enable', 'r']);
      return establishedAt(topo.ns('router'), rctl, 'birdspk');
    });

    // GoBGP as the speaker: RIB loaded through `gobgp mrt inject`, neighbor enabled, timed from Established.
    const gconf = join(dir, 'gobgpd.toml');
    const api = String(50051 + (process.pid % 1000) * 7 + 5);
    await writeFile(
      gconf,
      '[global.config]\n  as = 64514\n  router-id = "192.0.2.13"\n  port = -1\n[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "2001:db8::1"\n    peer-as = 64500\n    admin-down = true\n  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "ipv6-unicast"\n',
    );
    gobgpSpeaker = nsSpawn(topo.ns('node3'), ['gobgpd', '-f', gconf, '-t', 'toml', '-p', '--api-hosts', `127.0.0.1:${api}`, '--pprof-disable']);
    const gobgp = (args: string[]) => nsRun(topo.ns('node3'), ['gobgp', '-p', api, ...args], { timeoutMs: 120_000 });
    await routers.poll('gobgpd API', async () => ((await gobgp(['neighbor'])).includes('2001:db8::1') ? true : undefined), { tries: 100 });
    const mrtFile = join(dir, 'rib.mrt');
    await writeFile(mrtFile, mrtIpv6Rib({ peerId: IP.parse('192.0.2.13'), peerAddress: IP.parse('2001:db8::13'), peerAS: 64514, nextHop: IP.parse('2001:db8::13'), base: IP.parse('2001:db8:400::'), count: COUNT + 1000 }));
    await gobgp(['mrt', 'inject', 'global', mrtFile]);
    // The RIB fills asynchronously: wait until the count stops moving.
    let summary = '';
    let loaded = -1;
    for (let i = 0, prev = -2; i < 100 && loaded !== prev; i++) {
      prev = loaded;
      await new Promise((r) => setTimeout(r, 300));
      summary = await gobgp(['global', 'rib', 'summary', '-a', 'ipv6']);
      loaded = Number(/Destination: (\d+)/.exec(summary)?.[1] ?? 0);
    }
    if (loaded < COUNT) throw new Error(`gobgp mrt inject loaded ${loaded} of ${COUNT}: ${summary}`);
    const gobgpRate = await rate(topo.ns('router'), rctl, 'gobgpspk', loaded, async () => {
      await gobgp(['neighbor', '2001:db8::1', 'enable']);
      return establishedAt(topo.ns('router'), rctl, 'gobgpspk');
    });

    rows.push({ what: `IPv6 /128s announced per second into BIRD (${COUNT}): Herald`, value: `${Math.round(ours)}/s`, target: `>= GoBGP (${Math.round(gobgpRate)}/s this run)` });
    rows.push({ what: `IPv6 /128s announced per second into BIRD (${loaded}): GoBGP as the speaker (mrt inject)`, value: `${Math.round(gobgpRate)}/s`, target: 'reference' });
    rows.push({ what: `IPv6 /128s announced per second into BIRD (${COUNT}): BIRD as the speaker`, value: `${Math.round(bird)}/s`, target: 'reference' });

    // Latency: one new prefix -> in BIRD's RIB (polling birdc, so an upper bound).
    const lat: number[] = [];
    for (let i = 0; i < 15; i++) {
      const p = `2001:db8:300::${(i + 1).toString(16)}/128`;
      const s = performance.now();
      speaker.advertise([{ prefix: p }]);
      await routers.poll(`route ${p}`, async () => ((await nsRun(topo.ns('router'), ['birdc', '-s', rctl, 'show', 'route', p])).includes(p.split('/')[0]!) ? true : undefined), { tries: 500, intervalMs: 1 });
      lat.push(performance.now() - s);
    }
    rows.push({ what: 'Prefix handed to the speaker -> route in BIRD RIB (median of 15, birdc-polled)', value: `${median(lat).toFixed(1)} ms`, target: '< 300 ms' });
  } finally {
    await speaker?.stop();
    if (birdSpeaker) await stopProcess(birdSpeaker);
    if (gobgpSpeaker) await stopProcess(gobgpSpeaker);
    await receiver.stop();
    await topo.destroy();
    await rm(dir, { recursive: true, force: true });
  }
  return { rows };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '-')) {
  const r = await benchBgp();
  for (const row of r.rows) process.stdout.write(`${row.what}\t${row.value}\t${row.target}\n`);
}
