// BFD control packet codec (RFC 5880 §4): pure, node:buffer only.
export * from './types.js';
export * from './errors.js';
export { decodeControl, encodeControl, parseControl } from './control.js';
export { decodeAuth } from './auth.js';
