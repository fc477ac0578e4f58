// Golden files: the expected output lives in cli/test/golden/<name>. HERALD_UPDATE_GOLDEN=1
// rewrites them (then read the diff before committing). A missing golden file fails.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** cli/ (tests run from cli/dist/test/...). */
export const CLI_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const FIXTURES = `${CLI_ROOT}test/fixtures/`;

export function assertGolden(name: string, actual: string): void {
  const file = `${CLI_ROOT}test/golden/${name}`;
  if (process.env['HERALD_UPDATE_GOLDEN'] === '1') {
    writeFileSync(file, actual);
    return;
  }
  assert.ok(existsSync(file), `golden file ${file} is missing (run with HERALD_UPDATE_GOLDEN=1 and check it)`);
  assert.equal(actual, readFileSync(file, 'utf8'), `output differs from ${file}`);
}
