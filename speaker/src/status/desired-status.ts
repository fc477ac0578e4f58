// The ServiceL2Status and ServiceBGPStatus objects this node should have, per service. Pure.
// One object per (service, node) that announces it; field names as in config/crd.
import { createHash } from 'node:crypto';

export interface StatusObject {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly status: Readonly<Record<string, unknown>>;
}

export const NODE_LABEL = 'herald.dev/node';
export const SERVICE_NAME_LABEL = 'herald.dev/service-name';
export const SERVICE_NAMESPACE_LABEL = 'herald.dev/service-namespace';

/**
 * "<namespace>.<service>.<node>": namespaces and Service names hold no dots, so the name is
 * unique per (service, node) and readable in `kubectl get`. Past 253 characters, a hash.
 */
export function statusName(prefix: string, namespace: string, service: string, node: string): string {
  const n = `${namespace}.${service}.${node}`;
  if (n.length <= 253) return n;
  return `${prefix}-${createHash('sha256').update(`${namespace}/${service}/${node}`).digest('hex').slice(0, 40)}`;
}

/** Label values are at most 63 characters: longer ones are left out (the status says it all). */
function labels(namespace: string, service: string, node: string): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, v: string): void => {
    if (v.length <= 63) out[k] = v;
  };
  put(NODE_LABEL, node);
  put(SERVICE_NAME_LABEL, service);
  put(SERVICE_NAMESPACE_LABEL, namespace);
  return out;
}

function split(key: string): [string, string] {
  const i = key.indexOf('/');
  return [key.slice(0, i), key.slice(i + 1)];
}

/** The ServiceL2Status of a service this node announces, on these interfaces. */
export function l2StatusObject(svcKey: string, node: string, interfaces: readonly string[]): StatusObject {
  const [namespace, service] = split(svcKey);
  const name = statusName('l2', namespace, service, node);
  return { name, labels: labels(namespace, service, node), status: { node, serviceName: service, serviceNamespace: namespace, interfaces: [...interfaces].sort().map((n) => ({ name: n })) } };
}

/** The ServiceBGPStatus of a service this node advertises, to these peers. */
export function bgpStatusObject(svcKey: string, node: string, peers: readonly string[]): StatusObject {
  const [namespace, service] = split(svcKey);
  const name = statusName('bgp', namespace, service, node);
  return { name, labels: labels(namespace, service, node), status: { node, serviceName: service, serviceNamespace: namespace, peers: [...peers].sort() } };
}

/** The object names a service's statuses have on a node. */
export function statusNames(svcKey: string, node: string): { l2: string; bgp: string } {
  const [namespace, service] = split(svcKey);
  return { l2: statusName('l2', namespace, service, node), bgp: statusName('bgp', namespace, service, node) };
}
