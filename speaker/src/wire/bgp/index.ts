// BGP-4 wire codec: pure (node:buffer and @herald/shared net only).
export * from './errors.js';
export * from './types.js';
export * from './cursor.js';
export { encodeMessage, decodeMessage, checkHeader, defaultContext } from './message.js';
export { BgpFramer } from './framer.js';
export { buildAnnouncements, buildWithdrawals, endOfRib, type RouteGroup } from './update-builder.js';
export { encodeAttributes, decodeAttributes, type DecodedAttributes } from './attributes.js';
export { encodeAsPath, decodeAsPath, mergeAs4Path } from './as-path.js';
export { encodePrefixes, decodePrefixes, prefixWireLength } from './nlri.js';
export { UpdatePacker, packAll, prefixBudget, type PackKind } from './update-packer.js';
export { encodeShutdownCommunication, decodeShutdownCommunication, SHUTDOWN_COMMUNICATION_MAX, type ShutdownCommunication } from './shutdown-communication.js';
export * from './extended-community.js';
