// The herald.dev/v1beta1 objects as stored in the API server. Field names follow MetalLB's
// metallb.io/v1beta1 (v1beta2 for BGPPeer), so moving from MetalLB changes only apiVersion.
// These are wire shapes: nothing downstream of the config parser reads them. Object types are
// named V1beta1<Kind> (as @kubernetes/client-node names its types), so they never clash with
// the validated model's Pool, BGPPeer, ... in config/model.ts.

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  generation?: number;
  uid?: string;
  creationTimestamp?: string;
}

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

interface Obj<K extends string, S, St = never> {
  apiVersion?: string;
  kind?: K;
  metadata: ObjectMeta;
  spec: S;
  status?: St;
}

export interface ServiceAllocationSpec {
  priority?: number;
  namespaces?: string[];
  namespaceSelectors?: LabelSelector[];
  serviceSelectors?: LabelSelector[];
}

export interface IPAddressPoolSpec {
  /** CIDRs ("192.0.2.0/28") or ranges ("192.0.2.10-192.0.2.20"), IPv4 and IPv6. */
  addresses: string[];
  autoAssign?: boolean;
  avoidBuggyIPs?: boolean;
  serviceAllocation?: ServiceAllocationSpec;
}

export interface IPAddressPoolStatus {
  assignedIPv4?: number;
  assignedIPv6?: number;
  availableIPv4?: number;
  availableIPv6?: number;
}

export type V1beta1IPAddressPool = Obj<'IPAddressPool', IPAddressPoolSpec, IPAddressPoolStatus>;

export interface PreferredNodeSelector {
  /** 1..100; a node's score is the sum of the weights of the selectors it matches. */
  weight: number;
  preference: LabelSelector;
}

export interface L2AdvertisementSpec {
  ipAddressPools?: string[];
  ipAddressPoolSelectors?: LabelSelector[];
  nodeSelectors?: LabelSelector[];
  interfaces?: string[];
  serviceSelectors?: LabelSelector[];
  preferredNodeSelectors?: PreferredNodeSelector[];
}

export type V1beta1L2Advertisement = Obj<'L2Advertisement', L2AdvertisementSpec>;

export interface BGPAdvertisementSpec {
  aggregationLength?: number;
  aggregationLengthV6?: number;
  localPref?: number;
  /** "AA:NN", "large:A:B:C", a well-known name, or the name of a Community alias. */
  communities?: string[];
  ipAddressPools?: string[];
  ipAddressPoolSelectors?: LabelSelector[];
  nodeSelectors?: LabelSelector[];
  peers?: string[];
  serviceSelectors?: LabelSelector[];
  /** Attach the Link Bandwidth extended community, proportional to the node's ready local endpoints. */
  weightByLocalEndpoints?: boolean;
}

export type V1beta1BGPAdvertisement = Obj<'BGPAdvertisement', BGPAdvertisementSpec>;

export interface SecretReference {
  name?: string;
  namespace?: string;
}

export interface BGPPeerSpec {
  myASN: number;
  peerASN: number;
  peerAddress: string;
  peerPort?: number;
  sourceAddress?: string;
  /** Durations as Go writes them: "90s", "1m30s". */
  holdTime?: string;
  keepaliveTime?: string;
  connectTime?: string;
  routerID?: string;
  nodeSelectors?: LabelSelector[];
  password?: string;
  passwordSecret?: SecretReference;
  bfdProfile?: string;
  ebgpMultiHop?: boolean;
  enableGracefulRestart?: boolean;
  vrf?: string;
}

export type V1beta1BGPPeer = Obj<'BGPPeer', BGPPeerSpec>;

export interface BFDProfileSpec {
  /** Milliseconds. */
  receiveInterval?: number;
  transmitInterval?: number;
  detectMultiplier?: number;
  echoInterval?: number;
  echoMode?: boolean;
  passiveMode?: boolean;
  minimumTtl?: number;
}

export type V1beta1BFDProfile = Obj<'BFDProfile', BFDProfileSpec>;

export interface CommunityAlias {
  name: string;
  value: string;
}

export interface CommunitySpec {
  communities?: CommunityAlias[];
}

export type V1beta1Community = Obj<'Community', CommunitySpec>;

export interface ServiceL2StatusStatus {
  node?: string;
  serviceName?: string;
  serviceNamespace?: string;
  interfaces?: { name: string }[];
}

/** Written by the speaker that announces a Service in L2 mode. */
export type V1beta1ServiceL2Status = Obj<'ServiceL2Status', Record<string, never>, ServiceL2StatusStatus>;

export interface ServiceBGPStatusStatus {
  node?: string;
  serviceName?: string;
  serviceNamespace?: string;
  /** Names of the BGPPeers the service is advertised to from this node. */
  peers?: string[];
}

export type V1beta1ServiceBGPStatus = Obj<'ServiceBGPStatus', Record<string, never>, ServiceBGPStatusStatus>;

export type ConfigurationResult = 'Valid' | 'Invalid' | 'Unknown';

export interface ConfigurationStateStatus {
  /** Valid: the config in force is the latest; Invalid: the last good one stays in force. */
  result?: ConfigurationResult;
  /** The errors, one per line, as formatConfigError prints them. */
  errorSummary?: string;
  /** Which component wrote this: "controller" or "speaker". */
  component?: string;
  /** For speakers: the node. */
  node?: string;
  lastTransitionTime?: string;
}

export type V1beta1ConfigurationState = Obj<'ConfigurationState', Record<string, never>, ConfigurationStateStatus>;

/** BGP FSM states (RFC 4271 §8.2.2), as BGPSessionState reports them. */
export type BGPSessionFSMState = 'Idle' | 'Connect' | 'Active' | 'OpenSent' | 'OpenConfirm' | 'Established';

export interface BGPSessionStateStatus {
  /** The node whose speaker holds the session. */
  node?: string;
  /** The BGPPeer's name. */
  peer?: string;
  peerAddress?: string;
  state?: BGPSessionFSMState;
  /** RFC 3339; absent while the session is not Established. */
  establishedAt?: string;
  /** Prefixes advertised to the peer now. */
  prefixesSent?: number;
  /** Prefixes the peer announced to us (counted, never installed). */
  prefixesReceived?: number;
  /** UPDATE messages sent in the current session. */
  updatesSent?: number;
  /** Why the session last went down (or could not come up), readable; absent if it never did. */
  lastError?: string;
  /** When state last changed (RFC 3339). */
  lastTransitionTime?: string;
  /** The BFD session's state (RFC 5880), when the BGPPeer has a bfdProfile. */
  bfdState?: BFDSessionStateName;
}

export type BFDSessionStateName = 'AdminDown' | 'Down' | 'Init' | 'Up';

/** Written by each speaker: one per (node, BGPPeer) session, as MetalLB / FRR-K8s BGPSessionState. */
export type V1beta1BGPSessionState = Obj<'BGPSessionState', Record<string, never>, BGPSessionStateStatus>;
