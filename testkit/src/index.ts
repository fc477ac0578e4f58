// Test-only helpers that any workspace's tests may import (never a product src/): loud skips.
export * from './skip.js';
