// Test-only helpers that any workspace's tests may import (never a product src/): loud skips, and
// full objects as a kube-apiserver returns them (for the informer trims' tests).
export * from './skip.js';
export * from './full-objects.js';
