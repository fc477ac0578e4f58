// Public API of the pure "what this node announces" core.
export { desiredAnnouncements, poolOf, peersForNode, weightedPreferences } from './desired.js';
export { announceContext, type AnnounceContext } from './context.js';
export { groupByIP, ipService, endpointsOn, type IPEntry, type IPService } from './ip-entries.js';
export { rankL2, electL2, interfacesFor, type L2Rank, type L2Election } from './l2-rank.js';
export { bgpForIP, mergeRoutes, mergeAdvertisement, type BgpForIP, type PrefixRoute } from './bgp-routes.js';
export { serviceState, nodeInfo, endpointsOf, ingressIPs, handles, serviceKey, SERVICE_NAME_LABEL } from './from-k8s.js';
export { describeIneligible, describeL2, describeBgp, ownerChangeMessage } from './describe.js';
export { perPeerRoutes, ownedIPs } from './views.js';
export type { AnnounceInput, ServiceState, Desired, L2Desired, BgpDesired, L2Verdict, BgpVerdict, ServiceNodeVerdict, NotOwnerCause } from './types.js';
