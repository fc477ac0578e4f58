// Public API of the pure "what this node announces" core.
export { desiredAnnouncements, poolOf, peersForNode, weightedPreferences } from './desired.js';
export { serviceState, nodeInfo, endpointsOf, ingressIPs, handles, serviceKey, SERVICE_NAME_LABEL } from './from-k8s.js';
export { describeIneligible, describeL2, describeBgp, ownerChangeMessage } from './describe.js';
export { perPeerRoutes, ownedIPs } from './views.js';
export type { AnnounceInput, ServiceState, Desired, L2Desired, BgpDesired, L2Verdict, BgpVerdict, ServiceNodeVerdict, NotOwnerCause } from './types.js';
