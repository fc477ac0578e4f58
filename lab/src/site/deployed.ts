// What the real manifests give each component, so the lab runs them the same way: today the
// V8 heap cap in NODE_OPTIONS (config/controller/deployment.yaml, config/speaker/daemonset.yaml).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { repoRoot } from './cluster.js';

const manifests = { controller: 'config/controller/deployment.yaml', speaker: 'config/speaker/daemonset.yaml' } as const;

interface Container {
  env?: { name?: string; value?: string }[];
}

/** The NODE_OPTIONS the manifest sets for this component's container, or undefined. */
export function deployedNodeOptions(component: keyof typeof manifests): string | undefined {
  const text = readFileSync(join(repoRoot(), manifests[component]), 'utf8');
  for (const doc of parseAllDocuments(text)) {
    const o = doc.toJSON() as { kind?: string; spec?: { template?: { spec?: { containers?: Container[] } } } } | null;
    if (o?.kind !== 'Deployment' && o?.kind !== 'DaemonSet') continue;
    for (const c of o.spec?.template?.spec?.containers ?? []) {
      const v = c.env?.find((e) => e.name === 'NODE_OPTIONS')?.value;
      if (v !== undefined) return v;
    }
  }
  return undefined;
}
