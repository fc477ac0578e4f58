// The flags the manifests pass exist in the programs: read from the parseArgs options of the
// package's top-level src files. Until a program's main.ts exists the check is skipped, loudly.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, one, podSpec, rendered } from './fixtures.js';

/** Option names declared in `parseArgs({ options: { name: { type: ... } } })` blocks. */
export function parseArgsOptions(source: string): string[] {
  const out: string[] = [];
  for (const block of source.matchAll(/options:\s*\{([\s\S]*?)\n\s*\},?\s*\n/g)) {
    for (const m of block[1]!.matchAll(/^\s*'?([a-z][a-z0-9-]*)'?\s*:\s*\{\s*type:/gm)) out.push(m[1]!);
  }
  return out;
}

describe('manifest flags exist in the programs', () => {
  const programs = [
    { pkg: 'controller', obj: () => one(rendered('default'), 'Deployment', 'herald-controller') },
    { pkg: 'speaker', obj: () => one(rendered('default'), 'DaemonSet', 'herald-speaker') },
  ];
  for (const p of programs) {
    it(`every flag config/ passes to herald-${p.pkg} is a parseArgs option in ${p.pkg}/src`, function () {
      const src = join(ROOT, p.pkg, 'src');
      if (!existsSync(join(src, 'main.ts'))) {
        process.stderr.write(`\n!!! SKIPPED "${this.test?.fullTitle() ?? p.pkg}": ${p.pkg}/src/main.ts does not exist yet\n\n`);
        this.skip();
      }
      const files = readdirSync(src).filter((f) => f.endsWith('.ts'));
      const options = files.flatMap((f) => parseArgsOptions(readFileSync(join(src, f), 'utf8')));
      assert.ok(options.length > 0, `no parseArgs options found in ${p.pkg}/src/*.ts`);
      const args: string[] = podSpec(p.obj()).containers[0].args;
      const passed = args.slice(1).map((a) => /^--([a-z][a-z0-9-]*)/.exec(a)?.[1] ?? a);
      assert.deepEqual(passed.filter((f) => !options.includes(f)), [], `options: ${options.join(', ')}`);
    });
  }

  const cases: { desc: string; input: string; want: string[] }[] = [
    { desc: 'quoted and bare names', input: "parseArgs({\n  options: {\n    kubeconfig: { type: 'string' },\n    'lb-class': { type: 'string' },\n  },\n  strict: true,\n});\n", want: ['kubeconfig', 'lb-class'] },
    { desc: 'no parseArgs', input: 'const x = 1;\n', want: [] },
  ];
  for (const tc of cases) it(`parseArgsOptions: ${tc.desc}`, () => assert.deepEqual(parseArgsOptions(tc.input), tc.want));
});
