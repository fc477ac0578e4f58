export * from './exec.js';
export * from './topology.js';
