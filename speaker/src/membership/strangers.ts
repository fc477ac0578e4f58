// Speakers we do not know as members but that may be answering: authenticated senders with no
// Lease in our view, and names our peers' heard-lists report. Our member set can lag or miss one
// (we restarted after its Lease was deleted while it could not reach the API to recreate it);
// counting such a speaker as live (suspect) keeps us from taking IPs it may still answer for.
// Heard means heard within silentAfter of listening time (our own stalls do not count, so a
// stall never drops one from the live set); a fenced report counts only while it is fresh by its
// send-time stamp, as for members. Pure; part of the liveness core.
import type { DeafTime } from './deaf-time.js';
import type { MemberStatus } from './liveness-types.js';
import { PeerClock } from './peer-clock.js';

interface Stranger {
  incarnation: bigint;
  clock: PeerClock;
  recvAt: number;
  deafAt: number;
  stampAt: number;
  fenced: boolean;
  left: boolean;
}

export class Strangers {
  private readonly heardFrom = new Map<string, Stranger>();
  private lastPrune = -Infinity;

  constructor(
    private readonly silentAfterMs: number,
    private readonly deaf: DeafTime,
    private readonly maxEntries = 4096,
  ) {}

  /** An authenticated message from a sender that is not a member. */
  observe(
    from: string,
    m: { readonly incarnation: bigint; readonly fenced: boolean; readonly type: 'heartbeat' | 'leaving' | 'announced'; readonly sentAtMs?: number },
    now: number,
    late: { readonly since: number } | undefined,
  ): void {
    const prev = this.heardFrom.get(from);
    const same = prev !== undefined && prev.incarnation === m.incarnation;
    const clock = same ? prev.clock : new PeerClock();
    const stamp = clock.stamp(m.sentAtMs, now, late);
    this.heardFrom.set(from, {
      incarnation: m.incarnation, clock, recvAt: now, deafAt: this.deaf.total, stampAt: Math.max(same ? prev.stampAt : -Infinity, stamp),
      fenced: m.fenced, left: (same && prev.left) || m.type === 'leaving',
    });
    if (this.heardFrom.size > this.maxEntries) this.prune(now, undefined, true);
  }

  /** Forgets what has been silent for long, and names that became members (at most every silentAfter). */
  prune(now: number, members?: { has(name: string): boolean }, force = false): void {
    if (!force && now - this.lastPrune < this.silentAfterMs) return;
    this.lastPrune = now;
    for (const [name, s] of this.heardFrom) {
      if (this.deaf.listening(s.recvAt, s.deafAt, now) > 10 * this.silentAfterMs || members?.has(name)) this.heardFrom.delete(name);
    }
  }

  private fresh(s: Stranger, now: number): boolean {
    return this.deaf.listening(s.recvAt, s.deafAt, now) <= this.silentAfterMs;
  }

  /** Non-members heard within silentAfter (they go into our heard-list, for our peers). */
  heard(now: number, isMember: (name: string) => boolean): string[] {
    return [...this.heardFrom].filter(([n, s]) => !isMember(n) && this.fresh(s, now)).map(([n]) => n);
  }

  /**
   * Statuses for non-members: heard recently (live unless fenced or leaving), or named by a
   * fresh heard-list of a peer we hear (suspect).
   */
  statuses(now: number, isMember: (name: string) => boolean, reportedByPeers: Iterable<string>, self: string): Map<string, MemberStatus> {
    const out = new Map<string, MemberStatus>();
    for (const [name, s] of this.heardFrom) {
      if (isMember(name) || name === self) continue;
      if (s.left) out.set(name, { type: 'dead', reason: { type: 'left' } });
      else if (s.fenced && now - s.stampAt <= this.silentAfterMs) out.set(name, { type: 'dead', reason: { type: 'peer-fenced' } });
      else if (this.fresh(s, now)) out.set(name, { type: 'suspect', reason: { type: 'not-a-member-but-heard' } });
    }
    for (const name of reportedByPeers) {
      if (isMember(name) || name === self || out.has(name)) continue;
      out.set(name, { type: 'suspect', reason: { type: 'not-a-member-but-reported' } });
    }
    return out;
  }
}
