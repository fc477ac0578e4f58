// What the manifest tests look at: every kustomization under config/, rendered once.
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { kustomizationFile, kustomize, type K8sObject } from './kustomize.js';
import { findRepoRoot } from './repo-root.js';

export const ROOT = findRepoRoot();
export const CONFIG = join(ROOT, 'config');

/** Folders under config/ that hold a kustomization, relative to config/ ('default', ...). */
export function kustomizationDirs(dir = CONFIG): string[] {
  const out: string[] = [];
  if (kustomizationFile(dir)) out.push(relative(CONFIG, dir) || '.');
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) out.push(...kustomizationDirs(p));
  }
  return out;
}

const cache = new Map<string, K8sObject[]>();

/** The rendered objects of config/<dir>. */
export function rendered(dir: string): K8sObject[] {
  let objs = cache.get(dir);
  if (!objs) {
    objs = kustomize(join(CONFIG, dir));
    cache.set(dir, objs);
  }
  return objs;
}

/** The one object of that kind and name in a render; throws if absent or ambiguous. */
export function one(objs: K8sObject[], kind: string, name: string): K8sObject {
  const hits = objs.filter((o) => o.kind === kind && o.metadata.name === name);
  if (hits.length !== 1) throw new Error(`${kind}/${name}: ${hits.length} objects`);
  return hits[0]!;
}

/** The pod spec of a workload, and its first container. */
export function podSpec(o: K8sObject): any {
  return (o as any).spec.template.spec;
}

/** The value of --flag=value in an args list, or undefined. */
export function flag(args: readonly string[], name: string): string | undefined {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a?.slice(name.length + 3);
}

/** The port of an address flag value (':7472', '0.0.0.0:7472', '[::]:7472'). */
export function portOf(addr: string | undefined): number | undefined {
  const m = addr === undefined ? null : /:(\d+)$/.exec(addr);
  return m ? Number(m[1]) : undefined;
}
