#!/usr/bin/env node
// kubectl-herald: `kubectl herald ...` once on PATH, `npx kubectl-herald ...` from the repository.
// Checks the Node version first (the Kubernetes client needs 24 here), then loads the program.
import { requireNodeMajor } from '@herald/shared/node-version';

requireNodeMajor('kubectl-herald');
const { run } = await import('./main.js');
const { setTimeout: sleep } = await import('node:timers/promises');

const ac = new AbortController();
process.on('SIGINT', () => ac.abort());
const code = await run(
  process.argv.slice(2),
  {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    now: () => Date.now(),
    sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
  },
  ac.signal,
);
process.exitCode = code;
