// Replay protection for heartbeats: per sender, (incarnation, sequence) must strictly increase.
// Pure. An incarnation is (wall-clock milliseconds at start << 16) | 16 random bits, so a
// restarted speaker's incarnation is larger than its previous one and messages recorded from an
// old incarnation are refused as stale while the receiver remembers the sender.
//
// What a replay can still do: after the *receiver* restarts it has no memory, so an attacker on
// the segment could replay a recorded old heartbeat once per sequence. That can at most make a
// dead node look alive (delaying failover until its Lease expires, the ground truth); it cannot
// make a live node look dead (a replayed `leaving` of an old incarnation is overridden by the
// next heartbeat of the current, larger incarnation), so it never creates a second owner.
//
// A smaller incarnation is accepted once the sender's current one has been silent for
// `forgetAfterMs` (default 5 s): a node whose wall clock stepped back across a restart must not
// be shut out forever. The cost is the same bounded replay window as above.

export type ReplayVerdict =
  | { readonly ok: true; readonly newIncarnation: boolean }
  | { readonly ok: false; readonly error: ReplayError };

export type ReplayError =
  | { readonly type: 'stale-incarnation'; readonly got: bigint; readonly have: bigint }
  | { readonly type: 'replayed'; readonly seq: number; readonly last: number };

/** A fresh incarnation from the wall clock and 16 random bits. */
export function newIncarnation(wallMs: number, random16: number): bigint {
  return (BigInt(Math.max(0, Math.floor(wallMs))) << 16n) | BigInt(random16 & 0xffff);
}

export class ReplayGuard {
  private readonly last = new Map<string, { incarnation: bigint; seq: number; at: number }>();

  constructor(
    private readonly forgetAfterMs = 5000,
    /** Bound on senders remembered (speakers hold the key, so this is the cluster size). */
    private readonly maxSenders = 4096,
  ) {}

  /** Checks a message received at `now` and, if accepted, records it. */
  accept(from: string, incarnation: bigint, seq: number, now: number): ReplayVerdict {
    const prev = this.last.get(from);
    if (prev && incarnation < prev.incarnation && now - prev.at <= this.forgetAfterMs) {
      return { ok: false, error: { type: 'stale-incarnation', got: incarnation, have: prev.incarnation } };
    }
    if (prev && incarnation === prev.incarnation && seq <= prev.seq) {
      return { ok: false, error: { type: 'replayed', seq, last: prev.seq } };
    }
    this.last.delete(from);
    this.last.set(from, { incarnation, seq, at: now });
    if (this.last.size > this.maxSenders) {
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
    }
    return { ok: true, newIncarnation: !prev || incarnation !== prev.incarnation };
  }

  /** Forgets senders that are no longer members (keeps memory bounded by the member set). */
  retain(members: ReadonlySet<string>): void {
    for (const k of [...this.last.keys()]) if (!members.has(k)) this.last.delete(k);
  }

  get size(): number {
    return this.last.size;
  }
}
