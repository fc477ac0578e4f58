// Notices that our own event loop stalled, from the one timer the membership shell keeps armed
// (its evaluation tick). Pure: the shell tells it when the timer is due and asks at every entry
// point (a timer, a received datagram, a call from the speaker) whether that deadline has been
// overrun by more than the threshold. libuv runs expired timers before it polls sockets, but a
// stall inside some other callback ends in the middle of a poll phase, so a datagram can be the
// first thing we see after one: every entry point asks.
//
// The stall is dated from the last time any entry point ran (not from when the timer was due):
// the loop may have been stuck since right after that, and counting a few idle milliseconds as
// deaf only delays an accusation (deaf-time.ts), never hastens one.
export interface Stall {
  /** The last time our code ran before the stall (the loop has not run since, at least). */
  readonly from: number;
  /** When we noticed. */
  readonly to: number;
}

export class LoopWatch {
  private dueAt: number | undefined;
  private lastSeen = -Infinity;

  constructor(readonly thresholdMs: number) {}

  /** The periodic timer was (re)armed to fire at `dueAt`. */
  armed(dueAt: number): void {
    this.dueAt = dueAt;
  }

  /** A stall, reported once, when the timer is overdue by more than the threshold at `now`. */
  check(now: number): Stall | undefined {
    const last = this.lastSeen;
    this.lastSeen = Math.max(this.lastSeen, now);
    if (this.dueAt === undefined) return undefined;
    if (now - Math.max(this.dueAt, last) <= this.thresholdMs) return undefined;
    return { from: Number.isFinite(last) ? last : this.dueAt, to: now };
  }
}
