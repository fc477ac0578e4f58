export * from './netns/index.js';
export * from './site/cluster.js';
