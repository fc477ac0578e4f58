// Public API of node eligibility (shared by L2 and BGP).
export {
  nodeEligibility,
  usableEndpoints,
  coveringAdvertisements,
  EXCLUDE_LABEL,
  type NodeInfo,
  type ServiceInfo,
  type EndpointInfo,
  type AdvertisementScope,
  type IneligibleReason,
  type Eligibility,
} from './eligibility.js';
