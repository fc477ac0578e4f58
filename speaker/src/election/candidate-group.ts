// Candidate groups, pure. A group is the set of eligible nodes of an IP with what ranks each
// (tier, preferredNodeSelectors score): everything rank() needs but the IP itself. IPs share a
// handful of groups (one per L2Advertisement / endpoint layout: with ETP Cluster, usually one for
// every IP), so a group is built once and shared by reference: the bulk ranking prepares it once
// (ranking.ts), and a message to the packet thread that carries 10,000 slots of one group
// carries the group once (structured clone keeps shared references shared).
//
// The interner is what makes equal groups the same object. It is a cache, not a source of truth:
// when it overflows it starts afresh, and two equal groups that are different objects are still
// equal (sameGroup compares contents), so nothing depends on a hit.
import { nodeKey } from './hash.js';

export interface CandidateGroup {
  /** The eligible nodes (unique names), in the order they were added. */
  readonly names: readonly string[];
  /** Per node (same index): its tier; a higher tier ranks first. */
  readonly tiers: readonly number[];
  /** Per node: its preferredNodeSelectors score; a higher score ranks first within a tier. */
  readonly scores: readonly number[];
}

/** Why a group (plain data from another thread) cannot be used. */
export type GroupProblem =
  | { readonly type: 'not-arrays' }
  | { readonly type: 'length-mismatch'; readonly names: number; readonly tiers: number; readonly scores: number }
  | { readonly type: 'too-large'; readonly size: number; readonly max: number }
  | { readonly type: 'bad-name'; readonly index: number }
  | { readonly type: 'duplicate-name'; readonly name: string }
  | { readonly type: 'bad-number'; readonly field: 'tiers' | 'scores'; readonly index: number };

/** Rankings index a group with 16 bits (Kubernetes supports 5,000 nodes). */
export const MAX_GROUP_SIZE = 0xffff;

export function groupProblem(g: CandidateGroup): GroupProblem | undefined {
  if (!Array.isArray(g.names) || !Array.isArray(g.tiers) || !Array.isArray(g.scores)) return { type: 'not-arrays' };
  const n = g.names.length;
  if (g.tiers.length !== n || g.scores.length !== n) return { type: 'length-mismatch', names: n, tiers: g.tiers.length, scores: g.scores.length };
  if (n > MAX_GROUP_SIZE) return { type: 'too-large', size: n, max: MAX_GROUP_SIZE };
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const name: unknown = g.names[i];
    if (typeof name !== 'string' || name === '') return { type: 'bad-name', index: i };
    if (seen.has(name)) return { type: 'duplicate-name', name };
    seen.add(name);
    if (!Number.isFinite(g.tiers[i])) return { type: 'bad-number', field: 'tiers', index: i };
    if (!Number.isFinite(g.scores[i])) return { type: 'bad-number', field: 'scores', index: i };
  }
  return undefined;
}

/** Same nodes, tiers and scores, in the same order. */
export function sameGroup(a: CandidateGroup, b: CandidateGroup): boolean {
  if (a === b) return true;
  const n = a.names.length;
  if (b.names.length !== n) return false;
  for (let i = 0; i < n; i++) if (a.names[i] !== b.names[i] || a.tiers[i] !== b.tiers[i] || a.scores[i] !== b.scores[i]) return false;
  return true;
}

/** A group from parallel lists (tests, one-off callers); `intern` shares equal ones. */
export function candidateGroup(names: readonly string[], tiers?: readonly number[], scores?: readonly number[]): CandidateGroup {
  return { names: [...names], tiers: tiers ? [...tiers] : names.map(() => 0), scores: scores ? [...scores] : names.map(() => 0) };
}

function mix(h: number, k: number): number {
  h = Math.imul(h ^ k, 0x5bd1e995);
  return h ^ (h >>> 15);
}

/**
 * Builds groups node by node into scratch space and returns the shared group equal to what was
 * built (a new one on a miss). A hit allocates nothing. Bounded: past `maxGroups` it forgets
 * every group it knew.
 */
export class GroupInterner {
  private readonly buckets = new Map<number, CandidateGroup[]>();
  private count = 0;
  private names: string[] = [];
  private tiers: number[] = [];
  private scores: number[] = [];
  private n = 0;
  private h = 0;

  constructor(private readonly maxGroups = 4096) {}

  /** How many groups it holds. */
  get size(): number {
    return this.count;
  }

  begin(): void {
    this.n = 0;
    this.h = 0x9747b28c;
  }

  add(name: string, tier: number, score: number): void {
    const i = this.n++;
    this.names[i] = name;
    this.tiers[i] = tier;
    this.scores[i] = score;
    // The bucket key reads the cached node key (a name hashes once per process), not the text.
    const k = nodeKey(name);
    this.h = mix(mix(mix(this.h, k[0]), tier | 0), score | 0);
  }

  end(): CandidateGroup {
    const key = mix(this.h, this.n) >>> 0;
    const bucket = this.buckets.get(key);
    if (bucket) for (const g of bucket) if (this.matches(g)) return g;
    const g: CandidateGroup = { names: this.names.slice(0, this.n), tiers: this.tiers.slice(0, this.n), scores: this.scores.slice(0, this.n) };
    if (this.count >= this.maxGroups) {
      this.buckets.clear();
      this.count = 0;
    }
    const b = this.buckets.get(key);
    if (b) b.push(g);
    else this.buckets.set(key, [g]);
    this.count++;
    return g;
  }

  /** The shared group for these lists. */
  intern(names: readonly string[], tiers: readonly number[], scores: readonly number[]): CandidateGroup {
    this.begin();
    for (let i = 0; i < names.length; i++) this.add(names[i]!, tiers[i] ?? 0, scores[i] ?? 0);
    return this.end();
  }

  private matches(g: CandidateGroup): boolean {
    const n = this.n;
    if (g.names.length !== n) return false;
    for (let i = 0; i < n; i++) if (g.names[i] !== this.names[i] || g.tiers[i] !== this.tiers[i] || g.scores[i] !== this.scores[i]) return false;
    return true;
  }
}
