// Speaker membership: which speakers are alive, and whether this one must self-fence.
// See liveness.ts for the partition rule.
export * from './heartbeat-codec.js';
export * from './replay-guard.js';
export * from './liveness.js';
export * from './member-facts.js';
export * from './key-file.js';
export * from './udp-transport.js';
export * from './lease-keeper.js';
export * from './membership.js';
export * from './k8s-members.js';
export * from './metrics.js';
export * from './heard-set.js';
