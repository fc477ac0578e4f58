// The packet thread must stay small and must not share fate with the Kubernetes client: walk
// the module graph the worker really loads (the compiled JavaScript, where type-only imports are
// gone) and check that neither @kubernetes/client-node, nor prom-client, nor the root of
// @herald/shared (which re-exports the Kubernetes helpers) is in it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const entry = resolve(here, '../../src/fastpath/worker.js');
const require = createRequire(import.meta.url);

function specifiers(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of src.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of src.matchAll(/(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) out.push(m[1]!);
  for (const m of src.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push(m[1]!);
  return out;
}

function graph(start: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const todo = [start];
  while (todo.length) {
    const f = todo.pop()!;
    if (files.has(f)) continue;
    files.add(f);
    for (const s of specifiers(f)) {
      if (s.startsWith('node:')) continue;
      if (s.startsWith('.')) {
        todo.push(resolve(dirname(f), s));
        continue;
      }
      packages.add(s);
      // Follow our own workspace packages, whose subpaths resolve to files in this repository.
      if (s.startsWith('@herald/')) {
        const p = require.resolve(s);
        if (existsSync(p)) todo.push(p);
      }
    }
  }
  return { files, packages };
}

describe('fastpath: what the packet thread loads', () => {
  it('finds the worker entry and walks its imports', () => {
    const g = graph(entry);
    assert.ok(g.files.size > 10, `only ${g.files.size} modules found from ${entry}`);
    assert.ok([...g.files].some((f) => f.endsWith('membership/membership.js')));
    assert.ok([...g.files].some((f) => f.endsWith('layer2/announcer.js')));
  });

  it('loads neither the Kubernetes client nor prom-client nor the root of @herald/shared', () => {
    const { packages } = graph(entry);
    const bad = [...packages].filter((p) => p === '@herald/shared' || p.startsWith('@kubernetes/') || p === 'prom-client' || p.startsWith('@herald/shared/k8s') || p.startsWith('@herald/shared/metrics'));
    assert.deepEqual(bad, []);
  });
});
