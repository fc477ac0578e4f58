// What the packet thread's announcer took on and let go since the last report, for the main
// thread's per-IP metric (reconcile/announced-ips.ts). Recorded from the changes the announcer
// is given, so its cost is in proportion to change, never to the IPs held; the last change of an
// IP within a report period wins.
import type { IP } from '@herald/shared/net';

/** Changes in canonical IP text. */
export interface HeldChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  /** Everything held before was let go first (a graceful handoff that finished, a stop). */
  readonly reset: boolean;
}

export class HeldLog {
  private readonly changes = new Map<string, boolean>();
  private reset = false;

  record(added: readonly { readonly ip: IP }[], removed: readonly IP[]): void {
    for (const ip of removed) this.changes.set(ip.toString(), false);
    for (const x of added) this.changes.set(x.ip.toString(), true);
  }

  /** The announcer let go of everything. */
  clear(): void {
    this.changes.clear();
    this.reset = true;
  }

  /** The changes since the last take (undefined: none). */
  take(): HeldChanges | undefined {
    if (this.changes.size === 0 && !this.reset) return undefined;
    const added: string[] = [];
    const removed: string[] = [];
    for (const [ip, held] of this.changes) (held ? added : removed).push(ip);
    const out = { added, removed, reset: this.reset };
    this.changes.clear();
    this.reset = false;
    return out;
  }
}
