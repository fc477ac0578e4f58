// BGP benchmarks (DESIGN §8), side by side in one run: 100,000 IPv6 /128s announced by Herald's
// speaker, by BIRD and by GoBGP (loaded through `gobgp mrt inject`) into the same receiver, BIRD
// and then FRR. Herald is timed from handing it the routes on an established session; BIRD and
// GoBGP from the moment the session came up, as our own polls of the receiver bound it (see
// establishedSince); each until the receiver holds every route. All times are on our clock: the
// routers' own timestamps are not precise enough (BIRD's protocol time once gave 1,000,000/s).
// Also: prefix handed to the speaker -> route in the receiver's RIB (median of 15), and the
// incremental workload of incremental-bench.ts (10,000 changes in batches of 100 on the
// established session, beside the same as one batch), and a session's in-process cost per pass
// (session-cost-bench.ts), and the fan-out of fanout-bench.ts (10,000 mixed prefixes x 3 speakers
// x 4 sessions into one BIRD, and a relist that must send nothing).
// Needs root, bird, birdc, gobgpd, gobgp and FRR. The lead wires benchBgp() into `make bench`.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, nsRun, nsSpawn, stopProcess, uniquePrefix } from '@herald/lab';
import { IP } from '@herald/shared';
import { fanoutRows } from './fanout-bench.js';
import { incrementalRows } from './incremental-bench.js';
import { mrtIpv6Rib } from './mrt.js';
import { sessionCostRows } from './session-cost-bench.js';
import { SpeakerProcess } from './speaker-process.js';
import { routers, type RouterDriver, type RouterKind } from './api.js';
import { median } from '@herald/bench/stats';

export interface BenchRow {
  what: string;
  value: string;
  target: string;
}

const COUNT = 100_000;
const SPEAKERS = [
  { name: 'herald', node: 'node1', address: '2001:db8::11', asn: 64512 },
  { name: 'birdspk', node: 'node2', address: '2001:db8::12', asn: 64513 },
  { name: 'gobgpspk', node: 'node3', address: '2001:db8::13', asn: 64514 },
] as const;

/** Our clock, in ms (monotonic). */
const now = (): number => performance.now();

/** What a receiver must tell the bench: routes held per peer, and when a peer got Established. */
interface Receiver {
  count(peer: (typeof SPEAKERS)[number]): Promise<number>;
  established(peer: (typeof SPEAKERS)[number]): Promise<boolean>;
  has(prefix: string): Promise<boolean>;
}

function birdReceiver(r: RouterDriver): Receiver {
  const birdc = (r as unknown as { birdc(cmd: string): Promise<string> }).birdc.bind(r);
  return {
    async count(p) {
      const m = /(\d+) of \d+ routes/.exec(await birdc(`show route table master6 protocol ${p.name} count`));
      return m ? Number(m[1]) : 0;
    },
    async established(p) {
      return (await birdc(`show protocols ${p.name}`)).split('\n').some((l) => l.startsWith(p.name + ' ') && l.includes('Established'));
    },
    async has(prefix) {
      return (await birdc(`show route ${prefix}`)).includes(prefix);
    },
  };
}

function frrReceiver(r: RouterDriver): Receiver {
  const vtysh = (r as unknown as { vtysh(cmd: string): Promise<string> }).vtysh.bind(r);
  const peer = async (address: string): Promise<{ pfxRcd?: number; peerUptimeMsec?: number; state?: string }> => {
    const j = JSON.parse(await vtysh('show bgp ipv6 unicast summary json')) as { peers?: Record<string, { pfxRcd?: number; peerUptimeMsec?: number; state?: string }> };
    return j.peers?.[address] ?? {};
  };
  return {
    async count(p) {
      return (await peer(p.address)).pfxRcd ?? 0;
    },
    async established(p) {
      return (await peer(p.address)).state === 'Established';
    },
    async has(prefix) {
      const j = JSON.parse(await vtysh(`show bgp ipv6 unicast ${prefix} json`)) as { paths?: unknown[] };
      return (j.paths?.length ?? 0) > 0;
    },
  };
}

async function rate(rx: Receiver, p: (typeof SPEAKERS)[number], want: number, start: () => Promise<number>): Promise<number> {
  const t0 = await start();
  for (let i = 0; i < 100_000; i++) {
    if ((await rx.count(p)) >= want) return want / ((now() - t0) / 1000);
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`${p.name}: the receiver never held ${want} routes`);
}

