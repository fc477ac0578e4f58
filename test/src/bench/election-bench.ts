// make bench, area 'election': the L2 election at scale, in process. 10,000 IPs over 100 nodes:
//   - ranking every IP (what the speaker's main thread does when the config or a Node changes):
//     the bulk path (candidate group + top-K, election/top-k.ts) beside the full ranking it
//     replaced (rank(): every node ordered per IP), and the hashes alone, all in the same run;
//   - the owner re-pick the packet thread does on a membership change (OwnerTable), with 10
//     nodes dead, and with so many dead that 5% of the IPs have all K best dead (the fallback),
//     beside the old re-pick (first live node of each full ranking) in the same run;
//   - the size of the message that carries every slot to the packet thread, before and after;
//   - the whole per-IP computation through AnnounceState with 10,000 Services.
// Bounded: fixed sizes, a fixed number of repeats, and a time cap per row.
import { serialize, deserialize } from 'node:v8';
import { IP, parseConfig } from '@herald/shared';
import { AnnounceState, GroupInterner, OwnerTable, TOP_K, exhausted, firstLive, ipWords, nodeKey, nodeSeed, rank, seededHash, topK, type CandidateGroup, type L2Slot, type ServiceState } from '@herald/speaker';
import { summary } from '@herald/bench/stats';

interface Row {
  what: string;
  value: string;
  target: string;
}

const IPS = 10_000;
const NODES = 100;
const REPEATS = 20;
/** No row repeats past this (at least 3 samples are taken). */
const ROW_CAP_MS = 60_000;

function time<T>(f: () => T): { ms: number; out: T } {
  const t0 = performance.now();
  const out = f();
  return { ms: performance.now() - t0, out };
}

/** Up to `n` timed runs of f, fewer if they pass ROW_CAP_MS (never fewer than 3). */
function repeat(n: number, f: (r: number) => void): number[] {
  const xs: number[] = [];
  const t0 = performance.now();
  for (let r = 0; r < n && (r < 3 || performance.now() - t0 < ROW_CAP_MS); r++) xs.push(time(() => f(r)).ms);
  return xs;
}

const kb = (n: number): string => `${(n / 1024).toFixed(0)} KiB`;

