// Kubernetes objects -> the plain values desiredAnnouncements reads. Pure (client-node types
// only): the reconcile shell passes what its informers cached.
import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import { ANNOTATION_IP_ALLOCATED_FROM_POOL, isOurs, serviceKey } from '@herald/shared/api';
import { IP } from '@herald/shared/net';
import type { EndpointInfo, NodeInfo } from '../eligibility/index.js';
import type { ServiceState } from './types.js';

/** The label EndpointSlices carry naming their Service. */
export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
const METALLB_POOL_ANNOTATION = 'metallb.io/ip-allocated-from-pool';

export { serviceKey };

/**
 * Is this a Service Herald's speaker handles? type LoadBalancer, and its loadBalancerClass is the
 * one given (undefined: Services with no class, the default).
 */
export function handles(svc: V1Service, lbClass: string | undefined): boolean {
  return isOurs({ type: svc.spec?.type, loadBalancerClass: svc.spec?.loadBalancerClass ?? undefined }, lbClass);
}

/** status.loadBalancer.ingress[].ip, parsed; hostnames and garbage are dropped; no duplicates. */
export function ingressIPs(svc: V1Service): IP[] {
  const out = new Map<string, IP>();
  for (const i of svc.status?.loadBalancer?.ingress ?? []) {
    const ip = i.ip ? IP.tryParse(i.ip) : undefined;
    if (ip) out.set(ip.key, ip);
  }
  return [...out.values()];
}

export function endpointsOf(slices: readonly V1EndpointSlice[]): EndpointInfo[] {
  return slices.flatMap((s) =>
    (s.endpoints ?? []).map((e) => ({
      nodeName: e.nodeName ?? undefined,
      ready: e.conditions?.ready ?? undefined,
      serving: e.conditions?.serving ?? undefined,
      terminating: e.conditions?.terminating ?? undefined,
    })),
  );
}

export function serviceState(svc: V1Service, slices: readonly V1EndpointSlice[]): ServiceState {
  const ann = svc.metadata?.annotations ?? {};
  return {
    key: serviceKey(svc),
    info: {
      namespace: svc.metadata?.namespace ?? 'default',
      name: svc.metadata?.name ?? '',
      labels: svc.metadata?.labels ?? {},
      externalTrafficPolicy: svc.spec?.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster',
      pool: ann[ANNOTATION_IP_ALLOCATED_FROM_POOL] ?? ann[METALLB_POOL_ANNOTATION],
    },
    ips: ingressIPs(svc),
    endpoints: endpointsOf(slices),
  };
}

export function nodeInfo(node: V1Node): NodeInfo {
  const cond = (type: string): string | undefined => node.status?.conditions?.find((c) => c.type === type)?.status;
  return {
    name: node.metadata?.name ?? '',
    labels: node.metadata?.labels ?? {},
    ready: cond('Ready') === 'True',
    networkUnavailable: cond('NetworkUnavailable') === 'True',
  };
}
