#!/usr/bin/env node
// kubectl-herald: `kubectl herald ...` once on PATH, `npx kubectl-herald ...` from the repository.
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from './main.js';

const ac = new AbortController();
process.on('SIGINT', () => ac.abort());
const code = await run(process.argv.slice(2), {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(ms, undefined, { signal }).catch(() => undefined),
}, ac.signal);
process.exitCode = code;
