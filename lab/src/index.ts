export * from './netns/index.js';
export * from './site/cluster.js';
export * from './routers/index.js';
export * from './site/plan.js';
export * from './site/lab.js';
export * from './site/kube-proxy.js';
export * from './apiserver/index.js';
export { endpointSlice } from './site/objects.js';
export * from './site/deployed.js';
