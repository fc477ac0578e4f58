// A speaker-membership node for the e2e test, run inside a node namespace:
//   node member-node.js --node node1 --key-file K --peer node1=192.0.2.11 --peer node2=... 
// It runs the real Membership shell over real UDP (speaker/test/fixtures/membership-probe.ts) and prints
// one JSON line per change of its view. The Lease side is a stub (renewals always succeed,
// members are static) until the embedded API server is wired into the speaker.
//
// The probe is a test fixture of @herald/speaker (not in its src/, so not in the image): it is
// loaded from speaker/dist/test/fixtures, beside the entry point's dist/src.
import { createLogger } from '@herald/shared';
import type * as Probe from '../../../speaker/dist/test/fixtures/membership-probe.js';

const probe = (await import(new URL('../test/fixtures/membership-probe.js', import.meta.resolve('@herald/speaker')).href)) as typeof Probe;
const out = createLogger({ component: 'member-node', sink: (line) => process.stdout.write(line + '\n') });
try {
  await probe.runProbe(process.argv.slice(2), out);
  process.exit(0);
} catch (err) {
  process.stderr.write(`member-node failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(2);
}
