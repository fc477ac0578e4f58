// The lab runs the programs as shipped (shipped.ts): the bundle, refused when missing or older
// than a compiled module it is built from. A fake tree in a temporary directory, with set mtimes.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { repoRoot } from '../../src/site/cluster.js';
import { BUNDLE_FILES, ShippedFormError, programFile } from '../../src/site/shipped.js';

function tree(files: Record<string, number>): string {
  const root = mkdtempSync(join(tmpdir(), 'herald-shipped-'));
  for (const [f, t] of Object.entries(files)) {
    const p = join(root, f);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, '');
    utimesSync(p, t, t);
  }
  return root;
}

const cases: { desc: string; files: Record<string, number>; unbundled?: boolean; want?: string; wantError?: RegExp }[] = [
  { desc: 'a bundle newer than every module: the bundle', files: { [BUNDLE_FILES.speaker]: 200, 'speaker/dist/src/main.js': 100, 'shared/dist/src/k8s/trim.js': 150 }, want: BUNDLE_FILES.speaker },
  { desc: 'no bundle: refused, saying how to build it', files: { 'speaker/dist/src/main.js': 100 }, wantError: /no bundle of herald-speaker .*make build/ },
  { desc: 'a shared module newer than the bundle: refused, naming it', files: { [BUNDLE_FILES.speaker]: 200, 'speaker/dist/src/main.js': 100, 'shared/dist/src/k8s/trim.js': 300 }, wantError: /older than .*shared\/dist\/src\/k8s\/trim\.js/ },
  { desc: 'a module of its own package newer: refused', files: { [BUNDLE_FILES.speaker]: 200, 'speaker/dist/src/reconcile/speaker.js': 300 }, wantError: /older than .*speaker\.js/ },
  { desc: 'unbundled (HERALD_LAB_UNBUNDLED=1): the compiled main module, bundle or not', files: { 'speaker/dist/src/main.js': 100 }, unbundled: true, want: 'speaker/dist/src/main.js' },
];

describe('programFile: the lab runs the shipped bundles', () => {
  for (const c of cases) {
    it(c.desc, () => {
      const root = tree(c.files);
      try {
        if (c.wantError) assert.throws(() => programFile(root, 'speaker', c.unbundled ?? false), (e: unknown) => e instanceof ShippedFormError && c.wantError!.test(e.message));
        else assert.equal(programFile(root, 'speaker', c.unbundled ?? false), join(root, c.want!));
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }

  it('this checkout: both bundles exist and are current (make build ran the bundler)', () => {
    const root = repoRoot();
    for (const p of ['controller', 'speaker'] as const) assert.equal(programFile(root, p, false), join(root, BUNDLE_FILES[p]));
  });
});
