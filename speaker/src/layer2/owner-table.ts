// Which L2 IPs this node owns, from precomputed rankings and the live set. Pure and
// incremental: the bulk of the speaker sends each IP's ranking (its best TOP_K eligible nodes,
// liveness aside, and the candidate group they come from: announce/l2-rank.ts) when it changes;
// membership changes only re-pick the first live node of each ranking. This is what runs beside
// the heartbeats, so that failover never waits for a reconcile pass: a dead node's IPs go to the
// next live node of each list, and an IP whose K best are all dead (a rack failure) goes to the
// best live node of its group, ranked here with the same hash (election/top-k.ts), which is
// the first live node of its full ranking: no round trip to the main thread.
//
// What the announcer is given ("held", owned() and the deltas) ignores our own fence: the IPs we
// would own with ourselves live. A fence silences the announcer (its silenced() check before
// every answer and gratuitous frame) instead of emptying it, so fencing and unfencing thousands
// of IPs costs nothing on this thread (emptying and refilling took seconds at 10,000 IPs, while
// the heartbeats waited, and so fed a cascade of fences). The packet thread re-sends the
// gratuitous bursts when the fence lifts. ownerOf() is the real owner, fence included.
import { IP } from '@herald/shared/net';
import { groupProblem, pickOwner, type CandidateGroup, type GroupProblem } from '../election/index.js';
import type { OwnedIP } from './announcer.js';

/** One IP's ranking, as it crosses from the reconciler (plain data). */
export interface L2Slot {
  /** The IP in canonical text. */
  readonly ip: string;
  /** Its best eligible nodes (at most TOP_K), best first, as indices into `group.names`. */
  readonly top: ArrayLike<number>;
  /** Every eligible node with its tier and score, shared by the IPs with the same ones. */
  readonly group: CandidateGroup;
  /** The interfaces this node announces it on when it owns it (empty: every suitable one). */
  readonly interfaces: readonly string[];
}

/** Why a slot from the main thread was refused (it changes nothing). */
export type SlotProblem =
  | { readonly type: 'bad-ip' }
  | { readonly type: 'bad-group'; readonly problem: GroupProblem }
  | { readonly type: 'bad-top'; readonly index: number };

export interface InvalidSlot {
  readonly ip: string;
  readonly problem: SlotProblem;
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
  /** IP.key -> the text key of entries (claims name IPs by their bytes). */
  private readonly textOf = new Map<string, string>();
  private live: ReadonlySet<string> = new Set();
  private fenced = true;
  /** Groups already checked (a message's slots share a few). */
  private readonly goodGroups = new WeakSet<CandidateGroup>();
  /** A node may own: live, and not ourselves while fenced. */
  private readonly ok = (n: string): boolean => (n === this.self ? !this.fenced && this.live.has(n) : this.live.has(n));
  /** What we hold: ourselves counted live whatever our fence (see the top). */
  private readonly holds = (n: string): boolean => n === this.self || this.live.has(n);

  constructor(readonly self: string) {}

  get size(): number {
    return this.entries.size;
  }

  /** The IPs ranked (canonical text). */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  /** How many IPs this node holds now (owns, unless fenced). */
  get ownedCount(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.owned) n++;
    return n;
  }

  /** The owner of an IP by this table's view (undefined: no live ranked node, or not known). */
  ownerOf(ip: string): string | undefined {
    const e = this.entries.get(ip);
    return e ? pickOwner(e.ip, e.slot.top, e.slot.group, this.ok) : undefined;
  }

  /** ownerOf by IP value (undefined also when the IP is not ranked here). */
  ownerOfIp(ip: IP): string | undefined {
    const t = this.textOf.get(ip.key);
    return t === undefined ? undefined : this.ownerOf(t);
  }

  private owns(ip: IP, slot: L2Slot): boolean {
    return pickOwner(ip, slot.top, slot.group, this.holds) === this.self;
  }

  private problem(slot: L2Slot): SlotProblem | undefined {
    const g = slot.group;
    if (!this.goodGroups.has(g)) {
      const p = typeof g === 'object' && g !== null ? groupProblem(g) : { type: 'not-arrays' as const };
      if (p) return { type: 'bad-group', problem: p };
      this.goodGroups.add(g);
    }
    const top = slot.top;
    const n = g.names.length;
    if (typeof top !== 'object' || top === null || typeof top.length !== 'number' || top.length > n) return { type: 'bad-top', index: -1 };
    for (let j = 0; j < top.length; j++) {
      const i = top[j];
      if (!Number.isInteger(i) || i! < 0 || i! >= n) return { type: 'bad-top', index: j };
      for (let k = 0; k < j; k++) if (top[k] === i) return { type: 'bad-top', index: j };
    }
    return undefined;
  }

  /**
   * New or changed rankings, and IPs gone. A slot with bad IP text, a bad group or a bad `top`
   * is reported in `invalid` and changes nothing (the IP's previous slot, if any, stays).
   */
  apply(upserts: readonly L2Slot[], removes: readonly string[]): OwnedDelta & { invalid: InvalidSlot[]; gone: IP[] } {
    const added: OwnedIP[] = [];
    const removed: IP[] = [];
    const invalid: InvalidSlot[] = [];
    const gone: IP[] = [];
    for (const key of removes) {
      const e = this.entries.get(key);
      if (!e) continue;
      this.entries.delete(key);
      this.textOf.delete(e.ip.key);
      if (e.owned) {
        removed.push(e.ip);
        gone.push(e.ip);
      }
    }
    for (const slot of upserts) {
      const prev = this.entries.get(slot.ip);
      const ip = prev?.ip ?? IP.tryParse(slot.ip);
      if (!ip) {
        invalid.push({ ip: String(slot.ip), problem: { type: 'bad-ip' } });
        continue;
      }
      const problem = this.problem(slot);
      if (problem) {
        invalid.push({ ip: slot.ip, problem });
        continue;
      }
      const owned = this.owns(ip, slot);
      this.entries.set(slot.ip, { ip, slot, owned });
      this.textOf.set(ip.key, slot.ip);
      if (owned && (!prev?.owned || !sameList(prev.slot.interfaces, slot.interfaces))) added.push({ ip, interfaces: slot.interfaces });
      else if (!owned && prev?.owned) removed.push(ip);
    }
    return { added, removed, invalid, gone };
  }

  /** A new live set or fence: re-picks every IP's owner (O(IPs), no allocation when nothing moves). */
  setLiveness(live: ReadonlySet<string>, fenced: boolean): OwnedDelta {
    this.live = live;
    this.fenced = fenced;
    const added: OwnedIP[] = [];
    const removed: IP[] = [];
    for (const e of this.entries.values()) {
      const owned = this.owns(e.ip, e.slot);
      if (owned === e.owned) continue;
      e.owned = owned;
      if (owned) added.push({ ip: e.ip, interfaces: e.slot.interfaces });
      else removed.push(e.ip);
    }
    return { added, removed };
  }

  /** Every IP held now (owned, unless we are fenced). */
  owned(): OwnedIP[] {
    const out: OwnedIP[] = [];
    for (const e of this.entries.values()) if (e.owned) out.push({ ip: e.ip, interfaces: e.slot.interfaces });
    return out;
  }
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
