// The ServiceL2Status and ServiceBGPStatus objects this node should have, from a Desired. Pure.
// One object per (service, node) that announces it; field names as in config/crd.
import { createHash } from 'node:crypto';
import type { Desired } from '../announce/types.js';

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

/** ServiceL2Status objects: services with an IP this node owns. `openInterfaces`: for "all". */
export function desiredL2Statuses(d: Desired, node: string, openInterfaces: readonly string[]): Map<string, StatusObject> {
  const out = new Map<string, StatusObject>();
  const ifaces = new Map<string, Set<string>>();
  for (const e of d.l2.values()) {
    if (e.owner !== node) continue;
    for (const s of e.services) {
      let set = ifaces.get(s);
      if (!set) ifaces.set(s, (set = new Set()));
      for (const i of e.interfaces.length ? e.interfaces : openInterfaces) set.add(i);
    }
  }
  for (const [key, set] of [...ifaces].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const [namespace, service] = split(key);
    const name = statusName('l2', namespace, service, node);
    out.set(name, {
      name,
      labels: labels(namespace, service, node),
      status: { node, serviceName: service, serviceNamespace: namespace, interfaces: [...set].sort().map((n) => ({ name: n })) },
    });
  }
  return out;
}

/** ServiceBGPStatus objects: services this node advertises, with the peers. */
export function desiredBgpStatuses(d: Desired, node: string): Map<string, StatusObject> {
  const out = new Map<string, StatusObject>();
  const peers = new Map<string, Set<string>>();
  for (const r of d.bgp.values()) {
    for (const s of r.services) {
      let set = peers.get(s);
      if (!set) peers.set(s, (set = new Set()));
      for (const p of r.peers.keys()) set.add(p);
    }
  }
  for (const [key, set] of [...peers].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (set.size === 0) continue;
    const [namespace, service] = split(key);
    const name = statusName('bgp', namespace, service, node);
    out.set(name, { name, labels: labels(namespace, service, node), status: { node, serviceName: service, serviceNamespace: namespace, peers: [...set].sort() } });
  }
  return out;
}
