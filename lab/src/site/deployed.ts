// What the real manifests give each component, so the lab runs them the same way: the process
// environment their containers set for memory (config/controller/deployment.yaml,
// config/speaker/daemonset.yaml): NODE_OPTIONS (V8's heap caps) and MALLOC_ARENA_MAX (glibc's
// malloc arenas).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './cluster.js';

const manifests = { controller: 'config/controller/deployment.yaml', speaker: 'config/speaker/daemonset.yaml' } as const;

/** The variables the lab copies from a manifest's container (literal values only). */
export const DEPLOYED_ENV = ['NODE_OPTIONS', 'MALLOC_ARENA_MAX'] as const;
export type DeployedEnv = Partial<Record<(typeof DEPLOYED_ENV)[number], string>>;

interface Container {
  env?: { name?: string; value?: string }[];
}

/** DEPLOYED_ENV as the manifest sets them for this component's container (the first container that sets any). */
export function deployedEnv(component: keyof typeof manifests): DeployedEnv {
  const text = readFileSync(join(repoRoot(), manifests[component]), 'utf8');
  for (const doc of parseAllDocuments(text)) {
    const o = doc.toJSON() as { kind?: string; spec?: { template?: { spec?: { containers?: Container[] } } } } | null;
    if (o?.kind !== 'Deployment' && o?.kind !== 'DaemonSet') continue;
    for (const c of o.spec?.template?.spec?.containers ?? []) {
      const out: DeployedEnv = {};
      for (const name of DEPLOYED_ENV) {
        const v = c.env?.find((e) => e.name === name)?.value;
        if (v !== undefined) out[name] = v;
      }
      if (Object.keys(out).length > 0) return out;
    }
  }
  return {};
}

/** The NODE_OPTIONS the manifest sets for this component's container, or undefined. */
export function deployedNodeOptions(component: keyof typeof manifests): string | undefined {
  return deployedEnv(component).NODE_OPTIONS;
}
