// The reference for the controller bench, measured in the same run: how fast the embedded API
// server takes exactly the writes one Service costs in this pipeline (create, status patch,
// annotation patch), with no controller involved. Serial (one request in flight, the pace the
// bench's creator runs at) and 16 at once (the server's throughput for this mix). The Services
// carry another loadBalancerClass, so the controller ignores them.
import type { CoreV1Api } from '@kubernetes/client-node';
import { mergePatch } from '@herald/shared';

export interface WriteRate {
  /** Services per second (3 writes each). */
  readonly services: number;
  readonly writes: number;
  /** Services written (named `${prefix}0` .. `${prefix}${count - 1}`). */
  readonly count: number;
}

export async function serviceWriteRate(core: CoreV1Api, namespace: string, prefix: string, count: number, lanes: number, budgetMs: number): Promise<WriteRate> {
  let next = 0;
  let doneCount = 0;
  const t0 = performance.now();
  const deadline = t0 + budgetMs;
  const one = async (i: number): Promise<void> => {
    const name = `${prefix}${i}`;
    await core.createNamespacedService({ namespace, body: { metadata: { name }, spec: { type: 'LoadBalancer', loadBalancerClass: 'bench.example/reference', allocateLoadBalancerNodePorts: false, ipFamilies: ['IPv6'], ports: [{ port: 80 }] } } });
    await core.patchNamespacedServiceStatus({ name, namespace, body: { status: { loadBalancer: { ingress: [{ ip: `2001:db8:ff::${(i + 1).toString(16)}`, ipMode: 'VIP' }] } } } }, mergePatch);
    await core.patchNamespacedService({ name, namespace, body: { metadata: { annotations: { 'herald.dev/ip-allocated-from-pool': 'reference' } } } }, mergePatch);
    doneCount++;
  };
  const lane = async (): Promise<void> => {
    while (next < count && performance.now() < deadline) await one(next++);
  };
  await Promise.all(Array.from({ length: lanes }, lane));
  const secs = (performance.now() - t0) / 1000;
  return { services: doneCount / secs, writes: (3 * doneCount) / secs, count: next };
}
