// Dates a peer's messages by when they were sent, on our clock. Pure.
//
// Every heartbeat carries its send time on the sender's monotonic clock. The offset to ours is
// estimated as the smallest (receipt - send) seen recently: a message can arrive late (our loop
// was stalled and read it from the socket queue, the network queued it) but never before it was
// sent, so the minimum is the true offset plus the smallest latency. A stamp is then
// min(receipt, send + offset): never later than receipt, and not inflated by however long the
// message waited to be read. The liveness core judges its own quorum and a witness's freshness on
// stamps (a stall of ours must not make old messages look new), and accusations on receipts.
//
// The minimum is kept over two windows (5 s each, rotated), so a clock rate difference (NTP slews
// CLOCK_MONOTONIC by at most 500 ppm) costs at most ~5 ms, always in the "older" direction.
// A receipt that we read late (after a stall of our loop) does not calibrate: if a peer has no
// calibrated sample yet, such a message is dated `lateStamp` (the start of our stall) instead.
export class PeerClock {
  private cur = Infinity;
  private prev = Infinity;
  private bucketStart: number | undefined;

  constructor(private readonly windowMs = 5000) {}

  /** The stamp of a message sent at sentAt (sender clock, undefined if unknown) received at now. */
  stamp(sentAt: number | undefined, now: number, late: { readonly since: number } | undefined): number {
    if (sentAt === undefined) return late ? Math.min(now, late.since) : now;
    if (!late) {
      if (this.bucketStart === undefined || now - this.bucketStart >= this.windowMs) {
        this.prev = this.bucketStart === undefined ? Infinity : this.cur;
        this.cur = Infinity;
        this.bucketStart = now;
      }
      this.cur = Math.min(this.cur, now - sentAt);
    }
    const offset = Math.min(this.cur, this.prev);
    if (offset === Infinity) return late ? Math.min(now, late.since) : now;
    return Math.min(now, sentAt + offset);
  }
}
