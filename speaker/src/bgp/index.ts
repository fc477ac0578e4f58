// The BGP speaker: pure FSM and Adj-RIB-Out, the session core (clock and I/O injected) and the
// TCP shell.
export * from './fsm-types.js';
export { step, initialState, retryDelayMs, OPEN_HOLD_MS } from './fsm.js';
export { buildOpen, checkOpen, type OpenCheck } from './open-check.js';
export { AdjRibOut, attributesFor, type RibOutContext } from './adj-rib-out.js';
export { sameAdvertisement, attributeSignature, type Advertisement } from './advertisement.js';
export { DesiredRoutes, type DesiredRoute } from './desired-routes.js';
export { SessionCore, type SessionIO, type SessionStatus, type SessionCoreOptions, type StateListener } from './session-core.js';
export { BgpSession, type BgpSessionOptions, type BgpSessionEvents } from './session.js';
export { selectRouterId, type RouterIdSource } from './router-id.js';
export { nextHopsFor, type InterfaceTable } from './next-hops.js';
