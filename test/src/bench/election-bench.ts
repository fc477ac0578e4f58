// make bench, area 'election': the L2 election at scale, in process. 10,000 IPs over 100 nodes:
// ranking every IP (what the speaker's main thread does when the config or a Node changes),
// the owner pick the packet thread does on a membership change (first live node of each
// ranking), and the whole per-IP computation through AnnounceState with 10,000 Services. The
// reference, measured in the same run: the previous hash (SHA-256 per (node, IP) pair), timed
// on a sample and scaled to the same million pairs. Bounded: fixed sizes, a few repeats.
import { createHash } from 'node:crypto';
import { IP, parseConfig } from '@herald/shared';
import { AnnounceState, OwnerTable, firstLive, rank, type L2Slot, type ServiceState } from '@herald/speaker';
import { percentile } from './stats.js';

interface Row {
  what: string;
  value: string;
  target: string;
}

const IPS = 10_000;
const NODES = 100;
const REPEATS = 5;

function time<T>(f: () => T): { ms: number; out: T } {
  const t0 = performance.now();
  const out = f();
  return { ms: performance.now() - t0, out };
}

const ms = (xs: number[]): string => `median ${percentile(xs, 50).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (n=${xs.length})`;

export function benchElection(): Promise<{ rows: Row[] }> {
  const nodes = Array.from({ length: NODES }, (_, i) => `worker-${String(i).padStart(3, '0')}.rack${i % 10}.example.net`);
  const ips = Array.from({ length: IPS }, (_, i) => IP.fromBigInt(6, 0x20010db8000000000000000000000000n + BigInt(i + 1)));
  const candidates = nodes.map((name) => ({ name, labels: {} }));
  // Warm-up (JIT, the per-node key cache), then timed runs.
  for (const ip of ips.slice(0, 200)) rank(ip, candidates);
  const rankTimes: number[] = [];
  let rankings: string[][] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t = time(() => ips.map((ip) => rank(ip, candidates).map((x) => x.name)));
    rankTimes.push(t.ms);
    rankings = t.out;
  }
  // Owner pick on a membership change: 10 nodes dead, every IP re-picked.
  const live = new Set(nodes.slice(10));
  const pickTimes: number[] = [];
  for (let r = 0; r < REPEATS; r++) pickTimes.push(time(() => rankings.map((rk) => firstLive(rk, live))).ms);
  // The packet thread's table: a membership change re-picks every IP and yields what moved.
  const table = new OwnerTable(nodes[0]!);
  const slots: L2Slot[] = ips.map((ip, i) => ({ ip: ip.toString(), ranked: rankings[i]!, interfaces: [] }));
  table.setLiveness(new Set(nodes), false);
  table.apply(slots, []);
  const tableTimes: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const dead = new Set(nodes.filter((_, i) => i !== (r % 90) + 1));
    tableTimes.push(time(() => table.setLiveness(dead, false)).ms);
    table.setLiveness(new Set(nodes), false);
  }
  // The old hash: SHA-256 of "node\nip" per pair, on 20,000 pairs, scaled to IPS x NODES.
  const sample = 20_000;
  const sha = time(() => {
    let x = 0n;
    for (let i = 0; i < sample; i++) x ^= createHash('sha256').update(`${nodes[i % NODES]!}\n${ips[i % IPS]!.toString()}`).digest().readBigUInt64BE(0);
    return x;
  });
  const shaFull = (sha.ms / sample) * IPS * NODES;
  // The whole per-IP computation (eligibility, ranking, BGP) through AnnounceState, 10,000 Services.
  const cfg = parseConfig({
    namespace: 'herald-system',
    ipAddressPools: [{ apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p', namespace: 'herald-system' }, spec: { addresses: ['2001:db8::/112'] } }],
    l2Advertisements: [{ apiVersion: 'herald.dev/v1beta1', kind: 'L2Advertisement', metadata: { name: 'l2', namespace: 'herald-system' }, spec: { ipAddressPools: ['p'] } }],
    bgpAdvertisements: [],
    bgpPeers: [],
    communities: [],
  });
  if (!cfg.ok) throw new Error(`bench config invalid: ${JSON.stringify(cfg.errors)}`);
  const state = new AnnounceState(nodes[0]!);
  state.setConfig(cfg.config);
  state.setNodes(nodes.map((name) => ({ name, labels: {}, ready: true, networkUnavailable: false })));
  state.setLiveness(new Set(nodes), false);
  const svc = (i: number): ServiceState => ({
    key: `default/s${i}`,
    info: { namespace: 'default', name: `s${i}`, labels: {}, externalTrafficPolicy: 'Cluster', pool: undefined },
    ips: [ips[i]!],
    endpoints: [{ nodeName: nodes[i % NODES], ready: true, serving: true, terminating: false }],
  });
  const full = time(() => {
    for (let i = 0; i < IPS; i++) state.setService(`default/s${i}`, svc(i));
    let n = 0;
    for (let k = 0; k < 10_000 && state.pending; k++) n += state.step(500).processed;
    return n;
  });
  const one = time(() => {
    state.setService('default/extra', { ...svc(0), key: 'default/extra', ips: [IP.parse('2001:db8::ffff')] });
    return state.step().processed;
  });
  return Promise.resolve({
    rows: [
      { what: `rank ${IPS.toLocaleString('en')} IPs over ${NODES} nodes: every node ordered per IP (main thread, only when the config or a Node's facts change; in 20 ms slices)`, value: ms(rankTimes), target: `previous hash (SHA-256 per pair, same run, scaled from ${sample.toLocaleString('en')} pairs): ${shaFull.toFixed(0)} ms` },
      { what: `L2 election after a membership change: the owner of ${IPS.toLocaleString('en')} IPs over ${NODES} nodes (first live node of each ranking; 10 nodes dead)`, value: ms(pickTimes), target: '< 50 ms' },
      { what: `the packet thread's owner table, ${IPS.toLocaleString('en')} IPs: a node dies, every IP re-picked, the moved ones listed`, value: ms(tableTimes), target: '< 50 ms' },
      { what: `AnnounceState: ${IPS.toLocaleString('en')} L2 Services on ${NODES} nodes from nothing (eligibility, ranking, per IP)`, value: `${full.ms.toFixed(0)} ms for ${full.out} IPs`, target: '-' },
      { what: `AnnounceState: one Service added with ${IPS.toLocaleString('en')} there`, value: `${one.ms.toFixed(2)} ms, ${one.out} IP recomputed`, target: 'flat (1 IP)' },
    ],
  });
}
