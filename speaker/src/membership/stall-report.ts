// Which stalls of the packet thread's own loop are worth a warning. A stall of a heartbeat or
// more is what makes peers look silent and can fence us (liveness.ts, "THE BOUND"), so the
// operator must see it without debug logs; a CPU-starved node would stall every second, so
// warnings are rate-limited, and the stalls folded into the silence are counted in the next one.
// Pure: the caller passes the time.

export interface StallWarning {
  readonly stalledMs: number;
  /** Stalls over the warning threshold since the previous warning, not warned one by one. */
  readonly suppressed: number;
  /** The longest of those (0 if none). */
  readonly suppressedLongestMs: number;
}

export interface StallReportOptions {
  /** A stall this long or longer is warned about (default 100 ms: one heartbeat). */
  readonly warnMs?: number;
  /** At most one warning per this long (default 10 s). */
  readonly everyMs?: number;
}

export class StallReport {
  private readonly warnMs: number;
  private readonly everyMs: number;
  private lastWarnAt = -Infinity;
  private suppressed = 0;
  private suppressedLongestMs = 0;

  constructor(o: StallReportOptions = {}) {
    this.warnMs = o.warnMs ?? 100;
    this.everyMs = o.everyMs ?? 10_000;
  }

  /** A stall of `ms` noticed at `now`: the warning to log, or undefined (debug only). */
  stalled(now: number, ms: number): StallWarning | undefined {
    if (ms < this.warnMs) return undefined;
    if (now - this.lastWarnAt < this.everyMs) {
      this.suppressed++;
      this.suppressedLongestMs = Math.max(this.suppressedLongestMs, ms);
      return undefined;
    }
    const w: StallWarning = { stalledMs: Math.round(ms), suppressed: this.suppressed, suppressedLongestMs: Math.round(this.suppressedLongestMs) };
    this.lastWarnAt = now;
    this.suppressed = 0;
    this.suppressedLongestMs = 0;
    return w;
  }
}
