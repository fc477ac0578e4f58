// BFD sessions (RFC 5880 asynchronous mode): the pure state machine and its clocked core, the
// UDP endpoint, and the port the BGP side uses.
export * from './fsm-types.js';
export { step, initialState, buildPacket } from './fsm.js';
export { detectionMs, jitteredMs, txIntervalUs } from './intervals.js';
export { BfdSessionCore, type BfdCoreOptions, type BfdStatus, type BfdStateListener } from './session-core.js';
export { BfdDemux, type DemuxEntry, type DemuxResult } from './demux.js';
export { BfdEndpoint, type BfdPeerSpec, type BfdSessionStatus, type BfdEndpointOptions, type BfdEndpointListener } from './endpoint.js';
export { peerSpec, specFromWire, type BfdPort, type BfdSessionWire, type BfdStateChange } from './port.js';
export { LocalBfd } from './local-port.js';
