// Product src/ holds product code only (issue 17 item 2). Benchmarks live in the bench/ workspace,
// loud-skip helpers in testkit/, probes and standalone responders in their package's test/fixtures.
// This walks the src/ of every product package (what `tsc -b` compiles into dist/src, and what the
// image copies) and the package manifests, and fails on any bench or test-only module, or import of
// the bench and test workspaces.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from '../manifests/fixtures.js';

const PRODUCT = ['shared', 'controller', 'speaker', 'lab'] as const;

/** Why a path (relative to a package's src/) is bench or test-only code, or undefined. */
export function testOnlyName(path: string): string | undefined {
  const parts = path.split('/');
  const file = parts.at(-1) ?? '';
  if (parts.slice(0, -1).some((d) => d === 'bench' || d === 'testing' || d === 'fixtures')) return 'a bench/testing/fixtures folder';
  if (/^(bench|probe|standalone)([.-]|$)/.test(file) || /-bench\.ts$/.test(file)) return 'a bench, probe or standalone module';
  return undefined;
}

/** The imports in a source text that reach bench or test-only workspaces. */
export function testOnlyImports(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
    const spec = m[1]!;
    if (/^@herald\/(bench|testkit|e2e)(\/|$)/.test(spec) || spec === '@herald/shared/testing' || /(^|\/)(bench|testkit)\/(src|dist)\//.test(spec)) out.push(spec);
  }
  return out;
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (e.endsWith('.ts')) out.push(p);
  }
  return out;
}

describe('layout: product src/ ships no bench or test-only code', () => {
  const cases: { desc: string; input: string; want: boolean }[] = [
    { desc: 'flags a bench folder', input: 'bench/config-bench.ts', want: true },
    { desc: 'flags a testing folder', input: 'testing/skip.ts', want: true },
    { desc: 'flags bench.ts', input: 'layer2/bench.ts', want: true },
    { desc: 'flags bench-netns.ts', input: 'membership/bench-netns.ts', want: true },
    { desc: 'flags bench-util.ts', input: 'apiserver/bench-util.ts', want: true },
    { desc: 'flags probe-main.ts', input: 'membership/probe-main.ts', want: true },
    { desc: 'flags probe.ts', input: 'membership/probe.ts', want: true },
    { desc: 'flags standalone.ts', input: 'layer2/standalone.ts', want: true },
    { desc: 'flags x-bench.ts', input: 'bench/allocator-bench.ts', want: true },
    { desc: 'keeps responder.ts', input: 'layer2/responder.ts', want: false },
    { desc: 'keeps liveness-peer.ts', input: 'membership/liveness-peer.ts', want: false },
    { desc: 'keeps benchmark-free names that start alike', input: 'bgp/benches-of-the-park.ts', want: false },
  ];
  for (const c of cases) it(`name rule: ${c.desc}`, () => assert.equal(testOnlyName(c.input) !== undefined, c.want));

  const importCases: { desc: string; input: string; want: string[] }[] = [
    { desc: 'the bench workspace', input: "import { median } from '@herald/bench/stats';", want: ['@herald/bench/stats'] },
    { desc: 'the testkit', input: "import { skipUnless } from '@herald/testkit';", want: ['@herald/testkit'] },
    { desc: "shared's old testing subpath", input: "import { skipUnless } from '@herald/shared/testing';", want: ['@herald/shared/testing'] },
    { desc: 'a relative path into bench/', input: "const m = await import('../../bench/dist/src/l2.js');", want: ['../../bench/dist/src/l2.js'] },
    { desc: 'product subpaths are fine', input: "import { IP } from '@herald/shared/net';", want: [] },
  ];
  for (const c of importCases) it(`import rule: ${c.desc}`, () => assert.deepEqual(testOnlyImports(c.input), c.want));

  for (const pkg of PRODUCT) {
    it(`${pkg}/src has no bench or test-only module and imports none`, () => {
      const src = join(ROOT, pkg, 'src');
      const files = walk(src);
      assert.ok(files.length > 10, `found only ${files.length} files under ${src}`);
      const bad: string[] = [];
      for (const f of files) {
        const rel = relative(src, f);
        const why = testOnlyName(rel);
        if (why) bad.push(`${pkg}/src/${rel}: ${why}`);
        for (const spec of testOnlyImports(readFileSync(f, 'utf8'))) bad.push(`${pkg}/src/${rel}: imports ${spec}`);
      }
      assert.deepEqual(bad, [], `move these to bench/, testkit/ or ${pkg}/test/fixtures`);
    });

    it(`${pkg}/package.json exports no bench or testing subpath and depends on no test workspace`, () => {
      const pj = JSON.parse(readFileSync(join(ROOT, pkg, 'package.json'), 'utf8')) as { exports?: Record<string, unknown>; dependencies?: Record<string, string> };
      assert.ok(existsSync(join(ROOT, pkg, 'package.json')));
      const bad = [
        ...Object.keys(pj.exports ?? {}).filter((k) => /bench|testing|fixtures/.test(k)).map((k) => `exports ${k}`),
        ...Object.keys(pj.dependencies ?? {}).filter((d) => /^@herald\/(bench|testkit|e2e)$/.test(d)).map((d) => `depends on ${d}`),
      ];
      assert.deepEqual(bad, []);
    });
  }
});
