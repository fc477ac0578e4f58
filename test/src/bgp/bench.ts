// BGP benchmarks (DESIGN §8), side by side in one run against the same BIRD receiver:
// - prefixes announced per second: Herald's speaker vs BIRD as the speaker (GoBGP: not yet);
// - Service prefix -> route in BIRD's RIB latency (median of several).
// Needs root, bird and birdc. The lead wires benchBgp() into `make bench`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, nsRun, nsSpawn, stopProcess, uniquePrefix } from '@herald/lab';
import { IP } from '@herald/shared';
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

async function waitCount(ns: string, ctl: string, proto: string, want: number, maxMs: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; performance.now() - t0 < maxMs && i < 100_000; i++) {
    if ((await birdCount(ns, ctl, proto)) >= want) return performance.now();
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`BIRD protocol ${proto} did not reach ${want} routes in ${maxMs} ms`);
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
    ],
  });
  const dir = await mkdtemp(join(tmpdir(), 'herald-bench-'));
  const rows: BenchRow[] = [];
  let speaker: SpeakerProcess | undefined;
  let birdSpeaker: ReturnType<typeof nsSpawn> | undefined;
  try {
    await receiver.start();
    const rctl = (receiver as unknown as { ctl: string }).ctl;
    // Herald: establish empty, then announce COUNT /128s and time until BIRD holds them all.
    speaker = SpeakerProcess.start(topo.ns('node1'), {
      routes: [],
      peers: [{ name: 'r', myASN: 64512, peerASN: 64500, peerAddress: '2001:db8::1', holdTime: 30, keepaliveTime: 10 }],
    });
    await speaker.waitState('r', 'established', 20_000);
    let t0 = performance.now();
    speaker.send({ cmd: 'advertise-many', base: '2001:db8:100::', count: COUNT });
    let t1 = await waitCount(topo.ns('router'), rctl, 'herald', COUNT, 120_000);
    const ours = COUNT / ((t1 - t0) / 1000);

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
    await nsRun(topo.ns('node2'), ['birdc', '-s', sctl, 'enable', 'r']);
    await routers.poll('BIRD speaker established', async () => ((await receiver.sessions()).find((s) => s.peer === 'birdspk')?.state === 'established' ? true : undefined), { tries: 200, intervalMs: 20 });
    t0 = performance.now();
    t1 = await waitCount(topo.ns('router'), rctl, 'birdspk', COUNT, 120_000);
    const bird = COUNT / ((t1 - t0) / 1000);
    rows.push({ what: `IPv6 /128s announced per second into BIRD (${COUNT}): Herald`, value: `${Math.round(ours)}/s`, target: '>= GoBGP (not measured yet)' });
    rows.push({ what: `IPv6 /128s announced per second into BIRD (${COUNT}): BIRD as the speaker`, value: `${Math.round(bird)}/s (from Established)`, target: 'reference' });

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
