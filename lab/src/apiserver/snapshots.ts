// Snapshots a paged list reads from: the objects of one resource as they were at a
// resourceVersion, kept as an O(1) copy-on-write clone of the store's sorted map. Like etcd's
// compaction, a snapshot goes after a while (5 minutes by default), when too many are kept, or
// when too much was written since it was taken (what it pins in memory grows with that).
// Pure: time comes in as an argument.

import type { SortedMap } from './btree.js';
import type { JsonObject } from './json.js';

export interface SnapshotLimits {
  /** How long a snapshot lives (kube-apiserver's etcd compaction interval is 5 min). */
  readonly ttlMs: number;
  /** At most this many snapshots in the whole store (the oldest go first). */
  readonly maxCount: number;
  /** A snapshot goes once this many bytes of objects were committed after it. */
  readonly maxBytesAfter: number;
}

export const defaultSnapshotLimits: SnapshotLimits = { ttlMs: 5 * 60_000, maxCount: 64, maxBytesAfter: 256 * 1024 * 1024 };

interface Snapshot {
  readonly storeKey: string;
  readonly rv: number;
  readonly tree: SortedMap<string, JsonObject>;
  readonly takenAt: number;
  /** The store's committed-bytes counter when it was taken. */
  readonly bytesAt: number;
}

/** Why a snapshot is gone (for logs and tests). */
export type SnapshotEviction = 'age' | 'count' | 'bytes' | 'dropped';

export class SnapshotSet {
  /** Oldest first. */
  private readonly kept: Snapshot[] = [];
  readonly evictions: Record<SnapshotEviction, number> = { age: 0, count: 0, bytes: 0, dropped: 0 };

  constructor(private readonly limits: SnapshotLimits) {}

  get size(): number {
    return this.kept.length;
  }

  /** Keeps `tree` (already cloned) as the snapshot of storeKey at rv, unless one exists. */
  keep(storeKey: string, rv: number, tree: () => SortedMap<string, JsonObject>, now: number, bytes: number): void {
    this.sweep(now, bytes);
    if (this.kept.some((s) => s.storeKey === storeKey && s.rv === rv)) return;
    this.kept.push({ storeKey, rv, tree: tree(), takenAt: now, bytesAt: bytes });
    while (this.kept.length > this.limits.maxCount) {
      this.kept.shift();
      this.evictions.count++;
    }
  }

  /** The snapshot of storeKey at rv, or undefined if there is none (never kept, or evicted). */
  find(storeKey: string, rv: number, now: number, bytes: number): SortedMap<string, JsonObject> | undefined {
    this.sweep(now, bytes);
    return this.kept.find((s) => s.storeKey === storeKey && s.rv === rv)?.tree;
  }

  /** Drops every snapshot of a resource (its CRD was deleted). */
  drop(storeKey: string): void {
    for (let i = this.kept.length - 1; i >= 0; i--) {
      if (this.kept[i]?.storeKey === storeKey) {
        this.kept.splice(i, 1);
        this.evictions.dropped++;
      }
    }
  }

  /** Evicts what is too old or pins too much; cheap when nothing is due (checks the oldest). */
  sweep(now: number, bytes: number): void {
    for (;;) {
      const s = this.kept[0];
      if (s === undefined) return;
      if (now - s.takenAt > this.limits.ttlMs) this.evictions.age++;
      else if (bytes - s.bytesAt > this.limits.maxBytesAfter) this.evictions.bytes++;
      else return;
      this.kept.shift();
    }
  }
}
