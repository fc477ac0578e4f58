export * from './skip.js';
export * from './full-objects.js';
