// Every metric name a component's source registers (`name: 'herald_...'`), for the tests that
// check that alerts and dashboard queries read only what exists.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const monitoringDir = join(repoRoot, 'config', 'monitoring');

export function exportedMetrics(): Set<string> {
  const out = new Set<string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/name: '(herald_[a-z0-9_]+)'/g)) out.add(m[1]!);
    }
  };
  for (const pkg of ['shared', 'controller', 'speaker']) walk(join(repoRoot, pkg, 'src'));
  return out;
}

/** The herald_ metrics a PromQL expression reads that no component exports (histogram suffixes allowed). */
export function unknownMetrics(expr: string, exported: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const m of expr.matchAll(/herald_[a-z0-9_]+/g)) {
    const name = m[0];
    const base = name.replace(/_(bucket|sum|count)$/, '');
    if (!exported.has(name) && !exported.has(base)) out.push(name);
  }
  return out;
}
