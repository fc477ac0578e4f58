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
 * built (a new one on a miss). A hit allocates nothing. The last group returned is checked as
 * the nodes come (a string compare each: IPs come in runs of one group), and only a miss hashes
 * the scratch (the names' cached node keys) to find the group in a table. Bounded: past
 * `maxGroups` the table forgets every group it knew.
 */
export class GroupInterner {
  private readonly buckets = new Map<number, CandidateGroup[]>();
  private count = 0;
  private names: string[] = [];
  private tiers: number[] = [];
  private scores: number[] = [];
  private n = 0;
  private last: CandidateGroup | undefined;
  /** The scratch so far equals the first `n` nodes of `last`. */
  private same = false;

  constructor(private readonly maxGroups = 4096) {}

  /** How many groups it holds. */
  get size(): number {
    return this.count;
  }

  begin(): void {
    this.n = 0;
    this.same = this.last !== undefined;
  }

  add(name: string, tier: number, score: number): void {
    const i = this.n++;
    if (this.same) {
      const l = this.last!;
      if (i < l.names.length && l.names[i] === name && l.tiers[i] === tier && l.scores[i] === score) return;
      // The first difference: the scratch gets the common prefix, then goes its own way.
      this.same = false;
      for (let j = 0; j < i; j++) {
        this.names[j] = l.names[j]!;
        this.tiers[j] = l.tiers[j]!;
        this.scores[j] = l.scores[j]!;
      }
    }
    this.names[i] = name;
    this.tiers[i] = tier;
    this.scores[i] = score;
  }

  end(): CandidateGroup {
    const n = this.n;
    if (this.same) {
      const l = this.last!;
      if (l.names.length === n) return l;
      // A strict prefix of the last group: the scratch gets it.
      for (let j = 0; j < n; j++) {
        this.names[j] = l.names[j]!;
        this.tiers[j] = l.tiers[j]!;
        this.scores[j] = l.scores[j]!;
      }
    }
    let h = 0x9747b28c;
    for (let i = 0; i < n; i++) h = mix(mix(mix(h, nodeKey(this.names[i]!)[0]), this.tiers[i]! | 0), this.scores[i]! | 0);
    const key = mix(h, n) >>> 0;
    const bucket = this.buckets.get(key);
    if (bucket) {
      for (const g of bucket) {
        if (this.matches(g)) {
          this.last = g;
          return g;
        }
      }
    }
    const g: CandidateGroup = { names: this.names.slice(0, n), tiers: this.tiers.slice(0, n), scores: this.scores.slice(0, n) };
    if (this.count >= this.maxGroups) {
      this.buckets.clear();
      this.count = 0;
    }
    const b = this.buckets.get(key);
    if (b) b.push(g);
    else this.buckets.set(key, [g]);
    this.count++;
    this.last = g;
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
