// The values of "what this node announces": the input (plain values the Kubernetes shell fills
// in), the desired L2 ownership and BGP routes, and the reason for every (service, node) pair.
import type { Config } from '@herald/shared/config';
import type { IP, Prefix } from '@herald/shared/net';
import type { Advertisement } from '../bgp/adj-rib-out.js';
import type { EndpointInfo, IneligibleReason, NodeInfo, ServiceInfo } from '../eligibility/index.js';

/** A LoadBalancer Service Herald handles, with its ingress IPs and endpoints. */
export interface ServiceState {
  /** "namespace/name". */
  readonly key: string;
  /** `pool` is the herald.dev/ip-allocated-from-pool annotation; a pool holding the IP wins over it. */
  readonly info: ServiceInfo;
  /** status.loadBalancer.ingress[].ip, parsed (hostnames and garbage dropped). */
  readonly ips: readonly IP[];
  /** Every endpoint of every EndpointSlice of the service. */
  readonly endpoints: readonly EndpointInfo[];
}

export interface AnnounceInput {
  readonly services: readonly ServiceState[];
  readonly nodes: readonly NodeInfo[];
  readonly config: Config;
  /** Members alive for ownership (membership's view; this node is absent when it is fenced). */
  readonly live: ReadonlySet<string>;
  /** This node's name. */
  readonly self: string;
}

/** Why a node that is eligible for a service still does not own its IP. */
export type NotOwnerCause =
  /** The owner matches more (or heavier) preferredNodeSelectors. */
  | 'preference'
  /** Same preference; the owner's rendezvous hash of (node, IP) is lower. */
  | 'hash'
  /** The IP is shared, and the owner is eligible for more of the services sharing it. */
  | 'shared-ip-coverage';

/** Why a node does (or does not) announce one IP of a service in L2 mode. */
export type L2Verdict =
  | { readonly type: 'owner'; readonly ip: IP }
  | { readonly type: 'not-owner'; readonly ip: IP; readonly owner: string; readonly cause: NotOwnerCause }
  | { readonly type: 'ineligible'; readonly ip: IP; readonly reason: IneligibleReason };

/** Why a node does (or does not) advertise one IP of a service over BGP. */
export type BgpVerdict =
  | { readonly type: 'advertised'; readonly ip: IP; readonly prefixes: readonly Prefix[]; readonly peers: readonly string[] }
  /** Eligible, but none of the covering advertisements' peers has a session on this node. */
  | { readonly type: 'no-peer'; readonly ip: IP; readonly advertisements: readonly string[] }
  | { readonly type: 'ineligible'; readonly ip: IP; readonly reason: IneligibleReason };

/** One (service, node): a verdict per IP and mode (a mode no advertisement covers is left out). */
export interface ServiceNodeVerdict {
  readonly l2: readonly L2Verdict[];
  readonly bgp: readonly BgpVerdict[];
}

export interface L2Desired {
  readonly ip: IP;
  /** Keys of the services that share this IP, sorted. */
  readonly services: readonly string[];
  /** undefined: no eligible live node. */
  readonly owner: string | undefined;
  /** Interfaces the owner announces on (its covering advertisements'); empty: every suitable one. */
  readonly interfaces: readonly string[];
}

export interface BgpDesired {
  readonly prefix: Prefix;
  /** Per peer name (of this node's sessions): the route with its attributes. */
  readonly peers: ReadonlyMap<string, Advertisement>;
  /** Keys of the services whose IPs this prefix carries, sorted. */
  readonly services: readonly string[];
}

export interface Desired {
  /** Every IP some L2Advertisement covers, by IP key, with its owner. */
  readonly l2: ReadonlyMap<string, L2Desired>;
  /** The routes this node advertises, by prefix text. */
  readonly bgp: ReadonlyMap<string, BgpDesired>;
  /** Peer names this node has a session with (their nodeSelectors match it), sorted. */
  readonly sessionPeers: readonly string[];
  /** service key -> node -> verdict, for every node (only nodes some advertisement covers). */
  readonly why: ReadonlyMap<string, ReadonlyMap<string, ServiceNodeVerdict>>;
}
