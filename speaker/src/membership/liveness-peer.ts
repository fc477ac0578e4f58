// What the liveness core knows about one member: its Kubernetes facts, and what its latest
// messages say, kept incrementally so a message costs O(members / 8 + what changed) and not a
// recount of every heard-list. Pure; part of the liveness core (liveness.ts states the rule).
import { forEachChangedBit, hasBit, resolveHeard, setBit, bitsetBytes, type Bitset, type HeardField, type MemberIndex } from './heard-set.js';
import type { MemberFacts } from './liveness-types.js';
import { PeerClock } from './peer-clock.js';

export class PeerState {
  facts: MemberFacts;
  leaseKey: string | undefined = undefined;
  leaseObservedAt: number | undefined = undefined;
  notReadySince: number | undefined = undefined;
  leaseMissingSince: number | undefined = undefined;
  removed = false;

  incarnation: bigint | undefined = undefined;
  seq: number | undefined = undefined;
  clock = new PeerClock();
  /** Receipt time of the latest message and the deaf-time marker then (accusations). */
  recvAt: number | undefined = undefined;
  deafAtRecv = 0;
  /** Send-time stamp of the latest message (peer-clock.ts): quorum and witness freshness. */
  stampAt: number | undefined = undefined;
  fenced = false;
  left = false;
  /** Stamp of the latest message whose heard-list named us: the mutual link to this peer. */
  namedSelfAt: number | undefined = undefined;
  /** Stamp of the first naming list after the link's latest lapse (a gap over silentAfter). */
  linkUpAt: number | undefined = undefined;
  /** Since the latest list naming us: a list that did not (or could not be read), or a missed message. */
  private sinceNaming = false;
  /** The latest readable heard-list, over our member index (undefined until one arrives). */
  heard: Bitset | undefined = undefined;
  /** Heard speakers outside our member set, by name (from the latest list). */
  extra: readonly string[] = [];
  /** The sender's member-set digest, from its latest list (undefined: plain names, tests). */
  digest: bigint | undefined = undefined;
  /** Subject -> stamp of the first message of the current run that omits it. */
  readonly runs = new Map<string, number>();
  /** Set when the index changed or a message was missed: the next list is read in full. */
  private rescan = true;

  constructor(
    readonly name: string,
    facts: MemberFacts,
    /** When we started tracking it (a never-heard member is silent since then), and the deaf marker. */
    readonly since: number,
    readonly deafAtSince: number,
  ) {
    this.facts = facts;
  }

  applyFacts(facts: MemberFacts, now: number): void {
    this.facts = facts;
    if (facts.lease) {
      if (this.leaseKey !== facts.lease.renewKey) {
        this.leaseKey = facts.lease.renewKey;
        this.leaseObservedAt = now;
      }
      this.leaseMissingSince = undefined;
    } else {
      this.leaseKey = undefined;
      this.leaseObservedAt = undefined;
      this.leaseMissingSince ??= now;
    }
    if (facts.nodeReady) this.notReadySince = undefined;
    else this.notReadySince ??= now;
  }

  /** A new incarnation: forget everything its predecessor said. */
  reincarnate(incarnation: bigint): void {
    this.incarnation = incarnation;
    this.seq = undefined;
    this.clock = new PeerClock();
    this.left = false;
    this.fenced = false;
    this.namedSelfAt = undefined;
    this.linkUpAt = undefined;
    this.sinceNaming = false;
    this.heard = undefined;
    this.extra = [];
    this.runs.clear();
    this.rescan = true;
  }

  /** Records the sequence number; a missed message ends every omission run (see readHeard). */
  sequence(seq: number | undefined): void {
    const gap = seq !== undefined && this.seq !== undefined && seq !== ((this.seq + 1) >>> 0);
    if (seq !== undefined) this.seq = seq;
    if (gap) this.breakRuns();
  }

  /**
   * Reads a heard-list dated `stamp`. Omission runs continue only over an unbroken sequence of
   * readable lists: a missed message or an unreadable list (a bitmap over a member set that is not
   * ours) ends every run, and the next readable list starts them again at its own stamp.
   * The link to us lapses when a naming list comes more than silentAfter after the previous one
   * *and* something else came (or may have come) in between: a peer that merely sent nothing for
   * a while (its own stall, sequence unbroken) cannot have had a run leaving us out.
   */
  readHeard(index: MemberIndex, self: string, heard: HeardField | readonly string[], stamp: number, silentAfterMs: number): void {
    this.digest = Array.isArray(heard) ? undefined : (heard as HeardField).digest;
    const r = resolveHeard(index, heard);
    this.extra = r.extra;
    if (!r.known) {
      this.breakRuns();
      return;
    }
    const selfAt = index.indexOf(self);
    const namesSelf = selfAt !== undefined && hasBit(r.bits, selfAt);
    if (namesSelf) {
      if (this.namedSelfAt === undefined || (this.sinceNaming && stamp - this.namedSelfAt > silentAfterMs)) this.linkUpAt = stamp;
      this.namedSelfAt = Math.max(this.namedSelfAt ?? -Infinity, stamp);
      this.sinceNaming = false;
    } else this.sinceNaming = true;
    const note = (i: number, named: boolean): void => {
      const subject = index.names[i];
      if (subject === undefined || subject === this.name || subject === self) return;
      if (named) this.runs.delete(subject);
      else if (!this.runs.has(subject)) this.runs.set(subject, stamp);
    };
    if (this.heard && !this.rescan) forEachChangedBit(this.heard, r.bits, (i) => note(i, hasBit(r.bits, i)));
    else for (let i = 0; i < index.size; i++) note(i, hasBit(r.bits, i));
    this.heard = r.bits;
    this.rescan = false;
  }

  private breakRuns(): void {
    this.runs.clear();
    this.rescan = true;
    this.sinceNaming = true;
  }

  /** Our member index changed: carry the latest list over to the new one, forget runs of non-members. */
  reindex(from: MemberIndex, to: MemberIndex): void {
    if (this.heard) {
      const bits = new Uint8Array(bitsetBytes(to.size));
      for (let i = 0; i < from.size; i++) {
        if (!hasBit(this.heard, i)) continue;
        const j = to.indexOf(from.names[i] ?? '');
        if (j !== undefined) setBit(bits, j);
      }
      this.heard = bits;
    }
    for (const subject of [...this.runs.keys()]) if (to.indexOf(subject) === undefined) this.runs.delete(subject);
    this.rescan = true;
  }

  /** Does its latest list name `subject` (by index or, outside our set, by name)? */
  names(index: MemberIndex, subject: string): boolean {
    const i = index.indexOf(subject);
    if (i !== undefined) return this.heard !== undefined && hasBit(this.heard, i);
    return this.extra.includes(subject);
  }
}
