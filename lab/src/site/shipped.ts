// The programs as shipped (issue 17): the esbuild bundles `make build` writes
// (scripts/bundle.mjs), which the image runs too. The lab, and so every suite and bench that
// starts a lab, runs these. A bundle older than the compiled modules it was built from would run
// yesterday's code, so that is refused, naming the newer file. HERALD_LAB_UNBUNDLED=1 runs the
// compiled modules instead (debugging: stack traces into dist/src).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export type Program = 'controller' | 'speaker';

/** Where each bundle is, relative to the repository root. */
export const BUNDLE_FILES: Readonly<Record<Program, string>> = { controller: 'controller/dist/bundle/herald-controller.js', speaker: 'speaker/dist/bundle/herald-speaker.js' };
/** The compiled modules a bundle is built from: its package's and shared's. */
const SOURCES: Readonly<Record<Program, readonly string[]>> = { controller: ['controller/dist/src', 'shared/dist/src'], speaker: ['speaker/dist/src', 'shared/dist/src'] };

export class ShippedFormError extends Error {
  override readonly name = 'ShippedFormError';
}

/** The newest .js file under `dir` (bounded: at most 10,000 entries), or undefined. */
function newest(dir: string): { file: string; mtimeMs: number } | undefined {
  let best: { file: string; mtimeMs: number } | undefined;
  const stack = [dir];
  for (let seen = 0; stack.length > 0 && seen < 10_000; seen++) {
    const d = stack.pop()!;
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) stack.push(p);
      else if (e.name.endsWith('.js')) {
        const m = statSync(p).mtimeMs;
        if (best === undefined || m > best.mtimeMs) best = { file: p, mtimeMs: m };
      }
    }
  }
  return best;
}

/**
 * The file to run for `program`: its bundle, checked to be newer than every compiled module it
 * holds; or with `unbundled`, the compiled main module.
 */
export function programFile(root: string, program: Program, unbundled = process.env['HERALD_LAB_UNBUNDLED'] === '1'): string {
  if (unbundled) return join(root, `${program}/dist/src/main.js`);
  const bundle = join(root, BUNDLE_FILES[program]);
  let built: number;
  try {
    built = statSync(bundle).mtimeMs;
  } catch {
    throw new ShippedFormError(`no bundle of herald-${program} at ${bundle}: run make build (tsc -b, then scripts/bundle.mjs), or set HERALD_LAB_UNBUNDLED=1`);
  }
  for (const dir of SOURCES[program]) {
    const n = newest(join(root, dir));
    if (n !== undefined && n.mtimeMs > built) throw new ShippedFormError(`the bundle ${bundle} is older than ${n.file}: run make build (it bundles after tsc -b), or set HERALD_LAB_UNBUNDLED=1`);
  }
  return bundle;
}
