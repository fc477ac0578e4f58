// Finds the lowest free address of one pool range without walking the used ones each time.
//
// Everything at or above `cursor` is free unless `isUsed` says otherwise (addresses taken by
// request, skipped once as the cursor passes them). Every free address below the cursor is in
// `holes`, a min-heap that may also hold stale entries (freed, then taken again by request);
// stale entries are dropped when they reach the top. So finding the lowest free address is
// amortised O(1) for the cursor and O(log n) per hole, and an IPv6 /64 is never materialised.
import type { IPRange } from '@herald/shared/net';
import { BigIntMinHeap } from './min-heap.js';

/** IPv4 addresses ending in .0 or .255 (MetalLB's ipConfusesBuggyFirmwares). */
export function isBuggyValue(family: 4 | 6, v: bigint): boolean {
  if (family !== 4) return false;
  const low = v & 0xffn;
  return low === 0n || low === 0xffn;
}

/** How many values in [first, last] are congruent to r modulo 256. */
function countCongruent(first: bigint, last: bigint, r: bigint): bigint {
  // Values v = 256k + r with first <= v <= last.
  const upTo = (x: bigint): bigint => (x < r ? 0n : (x - r) / 256n + 1n);
  return upTo(last) - (first === 0n ? 0n : upTo(first - 1n));
}

/** Addresses of a range that allocation may hand out (buggy ones excluded when avoided). */
export function usableCount(range: IPRange, avoidBuggyIPs: boolean): bigint {
  const size = range.size;
  if (!avoidBuggyIPs || range.family !== 4) return size;
  const first = range.first.value;
  const last = range.last.value;
  return size - countCongruent(first, last, 0n) - countCongruent(first, last, 255n);
}

export class RangeCursor {
  private cursor: bigint;
  private readonly holes = new BigIntMinHeap();
  private readonly first: bigint;
  private readonly last: bigint;

  constructor(
    readonly range: IPRange,
    private readonly avoidBuggyIPs: boolean,
    private readonly isUsed: (v: bigint) => boolean,
  ) {
    this.first = range.first.value;
    this.last = range.last.value;
    this.cursor = this.first;
  }

  private skip(v: bigint): boolean {
    return this.isUsed(v) || (this.avoidBuggyIPs && isBuggyValue(this.range.family, v));
  }

  /** The lowest free address value, or undefined if the range is full. Does not take it. */
  lowestFree(): bigint | undefined {
    for (let top = this.holes.peek(); top !== undefined; top = this.holes.peek()) {
      if (!this.skip(top)) return top;
      this.holes.pop();
    }
    while (this.cursor <= this.last && this.skip(this.cursor)) this.cursor++;
    return this.cursor <= this.last ? this.cursor : undefined;
  }

  /** Tell the cursor that an address of this range became free. */
  freed(v: bigint): void {
    if (v < this.first || v > this.last || v >= this.cursor) return;
    if (this.avoidBuggyIPs && isBuggyValue(this.range.family, v)) return;
    this.holes.push(v);
  }
}
