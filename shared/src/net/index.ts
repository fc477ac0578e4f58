export * from './ip.js';
export * from './prefix.js';
export * from './range.js';
