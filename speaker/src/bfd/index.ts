// BFD sessions (RFC 5880 asynchronous mode): the pure state machine and its clocked core.
export * from './fsm-types.js';
export { step, initialState, buildPacket } from './fsm.js';
export { detectionMs, jitteredMs, txIntervalUs } from './intervals.js';
export { BfdSessionCore, type BfdCoreOptions, type BfdStatus, type BfdStateListener } from './session-core.js';
