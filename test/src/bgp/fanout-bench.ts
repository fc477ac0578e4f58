// The fan-out workload of DESIGN §8 on the session side: 10,000 prefixes (IPv4 and IPv6 mixed)
// from 3 speakers (each a child process in its own node namespace) over 4 sessions each into one
// BIRD, 120,000 paths in all. The prefixes are handed to the speakers as changes in batches of 100
// (updateAdvertised, as the reconciler hands created Services), the three speakers at once; timed
// until BIRD's tables hold every path, from the last batch handed (the target: <= 15 s) and from
// the first. Then a relist: every speaker gets its whole table again (setAdvertised, fresh
// objects, as after an API-server restart): the UPDATEs the speakers send and the route updates
// BIRD counts must both be 0; one changed prefix afterwards must show in BIRD's counters on every
// session, or the 0 proves nothing. The reference, in the same run: everything withdrawn, then the
// same 10,000 as one batch per speaker.
// One BIRD takes all 12 sessions (4 router addresses: BIRD's protocols are told apart by local
// address; see RouterPeerSpec.passive), which is harder on the receiver than 4 routers would be.
import { Topology, uniquePrefix, type BirdRouter } from '@herald/lab';
import { prefixSet } from './prefix-sets.js';
import { birdImportCounts } from './rib-dump.js';
import { routers } from './api.js';
import { SpeakerProcess } from './speaker-process.js';

export interface FanoutRow {
  what: string;
  value: string;
  target: string;
}

const PREFIXES = 10_000;
const BATCH = 100;
const NODES = 3;
const PEERS = 4;
const TIMEOUT_MS = 180_000;
/** Timed runs of each kind (the batched one and the reference, alternating). */
const TRIALS = 5;
const community = (value: number) => ({ type: 'standard' as const, asn: 64512, value });
const now = (): number => performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** BGP routes (paths) in BIRD's master4 + master6; `others`: the non-BGP ones, subtracted. */
async function paths(r: BirdRouter, others: number): Promise<number> {
  let n = 0;
  for (const t of ['master4', 'master6']) {
    const out = await r.birdc(`show route table ${t} count`);
    const m = /(\d+) of \d+ routes/.exec(out);
    if (!m) throw new Error(`BIRD count: unexpected output ${JSON.stringify(out)}`);
    n += Number(m[1]);
  }
  return n - others;
}

async function waitPaths(r: BirdRouter, others: number, want: number, since: number): Promise<number> {
  let last = -1;
  for (let i = 0; i < 100_000; i++) {
    last = await paths(r, others);
    if (last === want) return now();
    if (now() - since > TIMEOUT_MS) break;
    await sleep(20);
  }
  throw new Error(`fan-out bench: BIRD holds ${last} BGP paths, not ${want}, after ${TIMEOUT_MS} ms`);
}

async function updatesSent(sps: readonly SpeakerProcess[]): Promise<number> {
  let n = 0;
  for (const sp of sps) for (const s of await sp.status()) n += s.updatesSent;
  return n;
}

