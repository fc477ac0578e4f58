// The validated config model: what every component runs on. It is built once from the raw
// Herald objects by parse-config.ts, is immutable, and never holds a raw CR or an IP as a string.
// This file is the contract between the config parser, the allocator and the speaker.
import type { Family, IP, IPRange } from '../net/index.js';

/** Labels of a Kubernetes object. */
export type Labels = Readonly<Record<string, string>>;

/** A compiled metav1.LabelSelector (matchLabels and matchExpressions, ANDed). */
export interface Selector {
  /** Canonical text form, e.g. "zone in (a,b),!legacy". "" matches everything. */
  readonly text: string;
  matches(labels: Labels): boolean;
}

/** Where a config error is: the object and the field path inside it. */
export interface ConfigErrorLocation {
  readonly kind: string;
  readonly namespace: string;
  readonly name: string;
  /** JSON-path-like: "spec.addresses[2]". */
  readonly field: string;
}

export interface ConfigError extends ConfigErrorLocation {
  readonly message: string;
}

/** "IPAddressPool herald-system/prod spec.addresses[2]: invalid CIDR \"x\"" */
export function formatConfigError(e: ConfigError): string {
  return `${e.kind} ${e.namespace}/${e.name} ${e.field}: ${e.message}`;
}

export interface ServiceAllocation {
  /** Lower runs first (MetalLB: priority 1 beats 2); pools without one run last. */
  readonly priority: number | undefined;
  readonly namespaces: readonly string[];
  readonly namespaceSelectors: readonly Selector[];
  readonly serviceSelectors: readonly Selector[];
}

export interface Pool {
  readonly name: string;
  readonly ranges: readonly IPRange[];
  readonly autoAssign: boolean;
  /** Skip .0 and .255 addresses (buggy consumer routers). */
  readonly avoidBuggyIPs: boolean;
  /** undefined: the pool is not pinned to namespaces or services. */
  readonly serviceAllocation: ServiceAllocation | undefined;
  /** Families that this pool has addresses in. */
  readonly families: ReadonlySet<Family>;
}

export type Community =
  | { readonly type: 'standard'; readonly asn: number; readonly value: number }
  | { readonly type: 'large'; readonly global: number; readonly local1: number; readonly local2: number };

export interface L2Advertisement {
  readonly name: string;
  /** Pools this advertisement covers, resolved from ipAddressPools and ipAddressPoolSelectors. */
  readonly pools: ReadonlySet<string>;
  /** Empty: every node. */
  readonly nodeSelectors: readonly Selector[];
  /** Empty: every suitable interface. */
  readonly interfaces: readonly string[];
  /** Empty: every service. */
  readonly serviceSelectors: readonly Selector[];
  /** Nodes matching more of these rank first in the election. */
  readonly preferredNodeSelectors: readonly Selector[];
  /**
   * The weight (1..100) of each preferredNodeSelectors entry, same index (MetalLB's
   * {weight, preference}); a node scores the sum of the weights it matches. Absent: 1 each.
   */
  readonly preferredNodeWeights?: readonly number[];
}

export interface BGPAdvertisement {
  readonly name: string;
  readonly pools: ReadonlySet<string>;
  readonly aggregationLength: number;
  readonly aggregationLengthV6: number;
  readonly localPref: number | undefined;
  readonly communities: readonly Community[];
  /** Peer names; empty: every peer. */
  readonly peers: readonly string[];
  readonly nodeSelectors: readonly Selector[];
  readonly serviceSelectors: readonly Selector[];
  /**
   * Attach the BGP Link Bandwidth extended community with a bandwidth proportional to this node's
   * ready local endpoints (externalTrafficPolicy: Local Services only), so a router doing
   * weighted ECMP splits traffic by endpoints rather than by nodes.
   */
  readonly weightByLocalEndpoints: boolean;
}

export interface BGPPeer {
  readonly name: string;
  readonly myASN: number;
  readonly peerASN: number;
  readonly peerAddress: IP;
  readonly peerPort: number;
  readonly sourceAddress: IP | undefined;
  /** Seconds; 0 disables the hold timer. */
  readonly holdTime: number;
  readonly keepaliveTime: number;
  readonly connectTime: number;
  readonly routerID: IP | undefined;
  readonly nodeSelectors: readonly Selector[];
  /** The TCP MD5 password, resolved from the Secret (never logged). */
  readonly password: string | undefined;
  readonly bfdProfile: string | undefined;
  readonly ebgpMultiHop: boolean;
  readonly enableGracefulRestart: boolean;
  readonly isIBGP: boolean;
}

export interface BFDProfile {
  readonly name: string;
  readonly receiveInterval: number;
  readonly transmitInterval: number;
  readonly detectMultiplier: number;
  readonly passiveMode: boolean;
  readonly minimumTtl: number;
}

/** The whole validated config. Maps are keyed by object name. */
export interface Config {
  readonly pools: ReadonlyMap<string, Pool>;
  readonly l2Advertisements: readonly L2Advertisement[];
  readonly bgpAdvertisements: readonly BGPAdvertisement[];
  readonly peers: ReadonlyMap<string, BGPPeer>;
  readonly bfdProfiles: ReadonlyMap<string, BFDProfile>;
}

export type ConfigResult =
  | { readonly ok: true; readonly config: Config }
  | { readonly ok: false; readonly errors: readonly ConfigError[] };
