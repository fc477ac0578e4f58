// Where the speaker's test fixtures (probes and standalone responders: the real shells, run alone
// as processes) are compiled: speaker/dist/test/fixtures, beside the entry point's dist/src. They
// are not in speaker/src, so they never reach the image.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The compiled fixture `name` (e.g. "l2-standalone.js"); throws, naming the path, if it is not built. */
export function speakerFixture(name: string): string {
  const p = join(dirname(fileURLToPath(import.meta.resolve('@herald/speaker'))), '..', 'test', 'fixtures', name);
  if (!existsSync(p)) throw new Error(`speaker fixture ${name} is not built at ${p} (run make build)`);
  return p;
}
