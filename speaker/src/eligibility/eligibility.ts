// Is a node eligible to announce a service? Pure, shared by L2 and BGP. Inputs are plain values
// the Kubernetes shell fills in (no client types here). The rules, in the order they are checked,
// each failure a reason value:
//   not-live          the node's speaker is not a live member (membership decides)
//   node-not-ready    the Node's Ready condition is not True
//   excluded-by-label node.kubernetes.io/exclude-from-external-load-balancers is set (any value)
//   network-unavailable  the NetworkUnavailable condition is True
//   no-advertisement  no advertisement covers the service (its pool, its serviceSelectors)
//   node-not-selected no covering advertisement's nodeSelectors match the node (ORed; empty = all)
//   no-ready-endpoints / no-local-endpoints  see usableEndpoints below
import type { Labels, Selector } from '@herald/shared/config';

export const EXCLUDE_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

export interface NodeInfo {
  readonly name: string;
  readonly labels: Labels;
  /** Node condition Ready == True. */
  readonly ready: boolean;
  /** Node condition NetworkUnavailable == True. */
  readonly networkUnavailable: boolean;
}

export interface ServiceInfo {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  /** The pool its IP came from (herald.dev/ip-allocated-from-pool). */
  readonly pool: string | undefined;
}

/** One EndpointSlice endpoint. Conditions are as in the API: undefined means unknown. */
export interface EndpointInfo {
  readonly nodeName: string | undefined;
  readonly ready: boolean | undefined;
  readonly serving: boolean | undefined;
  readonly terminating: boolean | undefined;
}

/** What an L2Advertisement or BGPAdvertisement contributes to eligibility. */
export interface AdvertisementScope {
  readonly name: string;
  readonly pools: ReadonlySet<string>;
  readonly nodeSelectors: readonly Selector[];
  readonly serviceSelectors: readonly Selector[];
}

export type IneligibleReason =
  | { readonly type: 'not-live' }
  | { readonly type: 'node-not-ready' }
  | { readonly type: 'excluded-by-label' }
  | { readonly type: 'network-unavailable' }
  | { readonly type: 'no-advertisement'; readonly pool: string | undefined }
  | { readonly type: 'node-not-selected'; readonly advertisements: readonly string[] }
  | { readonly type: 'no-ready-endpoints' }
  | { readonly type: 'no-local-endpoints' };

export type Eligibility =
  | { readonly eligible: true; /** Covering advertisements that select this node. */ readonly advertisements: readonly string[] }
  | { readonly eligible: false; readonly reason: IneligibleReason };

/** Advertisements that cover the service: its pool is theirs and a serviceSelector matches (none = all). */
export function coveringAdvertisements<A extends AdvertisementScope>(service: ServiceInfo, ads: readonly A[]): A[] {
  return ads.filter(
    (a) => service.pool !== undefined && a.pools.has(service.pool) && (a.serviceSelectors.length === 0 || a.serviceSelectors.some((s) => s.matches(service.labels))),
  );
}

function selectsNode(a: AdvertisementScope, node: NodeInfo): boolean {
  return a.nodeSelectors.length === 0 || a.nodeSelectors.some((s) => s.matches(node.labels));
}

/**
 * The endpoints traffic can go to, as kube-proxy picks them (KEP-1669): the ready ones (an
 * unknown `ready` counts as ready, per the EndpointConditions API), or, when there are none,
 * the ones both serving and terminating, so a rolling update does not blackhole the IP.
 * An unknown `serving` falls back to `ready`.
 */
export function usableEndpoints(eps: readonly EndpointInfo[]): EndpointInfo[] {
  const ready = eps.filter((e) => e.ready !== false && e.terminating !== true);
  if (ready.length > 0) return ready;
  return eps.filter((e) => (e.serving ?? e.ready ?? true) && e.terminating === true);
}

export function nodeEligibility(input: {
  readonly node: NodeInfo;
  readonly live: boolean;
  readonly service: ServiceInfo;
  readonly advertisements: readonly AdvertisementScope[];
  /** Every endpoint of the service, from all its EndpointSlices. */
  readonly endpoints: readonly EndpointInfo[];
}): Eligibility {
  const { node, service } = input;
  if (!input.live) return no({ type: 'not-live' });
  if (!node.ready) return no({ type: 'node-not-ready' });
  if (EXCLUDE_LABEL in node.labels) return no({ type: 'excluded-by-label' });
  if (node.networkUnavailable) return no({ type: 'network-unavailable' });
  const covering = coveringAdvertisements(service, input.advertisements);
  if (covering.length === 0) return no({ type: 'no-advertisement', pool: service.pool });
  const selecting = covering.filter((a) => selectsNode(a, node));
  if (selecting.length === 0) return no({ type: 'node-not-selected', advertisements: covering.map((a) => a.name) });
  if (service.externalTrafficPolicy === 'Local') {
    if (usableEndpoints(input.endpoints.filter((e) => e.nodeName === node.name)).length === 0) return no({ type: 'no-local-endpoints' });
  } else if (usableEndpoints(input.endpoints).length === 0) return no({ type: 'no-ready-endpoints' });
  return { eligible: true, advertisements: selecting.map((a) => a.name) };
}

function no(reason: IneligibleReason): Eligibility {
  return { eligible: false, reason };
}
