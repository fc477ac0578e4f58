// The bulk L2 ranking, pure: per IP only the best K nodes of its candidate group, in exactly
// compareRanked's order (tier, then score, then the rendezvous hash, then the name), and the
// exact fallback for when all K are dead: the best live node of the whole group, which is the
// first live node of the full ranking (the K best are not live, so the first live one is the
// best live one). So K changes how much work and memory a ranking costs, never who owns an IP.
//
// Why K = 8. An IP needs the fallback only when all K of its best nodes are down at once. With
// rendezvous hashing those K are a uniform random K-subset of the group, so with f of n nodes
// down the chance is C(f,K)/C(n,K) < (f/n)^K: 1e-8 per IP for 10 of 100 nodes, 7e-5 for a 30%
// rack failure, and the fallback for such an IP costs one hash per group node (~2 µs at 100).
// The ranking costs one hash per node whatever K is, plus ~K·ln(n/K) insertions into a K-long
// buffer; the slot sent to the packet thread grows by 2 bytes per K. Preferences are the one
// case where the K best are not spread (preferredNodeSelectors on one rack of 8 nodes puts that
// rack first for every IP): then a whole-rack failure sends every IP to the fallback, which
// costs one pass over the group per IP (~20 ms for 10,000 IPs over 100 nodes) and is still exact.
//
// No per-pair allocation: a group is prepared once (per-node hash seed, a class number for
// (tier, score), the name's rank), then each IP is one pass of typed-array arithmetic into a
// K-long insertion buffer; only the K indices returned are allocated.
import type { IP } from '@herald/shared/net';
import type { CandidateGroup } from './candidate-group.js';
import { familySeed, ipWords, mixedHash, mixK, nodeKey, nodeSeed } from './hash.js';

/** How many of each IP's best nodes a bulk ranking keeps (see above). */
export const TOP_K = 8;

interface Prepared {
  /** Per node: the Murmur3 state after its key and the IP family word, for IPv4 and for IPv6. */
  readonly seeds4: Int32Array;
  readonly seeds6: Int32Array;
  /** Per node: its (tier, score) class, best 0, times 2^32, so class·2^32 + hash orders both. */
  readonly cls: Float64Array;
  /** Per node: the rank of its name among the group's names (the last tie-break). */
  readonly nameRank: Int32Array;
}

const prepared = new WeakMap<CandidateGroup, Prepared>();
const TWO32 = 4294967296;

function prepare(g: CandidateGroup): Prepared {
  let p = prepared.get(g);
  if (p) return p;
  const n = g.names.length;
  const seeds4 = new Int32Array(n);
  const seeds6 = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const seed = nodeSeed(nodeKey(g.names[i]!));
    seeds4[i] = familySeed(seed, 4);
    seeds6[i] = familySeed(seed, 6);
  }
  // Classes: distinct (tier, score) pairs, tier descending then score descending.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => g.tiers[b]! - g.tiers[a]! || g.scores[b]! - g.scores[a]!);
  const cls = new Float64Array(n);
  let c = 0;
  for (let j = 0; j < n; j++) {
    const i = order[j]!;
    const prev = j > 0 ? order[j - 1]! : -1;
    if (prev >= 0 && (g.tiers[i] !== g.tiers[prev] || g.scores[i] !== g.scores[prev])) c++;
    cls[i] = c * TWO32;
  }
  const byName = Array.from({ length: n }, (_, i) => i).sort((a, b) => (g.names[a]! < g.names[b]! ? -1 : g.names[a]! > g.names[b]! ? 1 : 0));
  const nameRank = new Int32Array(n);
  for (let j = 0; j < n; j++) nameRank[byName[j]!] = j;
  p = { seeds4, seeds6, cls, nameRank };
  prepared.set(g, p);
  return p;
}

let keyBuf = new Float64Array(64);
let idxBuf = new Int32Array(64);

