// The controller's metrics, on the shared prom-client registry.
import { Counter, Gauge, Histogram, type Registry } from '@herald/shared';

export interface ControllerMetrics {
  readonly addressesTotal: Gauge<'pool' | 'family'>;
  readonly addressesInUse: Gauge<'pool' | 'family'>;
  readonly allocationFailures: Counter<'reason'>;
  readonly reconcileSeconds: Histogram;
  readonly apiWrites: Counter<'kind'>;
  readonly writeFailures: Counter<'code'>;
  readonly writesWaiting: Gauge;
  readonly queueDepth: Gauge;
  readonly isLeader: Gauge;
  readonly serviceIP: Gauge<'ip' | 'service' | 'pool'>;
}

export function controllerMetrics(registry: Registry): ControllerMetrics {
  return {
    addressesTotal: new Gauge({ name: 'herald_controller_pool_addresses_total', help: 'Addresses in each pool, per family (saturated at 2^53).', labelNames: ['pool', 'family'], registers: [registry] }),
    addressesInUse: new Gauge({ name: 'herald_controller_pool_addresses_in_use', help: 'Addresses assigned from each pool, per family.', labelNames: ['pool', 'family'], registers: [registry] }),
    allocationFailures: new Counter({ name: 'herald_controller_allocation_failures_total', help: 'Allocations that failed, by reason.', labelNames: ['reason'], registers: [registry] }),
    reconcileSeconds: new Histogram({ name: 'herald_controller_reconcile_duration_seconds', help: 'Time to decide one Service (its writes are pipelined after).', buckets: [0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1], registers: [registry] }),
    apiWrites: new Counter({ name: 'herald_controller_api_writes_total', help: 'Writes to the API server, by kind.', labelNames: ['kind'], registers: [registry] }),
    writeFailures: new Counter({ name: 'herald_controller_service_write_failures_total', help: 'Service writes that failed (and were decided again after a backoff), by HTTP code.', labelNames: ['code'], registers: [registry] }),
    writesWaiting: new Gauge({ name: 'herald_controller_service_writes_waiting', help: 'Services decided and waiting for their write.', registers: [registry] }),
    queueDepth: new Gauge({ name: 'herald_controller_workqueue_depth', help: 'Service keys waiting to be reconciled.', registers: [registry] }),
    isLeader: new Gauge({ name: 'herald_controller_is_leader', help: '1 while this replica holds the leader Lease.', registers: [registry] }),
    serviceIP: new Gauge({ name: 'herald_controller_service_ip', help: 'IPs assigned to Services (1 per IP and Service; the leader only).', labelNames: ['ip', 'service', 'pool'], registers: [registry] }),
  };
}
