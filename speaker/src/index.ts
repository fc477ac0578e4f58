// Public API of @herald/speaker (what the lab, the e2e suites and benchmarks use).
export * from './announce/index.js';
export * from './reconcile/index.js';
export { l2StatusObject, bgpStatusObject, statusName, statusNames, NODE_LABEL } from './status/desired-status.js';
export { StatusWriter, canonical } from './status/status-writer.js';
export { OwnerTable, type L2Slot } from './layer2/owner-table.js';
export { FastPath, type FastPathOptions } from './fastpath/fast-path.js';
export type { FastPathInit } from './fastpath/protocol.js';
export { AnnounceState, type AnnounceChanges, type OwnerChange } from './announce/announce-state.js';
export type { OwnedIP } from './layer2/announcer.js';
export type { Advertisement } from './bgp/adj-rib-out.js';
export type { SessionStatus } from './bgp/session-core.js';
// The protocol halves, as namespaces so their names (DecodeError, ...) never collide.
export * as bgp from './bgp/index.js';
export * as bgpWire from './wire/bgp/index.js';
export * as bfd from './bfd/index.js';
export * as bfdWire from './wire/bfd/index.js';
export * as layer2 from './layer2/index.js';
export * as membership from './membership/index.js';
export * from './election/index.js';
export * from './eligibility/index.js';