/**
 * The best `k` nodes of the group for this IP, best first, as indices into `group.names`:
 * exactly the first k of rank() over the same nodes. k >= the group's size: the full ranking.
 */
export function topK(ip: IP, group: CandidateGroup, k: number = TOP_K): Uint16Array {
  const p = prepare(group);
  const n = group.names.length;
  const m = Math.max(0, Math.min(Math.floor(k), n));
  if (m > keyBuf.length) {
    keyBuf = new Float64Array(m);
    idxBuf = new Int32Array(m);
  }
  const keys = keyBuf;
  const idx = idxBuf;
  const { cls, nameRank } = p;
  const w = ipWords(ip);
  const seeds = w[0] === 4 ? p.seeds4 : p.seeds6;
  const k1 = mixK(w[1]!);
  const k2 = mixK(w[2]!);
  const k3 = mixK(w[3]!);
  const k4 = mixK(w[4]!);
  let c = 0;
  // keys[0..c) ascending; `worst` is keys[m - 1] once the buffer is full (before: Infinity, so
  // every node goes in). Most nodes are turned away by the first comparison.
  let worst = m > 0 ? Infinity : -Infinity;
  for (let i = 0; i < n; i++) {
    const key = cls[i]! + mixedHash(seeds[i]!, k1, k2, k3, k4);
    if (key > worst) continue;
    const nr = nameRank[i]!;
    let j: number;
    if (c === m) {
      if (key === worst && nr > nameRank[idx[m - 1]!]!) continue;
      j = m - 1;
    } else j = c++;
    while (j > 0) {
      const pk = keys[j - 1]!;
      if (pk < key || (pk === key && nameRank[idx[j - 1]!]! < nr)) break;
      keys[j] = pk;
      idx[j] = idx[j - 1]!;
      j--;
    }
    keys[j] = key;
    idx[j] = i;
    if (c === m) worst = keys[m - 1]!;
  }
  const out = new Uint16Array(c);
  for (let j = 0; j < c; j++) out[j] = idx[j]!;
  return out;
}

/** The best node of the group for this IP among those `ok` accepts (undefined: none). */
export function bestOf(ip: IP, group: CandidateGroup, ok: (name: string) => boolean): string | undefined {
  const p = prepare(group);
  const { cls, nameRank } = p;
  const w = ipWords(ip);
  const seeds = w[0] === 4 ? p.seeds4 : p.seeds6;
  const k1 = mixK(w[1]!);
  const k2 = mixK(w[2]!);
  const k3 = mixK(w[3]!);
  const k4 = mixK(w[4]!);
  let best = -1;
  let bestKey = Infinity;
  for (let i = 0; i < group.names.length; i++) {
    if (!ok(group.names[i]!)) continue;
    const key = cls[i]! + mixedHash(seeds[i]!, k1, k2, k3, k4);
    if (key < bestKey || (key === bestKey && nameRank[i]! < nameRank[best]!)) {
      best = i;
      bestKey = key;
    }
  }
  return best < 0 ? undefined : group.names[best];
}

/**
 * The owner: the first of `top` (the group's best nodes for this IP, best first) that `ok`
 * accepts; when none does and `top` is not the whole group, the best accepted node of the group.
 * Either way, the first accepted node of the IP's full ranking.
 */
export function pickOwner(ip: IP, top: ArrayLike<number>, group: CandidateGroup, ok: (name: string) => boolean): string | undefined {
  for (let j = 0; j < top.length; j++) {
    const name = group.names[top[j]!]!;
    if (ok(name)) return name;
  }
  return top.length >= group.names.length ? undefined : bestOf(ip, group, ok);
}

/** True when no node of `top` is accepted and the owner comes from the fallback (metrics, benches). */
export function exhausted(top: ArrayLike<number>, group: CandidateGroup, ok: (name: string) => boolean): boolean {
  for (let j = 0; j < top.length; j++) if (ok(group.names[top[j]!]!)) return false;
  return top.length < group.names.length;
}
