export * from './allocator/index.js';
export * from './controller.js';
export * from './reconcile/reconciler.js';
export * from './reconcile/service-status.js';
export * from './service/service-input.js';
export * from './service/relearn.js';
