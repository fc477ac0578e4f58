// Which L2 IPs this node owns, from precomputed rankings and the live set. Pure and
// incremental: the bulk of the speaker sends each IP's ranking (every eligible node, best first,
// liveness aside: announce/l2-rank.ts) when it changes; membership changes only re-pick the
// first live node of each ranking. This is what runs beside the heartbeats, so that failover
// never waits for a reconcile pass: a dead node's IPs go to the next live node of each list.
import { IP } from '@herald/shared/net';
import type { OwnedIP } from './announcer.js';

/** One IP's ranking, as it crosses from the reconciler (plain data). */
export interface L2Slot {
  /** The IP in canonical text. */
  readonly ip: string;
  /** Eligible nodes, best first. */
  readonly ranked: readonly string[];
  /** The interfaces this node announces it on when it owns it (empty: every suitable one). */
  readonly interfaces: readonly string[];
}

export interface OwnedDelta {
  readonly added: OwnedIP[];
  readonly removed: IP[];
}

interface Entry {
  readonly ip: IP;
  readonly slot: L2Slot;
  owned: boolean;
}

export class OwnerTable {
  private readonly entries = new Map<string, Entry>();
  private live: ReadonlySet<string> = new Set();
  private fenced = true;

  constructor(readonly self: string) {}

  get size(): number {
    return this.entries.size;
  }

  /** The IPs ranked (canonical text). */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** How many IPs this node owns now. */
  get ownedCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.owned) n++;
    return n;
  }

  /** The owner of an IP by this table's view (undefined: no live ranked node, or not known). */
  ownerOf(ip: string): string | undefined {
    const e = this.entries.get(ip);
    return e ? this.firstLive(e.slot.ranked) : undefined;
  }

  private firstLive(ranked: readonly string[]): string | undefined {
    for (const n of ranked) if (n === this.self ? !this.fenced && this.live.has(n) : this.live.has(n)) return n;
    return undefined;
  }

  private owns(slot: L2Slot): boolean {
    return this.firstLive(slot.ranked) === this.self;
  }

  /**
   * New or changed rankings, and IPs gone. Bad IP text is reported in `invalid` and changes
   * nothing (the IP's previous slot, if any, stays).
   */
  apply(upserts: readonly L2Slot[], removes: readonly string[]): OwnedDelta & { invalid: string[] } {
    const added: OwnedIP[] = [];
    const removed: IP[] = [];
    const invalid: string[] = [];
    for (const key of removes) {
      const e = this.entries.get(key);
      if (!e) continue;
      this.entries.delete(key);
      if (e.owned) removed.push(e.ip);
    }
    for (const slot of upserts) {
      const prev = this.entries.get(slot.ip);
      const ip = prev?.ip ?? IP.tryParse(slot.ip);
      if (!ip) {
        invalid.push(slot.ip);
        continue;
      }
      const owned = this.owns(slot);
      this.entries.set(slot.ip, { ip, slot, owned });
      if (owned && (!prev?.owned || !sameList(prev.slot.interfaces, slot.interfaces))) added.push({ ip, interfaces: slot.interfaces });
      else if (!owned && prev?.owned) removed.push(ip);
    }
    return { added, removed, invalid };
  }

  /** A new live set or fence: re-picks every IP's owner (O(IPs), no allocation when nothing moves). */
  setLiveness(live: ReadonlySet<string>, fenced: boolean): OwnedDelta {
    this.live = live;
    this.fenced = fenced;
    const added: OwnedIP[] = [];
    const removed: IP[] = [];
    for (const e of this.entries.values()) {
      const owned = this.owns(e.slot);
      if (owned === e.owned) continue;
      e.owned = owned;
      if (owned) added.push({ ip: e.ip, interfaces: e.slot.interfaces });
      else removed.push(e.ip);
    }
    return { added, removed };
  }

  /** Every IP owned now. */
  owned(): OwnedIP[] {
    const out: OwnedIP[] = [];
    for (const e of this.entries.values()) if (e.owned) out.push({ ip: e.ip, interfaces: e.slot.interfaces });
    return out;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
