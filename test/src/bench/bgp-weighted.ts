// Bench rows (issue 15 item 4): weighted ECMP by local endpoints. For FRR 8.4 and BIRD 2 (with
// the docs filter), two nodes advertise one ETP Local /32 with the weights their speaker code
// computes from the endpoint counts; a client makes N connections (each a new source port) and
// we count which node answered. Each row is one endpoint ratio: the measured shares against the
// endpoint ratio, with the same run's unweighted split (the BGPAdvertisement without
// weightByLocalEndpoints, same counts) as the reference.
// HERALD_BENCH_QUICK=1: 300 connections per cell (default 1,000);
// HERALD_BGP_WEIGHTED_BENCH_ROUTERS=frr|bird|frr,bird (default both).
import { WeightedSite, weightedOff, weightedOn } from '../bgp/weighted-split.js';
import { quickMode, wordList } from './bench-env.js';

interface Row {
  readonly what: string;
  readonly value: string;
  readonly target: string;
}

const RATIOS: readonly (readonly [number, number])[] = [
  [1, 2],
  [1, 3],
  [2, 3],
  [1, 1],
];

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function shares(split: Record<string, number>, n: number): string {
  return `node1 ${pct((split['node1'] ?? 0) / n)} / node2 ${pct((split['node2'] ?? 0) / n)}`;
}

export async function benchBgpWeighted(): Promise<{ rows: Row[] }> {
  const n = quickMode() ? 300 : 1000;
  const rows: Row[] = [];
  for (const kind of wordList<'frr' | 'bird'>('HERALD_BGP_WEIGHTED_BENCH_ROUTERS', ['frr', 'bird'], ['frr', 'bird'])) {
    const router = kind === 'frr' ? 'FRR 8.4' : 'BIRD 2 (docs filter)';
    const site = await WeightedSite.start(kind, `hbw${kind[0]}${process.pid % 1000}`);
    try {
      for (const [a, b] of RATIOS) {
        const counts = { node1: a, node2: b };
        site.advertise(weightedOff, counts);
        await site.waitWeights((w) => w.get('192.0.2.11') === w.get('192.0.2.12'), 'equal');
        const off = await site.split(n);
        site.advertise(weightedOn, counts);
        const w = await site.waitWeights((x) => Math.abs(x.get('192.0.2.11')! / x.get('192.0.2.12')! - a / b) <= (a / b) * 0.1, `${a}:${b}`);
        const on = await site.split(n);
        const want = a / (a + b);
        const got = (on['node1'] ?? 0) / n;
        rows.push({
          what: `weighted split, ${router}, local endpoints node1:node2 = ${a}:${b} (kernel weights ${w.get('192.0.2.11')}/${w.get('192.0.2.12')}), ${n.toLocaleString('en')} connections`,
          value: `${shares(on, n)} (${got >= want ? '+' : ''}${((got - want) * 100).toFixed(1)} points from the endpoint ratio)`,
          target: `endpoint ratio node1 ${pct(want)} / node2 ${pct(1 - want)}; same run without weightByLocalEndpoints: ${shares(off, n)}`,
        });
      }
    } finally {
      await site.stop();
    }
  }
  return { rows };
}
