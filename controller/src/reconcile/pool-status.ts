// Keeps each IPAddressPool's status (assigned and available, per family) and the pool metrics in
// step with the allocator. Writes a pool's status only when its numbers differ from what the pool
// object already says (so a restart, or a new leader, writes nothing when nothing changed).
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, VERSION, errText, mergePatch, type Logger } from '@herald/shared';
import type { Allocator } from '../allocator/allocator.js';
import type { ControllerMetrics } from './metrics.js';

export class PoolStatusWriter {
  private readonly last = new Map<string, string>();
  private readonly api: CustomObjectsApi;

  constructor(
    kc: KubeConfig,
    private readonly namespace: string,
    private readonly log: Logger,
    private readonly metrics: ControllerMetrics | undefined,
  ) {
    this.api = kc.makeApiClient(CustomObjectsApi);
  }

  /** `stored`: the status each pool object has now (from the config watcher's cache). */
  async sync(alloc: Allocator, pools: readonly string[], isLeader: () => boolean, stored: (pool: string) => unknown = () => undefined): Promise<void> {
    for (const name of pools) {
      const stats = alloc.poolStats(name);
      if (!stats) continue;
      const n = stats.numbers;
      this.metrics?.addressesInUse.set({ pool: name, family: 'IPv4' }, n.assignedIPv4);
      this.metrics?.addressesInUse.set({ pool: name, family: 'IPv6' }, n.assignedIPv6);
      this.metrics?.addressesTotal.set({ pool: name, family: 'IPv4' }, n.assignedIPv4 + n.availableIPv4);
      this.metrics?.addressesTotal.set({ pool: name, family: 'IPv6' }, n.assignedIPv6 + n.availableIPv6);
      const status = { assignedIPv4: n.assignedIPv4, assignedIPv6: n.assignedIPv6, availableIPv4: n.availableIPv4, availableIPv6: n.availableIPv6 };
      const key = JSON.stringify(status);
      if (this.last.get(name) === key || !isLeader()) continue;
      if (sameNumbers(stored(name), status)) {
        this.last.set(name, key);
        continue;
      }
      try {
        await this.api.patchNamespacedCustomObjectStatus(
          { group: GROUP, version: VERSION, namespace: this.namespace, plural: 'ipaddresspools', name, body: { status } },
          mergePatch,
        );
        this.metrics?.apiWrites.inc({ kind: 'pool-status' });
        this.last.set(name, key);
      } catch (err) {
        this.log.warn('pool-status-write-failed', { pool: name, err: errText(err) });
      }
    }
    for (const name of [...this.last.keys()]) if (!pools.includes(name)) this.last.delete(name);
  }

  /** Forget what was written (a new leader term writes everything once). */
  reset(): void {
    this.last.clear();
  }
}

function sameNumbers(stored: unknown, want: Record<string, number>): boolean {
  if (typeof stored !== 'object' || stored === null) return false;
  const s = stored as Record<string, unknown>;
  return Object.entries(want).every(([k, v]) => s[k] === v);
}
