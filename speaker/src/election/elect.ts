// L2 election, per IP, pure. Among the eligible live nodes, the owner is the one with the
// highest preferredNodeSelectors score, then the lowest rendezvous hash of (node, IP), then the
// lowest name (a 64-bit tie, for completeness). Every speaker computes the same owner from the
// same inputs; adding or removing a node only moves the IPs that hash to it. Every node that is
// not chosen gets a reason value, so tests and Events say why.
import type { Labels, Selector } from '@herald/shared/config';
import type { IP } from '@herald/shared/net';
import { rendezvousHash } from './hash.js';

/** Why a node is not eligible; filled in by the eligibility module (or any caller). */
export interface Ineligible {
  readonly type: string;
}

export interface Candidate<R extends Ineligible = Ineligible> {
  readonly name: string;
  readonly labels: Labels;
  /** undefined: eligible; otherwise why not. */
  readonly ineligible?: R | undefined;
}

export type NotChosen<R extends Ineligible = Ineligible> =
  | { readonly type: 'not-eligible'; readonly reason: R }
  | { readonly type: 'outranked'; readonly by: string; readonly cause: 'preference' | 'hash'; readonly score: number; readonly ownerScore: number };

export interface Election<R extends Ineligible = Ineligible> {
  readonly ip: IP;
  /** undefined when no node is eligible. */
  readonly owner: string | undefined;
  /** Every candidate that is not the owner, by name. */
  readonly notChosen: ReadonlyMap<string, NotChosen<R>>;
}

/** How many of the preferred selectors match labels. */
export function preferenceScore(labels: Labels, preferred: readonly Selector[]): number {
  let n = 0;
  for (const s of preferred) if (s.matches(labels)) n++;
  return n;
}

interface Ranked {
  readonly name: string;
  readonly score: number;
  readonly hash: bigint;
}

function better(a: Ranked, b: Ranked): boolean {
  if (a.score !== b.score) return a.score > b.score;
  if (a.hash !== b.hash) return a.hash < b.hash;
  return a.name < b.name;
}

export function elect<R extends Ineligible>(ip: IP, candidates: readonly Candidate<R>[], preferred: readonly Selector[] = []): Election<R> {
  const notChosen = new Map<string, NotChosen<R>>();
  const ranked: Ranked[] = [];
  for (const c of candidates) {
    if (c.ineligible) notChosen.set(c.name, { type: 'not-eligible', reason: c.ineligible });
    else ranked.push({ name: c.name, score: preferenceScore(c.labels, preferred), hash: rendezvousHash(c.name, ip) });
  }
  let best: Ranked | undefined;
  for (const r of ranked) if (!best || better(r, best)) best = r;
  if (best) {
    for (const r of ranked) {
      if (r === best) continue;
      notChosen.set(r.name, { type: 'outranked', by: best.name, cause: r.score < best.score ? 'preference' : 'hash', score: r.score, ownerScore: best.score });
    }
  }
  return { ip, owner: best?.name, notChosen };
}

/** The IPs (of those given) that `node` owns, electing each independently. */
export function ownedBy<R extends Ineligible>(node: string, ips: readonly IP[], candidatesFor: (ip: IP) => readonly Candidate<R>[], preferredFor: (ip: IP) => readonly Selector[] = () => []): IP[] {
  return ips.filter((ip) => elect(ip, candidatesFor(ip), preferredFor(ip)).owner === node);
}