/**
 * When the session came up, on our clock: the moment we sent the last poll that the receiver
 * answered "not Established". The session came up after the receiver answered it, so this is
 * never later than the truth, and early by at most one poll (a few ms of a run of seconds): the
 * reference is charged that much more, never less. `notBefore` is used if the first poll already
 * sees Established.
 */
async function establishedSince(rx: Receiver, p: (typeof SPEAKERS)[number], notBefore: number): Promise<number> {
  let sent = notBefore;
  for (let i = 0; i < 4000; i++) {
    const at = now();
    if (await rx.established(p)) return sent;
    sent = at;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`${p.name}: never established`);
}

/** Waits for an already-configured session (Herald's) to be Established at the receiver. */
async function waitEstablished(rx: Receiver, p: (typeof SPEAKERS)[number]): Promise<void> {
  await establishedSince(rx, p, now());
}

/** One receiver kind, three speakers, one after the other. */
async function runAgainst(kind: RouterKind, withLatency: boolean): Promise<BenchRow[]> {
  const topo = await Topology.create(uniquePrefix(`b${kind[0]}`), [
    { name: 'router', addresses: ['2001:db8::1/64', '192.0.2.1/24'], macByte: 1, router: true },
    { name: 'node1', addresses: ['2001:db8::11/64', '192.0.2.11/24'], macByte: 11 },
    { name: 'node2', addresses: ['2001:db8::12/64', '192.0.2.12/24'], macByte: 12 },
    { name: 'node3', addresses: ['2001:db8::13/64', '192.0.2.13/24'], macByte: 13 },
  ]);
  const receiver = routers.createRouter(kind, {
    ns: topo.ns('router'),
    routerId: '192.0.2.1',
    asn: 64500,
    holdTime: 30,
    keepaliveTime: 10,
    peers: SPEAKERS.map((s) => ({ name: s.name, address: s.address, asn: s.asn })),
  });
  const rx = kind === 'bird' ? birdReceiver(receiver) : frrReceiver(receiver);
  const dir = await mkdtemp(join(tmpdir(), 'herald-bench-'));
  const rows: BenchRow[] = [];
  let speaker: SpeakerProcess | undefined;
  const daemons: ReturnType<typeof nsSpawn>[] = [];
  const [herald, bird, gobgp] = SPEAKERS;
  try {
    await receiver.start();

    // Herald: establish empty, then hand it COUNT /128s.
    const sp = (speaker = SpeakerProcess.start(topo.ns(herald.node), {
      routes: [],
      peers: [{ name: 'r', myASN: herald.asn, peerASN: 64500, peerAddress: '2001:db8::1', holdTime: 30, keepaliveTime: 10 }],
    }));
    await sp.waitState('r', 'established', 20_000);
    await waitEstablished(rx, herald);
    const ours = await rate(rx, herald, COUNT, () => {
      const t = now();
      sp.send({ cmd: 'advertise-many', base: '2001:db8:100::', count: COUNT });
      return Promise.resolve(t);
    });
    const into = kind === 'bird' ? 'BIRD' : 'FRR';
    const incremental = await incrementalRows(sp, () => rx.count(herald), into);

    // BIRD as the speaker: a static protocol, session enabled once BIRD is up.
    const conf = join(dir, 'speaker.conf');
    const sctl = join(dir, 'speaker.ctl');
    const base = IP.parse('2001:db8:200::');
    const statics: string[] = [];
    for (let i = 0; i < COUNT; i++) statics.push(`route ${IP.fromBigInt(6, base.value + BigInt(i)).toString()}/128 blackhole;`);
    await writeFile(
      conf,
      [
        'router id 192.0.2.12;',
        'protocol device {}',
        `protocol static s6 { ipv6; ${statics.join(' ')} }`,
        `protocol bgp r { local as ${bird.asn}; neighbor 2001:db8::1 as 64500; connect delay time 1; ipv6 { import none; export all; }; disabled; }`,
      ].join('\n'),
    );
    const bd = nsSpawn(topo.ns(bird.node), ['bird', '-f', '-c', conf, '-s', sctl]);
    daemons.push(bd);
    await routers.poll('speaker BIRD up', async () => {
      if (bd.exitCode !== null) throw new Error('speaker BIRD exited');
      return (await nsRun(topo.ns(bird.node), ['birdc', '-s', sctl, 'show', 'status'])).includes('Daemon is up') ? true : undefined;
    }, { tries: 600 });
    const birdRate = await rate(rx, bird, COUNT, async () => {
      const asked = now();
      await nsRun(topo.ns(bird.node), ['birdc', '-s', sctl, 'enable', 'r']);
      return establishedSince(rx, bird, asked);
    });

    // GoBGP as the speaker: RIB loaded through `gobgp mrt inject` (padded; RIB count checked).
    const gconf = join(dir, 'gobgpd.toml');
    const api = String(50051 + (process.pid % 1000) * 7 + 5);
    await writeFile(
      gconf,
      `[global.config]\n  as = ${gobgp.asn}\n  router-id = "192.0.2.13"\n  port = -1\n[[neighbors]]\n  [neighbors.config]\n    neighbor-address = "2001:db8::1"\n    peer-as = 64500\n    admin-down = true\n  [[neighbors.afi-safis]]\n    [neighbors.afi-safis.config]\n      afi-safi-name = "ipv6-unicast"\n`,
    );
    daemons.push(nsSpawn(topo.ns(gobgp.node), ['gobgpd', '-f', gconf, '-t', 'toml', '-p', '--api-hosts', `127.0.0.1:${api}`, '--pprof-disable']));
    const cli = (args: string[]) => nsRun(topo.ns(gobgp.node), ['gobgp', '-p', api, ...args], { timeoutMs: 120_000 });
    await routers.poll('gobgpd API', async () => ((await cli(['neighbor'])).includes('2001:db8::1') ? true : undefined), { tries: 100 });
    const mrtFile = join(dir, 'rib.mrt');
    await writeFile(mrtFile, mrtIpv6Rib({ peerId: IP.parse('192.0.2.13'), peerAddress: IP.parse(gobgp.address), peerAS: gobgp.asn, nextHop: IP.parse(gobgp.address), base: IP.parse('2001:db8:400::'), count: COUNT + 1000 }));
    await cli(['mrt', 'inject', 'global', mrtFile]);
    let summary = '';
    let loaded = -1;
    for (let i = 0, prev = -2; i < 100 && loaded !== prev; i++) {
      prev = loaded;
      await new Promise((r) => setTimeout(r, 300));
      summary = await cli(['global', 'rib', 'summary', '-a', 'ipv6']);
      loaded = Number(/Destination: (\d+)/.exec(summary)?.[1] ?? 0);
    }
    if (loaded < COUNT) throw new Error(`gobgp mrt inject loaded ${loaded} of ${COUNT}: ${summary}`);
    const gobgpRate = await rate(rx, gobgp, loaded, async () => {
      const asked = now();
      await cli(['neighbor', '2001:db8::1', 'enable']);
      return establishedSince(rx, gobgp, asked);
    });

    rows.push({ what: `IPv6 /128s per second into ${into} (${COUNT}): Herald`, value: `${Math.round(ours)}/s`, target: `>= GoBGP (${Math.round(gobgpRate)}/s in this run)` });
    rows.push({ what: `IPv6 /128s per second into ${into} (${loaded}): GoBGP (mrt inject)`, value: `${Math.round(gobgpRate)}/s`, target: 'reference' });
    rows.push({ what: `IPv6 /128s per second into ${into} (${COUNT}): BIRD`, value: `${Math.round(birdRate)}/s`, target: 'reference' });
    rows.push(...incremental);

    if (withLatency) {
      const lat: number[] = [];
      for (let i = 0; i < 15; i++) {
        const p = `2001:db8:300::${(i + 1).toString(16)}/128`;
        const s = performance.now();
        sp.advertise([{ prefix: p }]);
        await routers.poll(`route ${p}`, async () => ((await rx.has(p)) ? true : undefined), { tries: 2000, intervalMs: 1 });
        lat.push(performance.now() - s);
      }
      rows.push({ what: `Prefix handed to the speaker -> route in ${into}'s RIB (median of 15, CLI-polled)`, value: `${median(lat).toFixed(1)} ms`, target: '< 300 ms' });
    }
  } finally {
    await speaker?.stop();
    for (const d of daemons) await stopProcess(d);
    await receiver.stop();
    await topo.destroy();
    await rm(dir, { recursive: true, force: true });
  }
  return rows;
}

export async function benchBgp(): Promise<{ rows: BenchRow[] }> {
  return { rows: [...sessionCostRows(), ...(await runAgainst('bird', true)), ...(await runAgainst('frr', true)), ...(await fanoutRows())] };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '-')) {
  const r = await benchBgp();
  for (const row of r.rows) process.stdout.write(`${row.what}\t${row.value}\t${row.target}\n`);
}
