// One pool as the allocator sees it: its ranges with a free-address cursor each, and counts.
import type { Pool } from '@herald/shared/config';
import type { Family, IP } from '@herald/shared/net';
import { RangeCursor, isBuggyValue, usableCount } from './range-cursor.js';

export type Coverage = 'yes' | 'no' | 'buggy-ip-avoided';

export class PoolIndex {
  private readonly cursors: { readonly 4: RangeCursor[]; readonly 6: RangeCursor[] } = { 4: [], 6: [] };
  readonly total: { 4: bigint; 6: bigint } = { 4: 0n, 6: 0n };
  /** Distinct addresses of this pool held by at least one Service. */
  readonly assigned: { 4: bigint; 6: bigint } = { 4: 0n, 6: 0n };

  constructor(
    readonly pool: Pool,
    isUsed: (family: Family, v: bigint) => boolean,
  ) {
    for (const r of pool.ranges) {
      const f = r.family;
      this.cursors[f].push(new RangeCursor(r, pool.avoidBuggyIPs, (v) => isUsed(f, v)));
      this.total[f] += usableCount(r, pool.avoidBuggyIPs);
    }
  }

  get name(): string {
    return this.pool.name;
  }

  hasFamily(f: Family): boolean {
    return this.cursors[f].length > 0;
  }

  coverage(ip: IP): Coverage {
    const v = ip.value;
    for (const c of this.cursors[ip.family]) {
      if (v >= c.range.first.value && v <= c.range.last.value) {
        return this.pool.avoidBuggyIPs && isBuggyValue(ip.family, v) ? 'buggy-ip-avoided' : 'yes';
      }
    }
    return 'no';
  }

  covers(ip: IP): boolean {
    return this.coverage(ip) === 'yes';
  }

  /** The lowest free address of the family, ranges in the order the pool lists them. */
  lowestFree(f: Family): bigint | undefined {
    for (const c of this.cursors[f]) {
      const v = c.lowestFree();
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** An address covered by this pool went from held to free. */
  freed(ip: IP): void {
    for (const c of this.cursors[ip.family]) c.freed(ip.value);
  }
}