export function benchElection(): Promise<{ rows: Row[] }> {
  const nodes = Array.from({ length: NODES }, (_, i) => `worker-${String(i).padStart(3, '0')}.rack${i % 10}.example.net`);
  const ips = Array.from({ length: IPS }, (_, i) => IP.fromBigInt(6, 0x20010db8000000000000000000000000n + BigInt(i + 1)));
  const candidates = nodes.map((name) => ({ name, labels: {}, tier: 1 }));

  // The bulk path, as l2-rank.ts runs it per IP: the candidate group (interned), then its top K.
  const groups = new GroupInterner();
  const bulk = (): L2Slot[] =>
    ips.map((ip) => {
      groups.begin();
      for (const c of candidates) groups.add(c.name, c.tier, 0);
      const group = groups.end();
      return { ip: ip.toString(), top: topK(ip, group), group, interfaces: [] };
    });
  const slots0Group = (): CandidateGroup => {
    groups.begin();
    for (const c of candidates) groups.add(c.name, c.tier, 0);
    return groups.end();
  };
  // Warm-up (JIT, the node key cache), then timed runs.
  for (const ip of ips.slice(0, 300)) rank(ip, candidates);
  bulk();
  let slots: L2Slot[] = [];
  let rankings: string[][] = [];
  const fullTimes: number[] = [];
  const topTimes: number[] = [];
  const hashTimes: number[] = [];
  const topOnlyTimes: number[] = [];
  const oneGroup = slots0Group();
  const seeds = Int32Array.from(nodes, (n) => nodeSeed(nodeKey(n)));
  let sink = 0;
  // Each path in its own phase (interleaved, the full ranking's million objects were collected
  // during the next bulk run and billed to it), all in the same run.
  fullTimes.push(
    ...repeat(REPEATS, () => {
      rankings = ips.map((ip) => rank(ip, candidates).map((x) => x.name));
    }),
  );
  topTimes.push(
    ...repeat(REPEATS, () => {
      slots = bulk();
    }),
  );
  topOnlyTimes.push(...repeat(REPEATS, () => void ips.map((ip) => topK(ip, oneGroup))));
  hashTimes.push(
    ...repeat(REPEATS, () => {
      for (const ip of ips) {
        const w = ipWords(ip);
        for (let i = 0; i < NODES; i++) sink ^= seededHash(seeds[i]!, w);
      }
    }),
  );
  if (sink === 0.5) throw new Error('unreachable (keeps the hash loop alive)');
  // The bulk path is exact: its K are the full ranking's first K (checked on every IP).
  slots.forEach((s, i) => {
    const names = Array.from(s.top, (x) => s.group.names[x]);
    if (names.join() !== rankings[i]!.slice(0, TOP_K).join()) throw new Error(`top-K differs from the full ranking for ${s.ip}`);
  });

  // Re-pick on a membership change. 10 dead; then enough dead (in a fixed order) that 5% of the
  // IPs have all K best dead, so their owner comes from the fallback.
  const all = new Set(nodes);
  const dead10 = new Set(nodes.filter((_, i) => i % 10 === 3));
  const order = nodes.map((n, i) => ({ n, k: (i * 37) % NODES })).sort((a, b) => a.k - b.k).map((x) => x.n);
  let deadMany = new Set<string>();
  let exhaustedCount = 0;
  for (const n of order) {
    deadMany.add(n);
    const ok = (x: string): boolean => !deadMany.has(x);
    exhaustedCount = slots.filter((s) => exhausted(s.top, s.group, ok)).length;
    if (exhaustedCount >= IPS * 0.05) break;
  }
  deadMany = new Set(deadMany);
  const liveMany = new Set(nodes.filter((n) => !deadMany.has(n)));
  const live10 = new Set(nodes.filter((n) => !dead10.has(n)));
  const table = new OwnerTable(nodes[0]!);
  table.setLiveness(all, false);
  table.apply(slots, []);
  const pick = (live: ReadonlySet<string>): number[] =>
    repeat(REPEATS, () => {
      table.setLiveness(live, false);
      table.setLiveness(all, false);
    }).map((x) => x / 2);
  const pick10 = pick(live10);
  const pickMany = pick(liveMany);
  // The old re-pick (first live node of each full ranking), same run.
  const oldPick = (live: ReadonlySet<string>): number[] => repeat(REPEATS, () => rankings.map((rk) => firstLive(rk, live)));
  const oldPick10 = oldPick(live10);
  const oldPickMany = oldPick(liveMany);
  // And both give the same owners.
  table.setLiveness(liveMany, false);
  ips.forEach((ip, i) => {
    if (table.ownerOf(ip.toString()) !== firstLive(rankings[i]!, liveMany)) throw new Error(`fallback owner differs for ${ip.toString()}`);
  });

  // The message that carries every slot to the packet thread (structured clone = v8 serialize).
  const msgNew = { type: 'l2', upserts: slots, removes: [] };
  const msgOld = { type: 'l2', upserts: ips.map((ip, i) => ({ ip: ip.toString(), ranked: rankings[i]!, interfaces: [] })), removes: [] };
  const bytesNew = serialize(msgNew).length;
  const bytesOld = serialize(msgOld).length;
  const cloneNew = repeat(5, () => void deserialize(serialize(msgNew)));
  const cloneOld = repeat(5, () => void deserialize(serialize(msgOld)));

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
  state.setLiveness(all, false);
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
  const stateMany = repeat(REPEATS, () => {
    state.setLiveness(liveMany, false);
    state.step();
    state.setLiveness(all, false);
    state.step();
  }).map((x) => x / 2);

  const n = `${IPS.toLocaleString('en')} IPs over ${NODES} nodes`;
  return Promise.resolve({
    rows: [
      { what: `rank ${n}, full (the old bulk path: every node ordered per IP; kept for explain/Events)`, value: summary(fullTimes), target: `reference for the row below; the hashes alone (pairHash from a node seed, 1M pairs, same run): ${summary(hashTimes)}` },
      { what: `rank ${n}, bulk: candidate group (interned) + top ${TOP_K} per IP, exactly the full order's first ${TOP_K} (main thread, on a config or Node change)`, value: summary(topTimes), target: '< 50 ms (issue 12); full ranking above' },
      { what: `rank ${n}: top ${TOP_K} alone (the election, one prepared group; the row above adds building and interning each IP's group from its candidates)`, value: summary(topOnlyTimes), target: '< 50 ms' },
      { what: `packet thread's OwnerTable, ${n}: re-pick on a membership change, 10 nodes dead`, value: summary(pick10), target: `old re-pick (first live of each full ranking), same run: ${summary(oldPick10)}` },
      { what: `same, ${deadMany.size} nodes dead: ${exhaustedCount.toLocaleString('en')} IPs (${((100 * exhaustedCount) / IPS).toFixed(1)}%) have all ${TOP_K} best dead and are ranked over their group's live nodes (fallback)`, value: summary(pickMany), target: `old re-pick, same run: ${summary(oldPickMany)}; < 50 ms` },
      { what: `AnnounceState (main thread) re-pick, ${deadMany.size} nodes dead, the same fallback`, value: summary(stateMany), target: '< 50 ms' },
      { what: `message to the packet thread with every slot, ${n} (v8 structured-clone bytes; serialize + deserialize time)`, value: `${kb(bytesNew)}; ${summary(cloneNew)}`, target: `full rankings (before): ${kb(bytesOld)}; ${summary(cloneOld)}` },
      { what: `AnnounceState: ${IPS.toLocaleString('en')} L2 Services on ${NODES} nodes from nothing (eligibility, ranking, per IP)`, value: `${full.ms.toFixed(0)} ms for ${full.out} IPs`, target: '-' },
      { what: `AnnounceState: one Service added with ${IPS.toLocaleString('en')} there`, value: `${one.ms.toFixed(2)} ms, ${one.out} IP recomputed`, target: 'flat (1 IP)' },
    ],
  });
}
