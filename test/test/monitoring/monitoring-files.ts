// The monitoring files' tests share these: every metric name a component's source registers
// (`name: 'herald_...'`), to check that alerts and dashboard queries read only what exists, and
// the dashboard's queries.
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

export interface Target { datasource?: { uid?: string }; expr?: string; refId?: string }
export interface Panel { type: string; title: string; datasource?: { uid?: string }; targets?: Target[]; panels?: Panel[] }
export interface Dashboard { schemaVersion: number; uid: string; panels: Panel[]; templating: { list: { name: string; type: string; query?: string }[] } }

export function dashboard(): Dashboard {
  return JSON.parse(readFileSync(join(monitoringDir, 'grafana-dashboard.json'), 'utf8')) as Dashboard;
}

/** Every query of the dashboard, with the panel it belongs to. */
export function dashboardQueries(d: Dashboard = dashboard()): { panel: string; refId: string; expr: string }[] {
  const all = d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  return all.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, refId: t.refId ?? '?', expr: t.expr ?? '' })));
}
