export * from './constants.js';
export * from './annotations.js';
export * from './types.js';
export * from './schema.js';
export * from './crd-defs.js';
export * from './crds.js';
export * from './service-class.js';
