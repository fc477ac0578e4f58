#!/usr/bin/env node
// Entry point of the membership probe (see probe.ts). Used by the e2e test and the benchmark.
import { createLogger } from '@herald/shared/log';
import { runProbe } from './probe.js';

const out = createLogger({ component: 'membership-probe', sink: (line) => process.stdout.write(line + '\n') });
runProbe(process.argv.slice(2), out).then(
  () => process.exit(0),
  (err: unknown) => {
    createLogger({ component: 'membership-probe' }).error('probe-failed', { err });
    process.exit(2);
  },
);
