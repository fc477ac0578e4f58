// The controller's metrics, on the shared prom-client registry.
import { Counter, Gauge, Histogram, type Registry } from '@herald/shared';

export interface ControllerMetrics {
  readonly addressesTotal: Gauge<'pool' | 'family'>;
  readonly addressesInUse: Gauge<'pool' | 'family'>;
  readonly allocationFailures: Counter<'reason'>;
  readonly reconcileSeconds: Histogram;
  readonly apiWrites: Counter<'kind'>;
  readonly isLeader: Gauge;
}

export function controllerMetrics(registry: Registry): ControllerMetrics {
  return {
    addressesTotal: new Gauge({ name: 'herald_controller_pool_addresses_total', help: 'Addresses in each pool, per family (saturated at 2^53).', labelNames: ['pool', 'family'], registers: [registry] }),
    addressesInUse: new Gauge({ name: 'herald_controller_pool_addresses_in_use', help: 'Addresses assigned from each pool, per family.', labelNames: ['pool', 'family'], registers: [registry] }),
    allocationFailures: new Counter({ name: 'herald_controller_allocation_failures_total', help: 'Allocations that failed, by reason.', labelNames: ['reason'], registers: [registry] }),
    reconcileSeconds: new Histogram({ name: 'herald_controller_reconcile_duration_seconds', help: 'Time to reconcile one Service.', buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5], registers: [registry] }),
    apiWrites: new Counter({ name: 'herald_controller_api_writes_total', help: 'Writes to the API server, by kind.', labelNames: ['kind'], registers: [registry] }),
    isLeader: new Gauge({ name: 'herald_controller_is_leader', help: '1 while this replica holds the leader Lease.', registers: [registry] }),
  };
}
