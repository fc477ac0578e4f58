// One page of a list, read from a sorted map of "namespace/name" keys (the current store or a
// kept snapshot): the matching objects from `start` on, at most `limit` of them, the key the next
// page starts at, and how many keys remain (only for an unfiltered list, as kube-apiserver).
// Pure: the map is never changed.

import type { SortedMap } from './btree.js';
import type { JsonObject } from './json.js';

export interface PageRequest {
  /** Key prefix of the list: "" for all namespaces, "ns/" for one. */
  readonly prefix: string;
  /** Inclusive start key relative to the prefix (from a continue token). */
  readonly start: string | undefined;
  /** Page size; undefined or 0: everything. */
  readonly limit: number | undefined;
  readonly match: (obj: JsonObject) => boolean;
  /** A label or field selector is set (kube-apiserver then sends no remainingItemCount). */
  readonly filtered: boolean;
}

export interface Page {
  readonly items: JsonObject[];
  /** Start of the next page, relative to the prefix; undefined when this is the last page. */
  readonly next: string | undefined;
  /** Keys after this page (unfiltered lists with a next page only). */
  readonly remaining: number | undefined;
}

/** The smallest string greater than every string that starts with `prefix` (undefined for ""). */
export function prefixEnd(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  return prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
}

export function readPage(tree: SortedMap<string, JsonObject>, req: PageRequest): Page {
  const low = req.prefix + (req.start ?? '');
  const end = prefixEnd(req.prefix);
  const limit = req.limit !== undefined && req.limit > 0 ? req.limit : Infinity;
  const items: JsonObject[] = [];
  let lastKey: string | undefined;
  for (const [k, v] of tree.entries(low)) {
    if (end !== undefined && k >= end) break;
    if (items.length >= limit) {
      // There is at least one more key: this page ends at lastKey.
      const next = `${(lastKey ?? '').slice(req.prefix.length)}\u0000`;
      const remaining = req.filtered ? undefined : countFrom(tree, req.prefix + next, end);
      return { items, next, remaining };
    }
    lastKey = k;
    if (req.match(v)) items.push(v);
  }
  return { items, next: undefined, remaining: undefined };
}

function countFrom(tree: SortedMap<string, JsonObject>, low: string, end: string | undefined): number {
  if (end !== undefined) return tree.forRange(low, end, false);
  let n = 0;
  for (const _ of tree.keys(low)) n++;
  return n;
}
