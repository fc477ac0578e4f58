// Names that are part of Herald's public contract: the API group, the annotations (with their
// MetalLB twins), labels and the default namespace.

export const GROUP = 'herald.dev';
export const VERSION = 'v1beta1';
export const API_VERSION = `${GROUP}/${VERSION}`;

/** Herald's own namespace; all Herald objects live here. */
export const DEFAULT_NAMESPACE = 'herald-system';

/** Nodes with this label never announce (Kubernetes' well-known label). */
export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

/** Service annotations Herald reads. Each has a metallb.io twin that is honoured too. */
export const ANNOTATION_LOAD_BALANCER_IPS = 'herald.dev/loadBalancerIPs';
export const ANNOTATION_ADDRESS_POOL = 'herald.dev/address-pool';
export const ANNOTATION_ALLOW_SHARED_IP = 'herald.dev/allow-shared-ip';

export const METALLB_ANNOTATION_LOAD_BALANCER_IPS = 'metallb.io/loadBalancerIPs';
export const METALLB_ANNOTATION_ADDRESS_POOL = 'metallb.io/address-pool';
export const METALLB_ANNOTATION_ALLOW_SHARED_IP = 'metallb.io/allow-shared-ip';

/** Written by the controller on a Service: the pool its IPs came from. */
export const ANNOTATION_IP_ALLOCATED_FROM_POOL = 'herald.dev/ip-allocated-from-pool';

/** The annotations Herald reads, each with its twin. */
export const ANNOTATION_TWINS = {
  [ANNOTATION_LOAD_BALANCER_IPS]: METALLB_ANNOTATION_LOAD_BALANCER_IPS,
  [ANNOTATION_ADDRESS_POOL]: METALLB_ANNOTATION_ADDRESS_POOL,
  [ANNOTATION_ALLOW_SHARED_IP]: METALLB_ANNOTATION_ALLOW_SHARED_IP,
} as const;

export type ReadAnnotation = keyof typeof ANNOTATION_TWINS;

/** Kinds of the herald.dev API. */
export const KINDS = [
  'IPAddressPool',
  'L2Advertisement',
  'BGPAdvertisement',
  'BGPPeer',
  'BFDProfile',
  'Community',
  'ServiceL2Status',
  'ServiceBGPStatus',
  'ConfigurationState',
  'BGPSessionState',
] as const;
export type Kind = (typeof KINDS)[number];