export async function fanoutRows(): Promise<FanoutRow[]> {
  const routerAddrs = Array.from({ length: PEERS }, (_, i) => `192.0.2.${i + 1}`);
  const topo = await Topology.create(uniquePrefix('bfo'), [
    { name: 'router', addresses: [...routerAddrs.map((a) => `${a}/24`), '2001:db8::1/64'], macByte: 1, router: true },
    ...Array.from({ length: NODES }, (_, n) => ({ name: `node${n + 1}`, addresses: [`192.0.2.${11 + n}/24`, `2001:db8::${11 + n}/64`], macByte: 11 + n })),
  ]);
  const router = routers.createRouter('bird', {
    ns: topo.ns('router'),
    routerId: '192.0.2.1',
    asn: 64500,
    holdTime: 30,
    keepaliveTime: 10,
    peers: Array.from({ length: NODES }, (_, n) =>
      routerAddrs.map((local, i) => ({
        name: `n${n + 1}r${i + 1}`,
        address: `192.0.2.${11 + n}`,
        asn: 64512,
        localAddress: local,
        families: [4, 6] as const,
        ...(i === 0 ? {} : { passive: true, neighborPort: 179 + i }),
      })),
    ).flat(),
  }) as BirdRouter;
  const sps: SpeakerProcess[] = [];
  try {
    await router.start();
    for (let n = 0; n < NODES; n++) {
      sps.push(
        SpeakerProcess.start(topo.ns(`node${n + 1}`), {
          routes: [],
          peers: routerAddrs.map((a, i) => ({ name: `r${i + 1}`, myASN: 64512, peerASN: 64500, peerAddress: a, holdTime: 30, keepaliveTime: 10 })),
        }),
      );
    }
    for (const sp of sps) for (let i = 0; i < PEERS; i++) await sp.waitState(`r${i + 1}`, 'established', 60_000);
    const others = await paths(router, 0);
    const all = prefixSet(PREFIXES);
    const v4 = all.filter((p) => !p.includes(':')).length;
    const want = PREFIXES * NODES * PEERS;
    const routes = all.map((prefix) => ({ prefix, communities: [community(1)] }));

    // Batches of 100, the three speakers at once, each batch handed when the last was applied.
    const batched = async (): Promise<{ afterLast: number; total: number }> => {
      const t0 = now();
      let lastHanded = t0;
      await Promise.all(
        sps.map(async (sp) => {
          for (let i = 0; i < routes.length; i += BATCH) await sp.change(routes.slice(i, i + BATCH));
          lastHanded = Math.max(lastHanded, now());
        }),
      );
      const t = await waitPaths(router, others, want, t0);
      return { afterLast: t - lastHanded, total: t - t0 };
    };
    // The reference: one batch of everything per speaker.
    const oneBatch = async (): Promise<{ afterLast: number; total: number }> => {
      const t0 = now();
      await Promise.all(sps.map((sp) => sp.change(routes)));
      const handed = now();
      const t = await waitPaths(router, others, want, t0);
      return { afterLast: t - handed, total: t - t0 };
    };
    const withdrawAll = async () => {
      const t0 = now();
      await Promise.all(sps.map((sp) => sp.change([], all)));
      await waitPaths(router, others, 0, t0);
    };

    const runs: { afterLast: number; total: number }[] = [await batched()];

    // Relist: the whole table again, as fresh objects, on every session.
    await sleep(1000);
    const sent0 = await updatesSent(sps);
    const in0 = await birdImportCounts(router);
    for (const sp of sps) sp.advertise(routes);
    await sleep(3000);
    const relistSent = (await updatesSent(sps)) - sent0;
    const in1 = await birdImportCounts(router);
    const relistIn = [...in1].reduce((a, [p, n]) => a + n - (in0.get(p) ?? 0), 0);
    // The counters move for a real change: one prefix gets a new community everywhere (and back).
    for (const sp of sps) await sp.change([{ prefix: all[0]!, communities: [community(2)] }]);
    let moved = 0;
    for (let i = 0; i < 100 && moved < NODES * PEERS; i++) {
      await sleep(100);
      const in2 = await birdImportCounts(router);
      moved = [...in2].filter(([p, n]) => n > (in1.get(p) ?? 0)).length;
    }
    for (const sp of sps) await sp.change([routes[0]!]);

    const refs: { afterLast: number; total: number }[] = [];
    for (let i = 0; i < TRIALS; i++) {
      await withdrawAll();
      refs.push(await oneBatch());
      if (i === TRIALS - 1) break;
      await withdrawAll();
      runs.push(await batched());
    }

    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    const q = (xs: number[], f: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(f * xs.length))]!;
    const mpm = (xs: number[]) => `${s(q(xs, 0.5))} / ${s(q(xs, 0.95))} / ${s(Math.max(...xs))}`;
    const what = `${PREFIXES} prefixes (${v4} IPv4, ${PREFIXES - v4} IPv6) x ${NODES} speakers x ${PEERS} sessions into one BIRD (${want} paths)`;
    return [
      {
        what: `Fan-out: ${what}, handed in batches of ${BATCH}: last batch handed -> all in BIRD's RIB (first handed -> all), median / p95 / max of ${runs.length}`,
        value: `${mpm(runs.map((r) => r.afterLast))} (${mpm(runs.map((r) => r.total))})`,
        target: `<= 15 s (DESIGN §8); reference: one batch of ${PREFIXES} per speaker: ${mpm(refs.map((r) => r.afterLast))} (${mpm(refs.map((r) => r.total))})`,
      },
      {
        what: `Fan-out: relist, the same whole table again on all ${NODES * PEERS} sessions (setAdvertised, fresh objects)`,
        value: `${relistSent} UPDATEs sent; BIRD counted ${relistIn} route updates`,
        target: `0 / 0; check: one changed prefix afterwards moved BIRD's counters on ${moved} of ${NODES * PEERS} sessions`,
      },
    ];
  } finally {
    for (const sp of sps) await sp.stop();
    await router.stop();
    await topo.destroy();
  }
}
