// Time we were not listening: stalls of our own event loop, as the shell measured them. Pure.
// "Listening time" between two instants is the wall time minus the stalls inside it. Accusing a
// peer (its silence, for deadAfter) and telling peers whom we hear use listening time: a peer is
// not silent for time during which we did not read our socket. Both can only delay a death.
export class DeafTime {
  private sum = 0;
  private lastEnd = -Infinity;
  private lastStall: { readonly from: number; readonly to: number } | undefined;

  /** Records that our loop did not run from `from` to `to` (overlaps with earlier stalls count once). */
  add(from: number, to: number): void {
    const f = Math.max(from, this.lastEnd);
    if (to <= f) return;
    this.sum += to - f;
    this.lastEnd = to;
    this.lastStall = { from: f, to };
  }

  /** Total stalled time so far (a marker to store beside a timestamp). */
  get total(): number {
    return this.sum;
  }

  /** The latest stall, if any. */
  get last(): { readonly from: number; readonly to: number } | undefined {
    return this.lastStall;
  }

  /** Listening time from `since` (when the marker was `totalThen`) to `now`. */
  listening(since: number, totalThen: number, now: number): number {
    return now - since - (this.sum - totalThen);
  }
}
