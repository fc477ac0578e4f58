export * from './log.js';
export * from './metrics.js';
export * from './clock.js';
export * from './net/index.js';
export * from './config/model.js';
export * from './k8s/index.js';
export * from './api/index.js';
export * from './config/index.js';
