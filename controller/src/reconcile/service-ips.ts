// herald_controller_service_ip{ip, service, pool} = 1 for every IP the allocator has assigned,
// exported by the leader only (a standby's allocator is empty or stale). Synced from the
// allocator at most once a second after a change (with the pool status), as a diff against what
// is exported, so a scrape only reads: O(allocations) per sync, never per scrape. Cardinality:
// one series per (IP, Service); a shared IP has one per Service sharing it.
import type { Allocation } from '../allocator/types.js';

export interface ServiceIPSink {
  set(labels: ServiceIPLabels): void;
  remove(labels: ServiceIPLabels): void;
}

export interface ServiceIPLabels {
  readonly ip: string;
  readonly service: string;
  readonly pool: string;
}

export class ServiceIPs {
  private readonly exported = new Map<string, ServiceIPLabels>();

  constructor(private readonly sink: ServiceIPSink) {}

  get size(): number {
    return this.exported.size;
  }

  /** The allocations now: adds the new series, removes the ones gone. */
  sync(allocations: Iterable<Allocation>): void {
    const want = new Map<string, ServiceIPLabels>();
    for (const a of allocations) {
      for (const ip of a.ips) {
        const labels = { ip: ip.toString(), service: a.key, pool: a.pool };
        want.set(`${labels.ip} ${labels.service} ${labels.pool}`, labels);
      }
    }
    for (const [k, l] of this.exported) {
      if (want.has(k)) continue;
      this.sink.remove(l);
      this.exported.delete(k);
    }
    for (const [k, l] of want) {
      if (this.exported.has(k)) continue;
      this.sink.set(l);
      this.exported.set(k, l);
    }
  }

  /** Leadership lost: nothing is exported. */
  clear(): void {
    for (const l of this.exported.values()) this.sink.remove(l);
    this.exported.clear();
  }
}
