export * from './work-queue.js';
export * from './lease-decision.js';
export * from './leader-election.js';
export * from './informer.js';
export * from './events.js';
export * from './patch.js';
export * from './config-watcher.js';
export * from './kubeconfig.js';
