// Writes status objects in the background, latest desired set wins, so a reconcile pass never
// waits on the API server. It used to await its status writes: at 1,000 new Services one pass
// spent ~10 s writing ServiceBGPStatus objects one by one, and with the API server unreachable
// (a node cut off from the control plane but not from its peers) a pass could hang on a write
// for minutes, holding back the membership change that moves a dead node's IPs. A failed sync
// is retried with backoff, always with the newest desired set.
import type { Clock, TimerHandle } from '@herald/shared/clock';
import type { StatusObject } from './desired-status.js';

export type DesiredStatuses = ReadonlyMap<string, StatusObject>;

/** What the pump drives: one full sync to a desired set; false when a write failed. */
export interface SyncTarget {
  sync(desired: DesiredStatuses): Promise<boolean>;
}

export interface StatusPumpOptions {
  readonly clock: Clock;
  /** First retry delay after a failed sync (default 500 ms); doubles up to maxBackoffMs. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
}

export class StatusPump {
  private pending: DesiredStatuses | undefined;
  private running: Promise<void> | undefined;
  private timer: TimerHandle | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly target: SyncTarget,
    private readonly o: StatusPumpOptions,
  ) {}

  /** Consecutive failed syncs (0 once one succeeds). */
  get failing(): number {
    return this.failures;
  }

  /** The set to converge to; replaces any set not yet started. Returns at once. */
  submit(desired: DesiredStatuses): void {
    if (this.stopped) return;
    this.pending = desired;
    if (!this.running && !this.timer) this.running = this.run();
  }

  private async run(): Promise<void> {
    try {
      while (this.pending && !this.stopped) {
        const d = this.pending;
        this.pending = undefined;
        if (await this.target.sync(d)) {
          this.failures = 0;
          continue;
        }
        this.failures++;
        this.pending ??= d;
        const ms = Math.min(this.o.maxBackoffMs ?? 30_000, (this.o.backoffMs ?? 500) * 2 ** (this.failures - 1));
        this.timer = this.o.clock.setTimeout(() => {
          this.timer = undefined;
          if (this.pending && !this.running && !this.stopped) this.running = this.run();
        }, ms);
        return;
      }
    } finally {
      this.running = undefined;
    }
  }

  /** Resolves when nothing is being written (a retry waiting on its backoff does not count). */
  async idle(): Promise<void> {
    for (let i = 0; i < 1000 && this.running; i++) await this.running;
  }

  /**
   * Stops background writing, waits for a sync in progress (at most `waitMs`), then syncs this
   * set once (shutdown: this node's objects are removed).
   */
  async finish(desired: DesiredStatuses, waitMs = 5000): Promise<boolean> {
    this.stopped = true;
    if (this.timer) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    let t: TimerHandle | undefined;
    const limit = new Promise<void>((r) => (t = this.o.clock.setTimeout(r, waitMs)));
    await Promise.race([this.idle(), limit]);
    if (t) this.o.clock.clearTimeout(t);
    return this.target.sync(desired);
  }
}
