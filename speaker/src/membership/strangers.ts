// Speakers we do not know as members but that may be answering: authenticated senders with no
// Lease in our view, and names our peers' heard-lists report. Our member set can lag or miss one
// (we restarted after its Lease was deleted while it could not reach the API to recreate it);
// counting such a speaker as live (suspect) keeps us from taking IPs it may still answer for.
// Pure; part of the liveness core.
import type { MemberStatus } from './liveness-types.js';

interface Stranger {
  incarnation: bigint;
  lastHeardAt: number;
  fenced: boolean;
  left: boolean;
}

export class Strangers {
  private readonly heardFrom = new Map<string, Stranger>();

  constructor(
    private readonly silentAfterMs: number,
    private readonly maxEntries = 4096,
  ) {}

  /** An authenticated message from a sender that is not a member. */
  observe(from: string, m: { incarnation: bigint; fenced: boolean; type: 'heartbeat' | 'leaving' | 'announced' }, now: number): void {
    const prev = this.heardFrom.get(from);
    const left = (prev !== undefined && prev.incarnation === m.incarnation && prev.left) || m.type === 'leaving';
    this.heardFrom.set(from, { incarnation: m.incarnation, lastHeardAt: now, fenced: m.fenced, left });
    if (this.heardFrom.size > this.maxEntries) this.prune(now);
  }

  /** Forgets what has been silent for long, and names that became members. */
  prune(now: number, members?: ReadonlySet<string>): void {
    for (const [name, s] of this.heardFrom) {
      if (now - s.lastHeardAt > 10 * this.silentAfterMs || members?.has(name)) this.heardFrom.delete(name);
    }
  }

  /** Non-members heard within silentAfter (they go into our heard-list, for our peers). */
  heard(now: number, isMember: (name: string) => boolean): string[] {
    return [...this.heardFrom].filter(([n, s]) => !isMember(n) && now - s.lastHeardAt <= this.silentAfterMs).map(([n]) => n);
  }

  /**
   * Statuses for non-members: heard recently (live unless fenced or leaving), or named by a
   * fresh heard-list of a peer we hear (suspect).
   */
  statuses(now: number, isMember: (name: string) => boolean, reportedByPeers: Iterable<string>, self: string): Map<string, MemberStatus> {
    const out = new Map<string, MemberStatus>();
    for (const [name, s] of this.heardFrom) {
      if (isMember(name) || name === self) continue;
      const fresh = now - s.lastHeardAt <= this.silentAfterMs;
      if (s.left) out.set(name, { type: 'dead', reason: { type: 'left' } });
      else if (fresh && s.fenced) out.set(name, { type: 'dead', reason: { type: 'peer-fenced' } });
      else if (fresh) out.set(name, { type: 'suspect', reason: { type: 'not-a-member-but-heard' } });
    }
    for (const name of reportedByPeers) {
      if (isMember(name) || name === self || out.has(name)) continue;
      out.set(name, { type: 'suspect', reason: { type: 'not-a-member-but-reported' } });
    }
    return out;
  }
}
