// A small kustomize: enough of `kubectl kustomize` to render Herald's config/ (kubectl is not
// installed here). Supported: resources (files and folders), namespace, labels, commonLabels,
// images, patches (strategic merge, inline or by path, with or without a target, including
// `$patch: delete`). Anything else in a kustomization is an error, so a feature this renderer
// does not know can never be silently ignored.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { isMap, strategicMerge } from './strategic-merge.js';

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

const KNOWN_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'labels', 'commonLabels', 'images', 'patches']);

/** Kinds that have no namespace; kustomize's namespace never lands on them. */
export const CLUSTER_SCOPED = new Set([
  'Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'PriorityClass',
  'StorageClass', 'PersistentVolume', 'Node', 'APIService', 'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
]);

const WORKLOADS = new Set(['Deployment', 'DaemonSet', 'StatefulSet', 'ReplicaSet', 'Job']);

export function kustomizationFile(dir: string): string | undefined {
  return ['kustomization.yaml', 'kustomization.yml', 'Kustomization'].map((f) => join(dir, f)).find((f) => existsSync(f));
}

/** Renders the kustomization in dir, like `kubectl kustomize dir`. Throws on any error. */
export function kustomize(dir: string): K8sObject[] {
  const file = kustomizationFile(dir);
  if (!file) throw new Error(`${dir}: no kustomization.yaml`);
  const k: unknown = parse(readFileSync(file, 'utf8'));
  if (!isMap(k)) throw new Error(`${file}: not a map`);
  for (const key of Object.keys(k)) if (!KNOWN_FIELDS.has(key)) throw new Error(`${file}: unsupported field ${key}`);
  if (k.kind !== 'Kustomization') throw new Error(`${file}: kind is ${String(k.kind)}`);

  let objects: K8sObject[] = [];
  for (const r of asList<string>(k.resources, file, 'resources')) {
    const path = resolve(dir, r);
    if (!existsSync(path)) throw new Error(`${file}: resource ${r} does not exist`);
    if (statSync(path).isDirectory()) objects.push(...kustomize(path));
    else {
      // As kustomize: a file resource must sit in or below the kustomization's folder.
      if (relative(dir, path).startsWith('..') || relative(dir, path).startsWith(sep)) {
        throw new Error(`${file}: file ${r} is outside the kustomization root`);
      }
      objects.push(...readObjects(path));
    }
  }
  checkUnique(objects, file);

  if (k.namespace !== undefined) objects = objects.map((o) => setNamespace(o, String(k.namespace)));
  for (const p of asList<unknown>(k.patches, file, 'patches')) objects = applyPatch(objects, p, dir, file);
  if (k.commonLabels !== undefined) {
    objects = objects.map((o) => addLabels(o, stringMap(k.commonLabels, file), true, true));
  }
  for (const l of asList<unknown>(k.labels, file, 'labels')) {
    if (!isMap(l)) throw new Error(`${file}: labels entry is not a map`);
    const sel = l.includeSelectors === true;
    objects = objects.map((o) => addLabels(o, stringMap(l.pairs, file), sel, sel || l.includeTemplates === true));
  }
  for (const img of asList<unknown>(k.images, file, 'images')) objects = objects.map((o) => setImage(o, img, file));
  checkUnique(objects, file);
  return objects;
}

export function readObjects(path: string): K8sObject[] {
  const out: K8sObject[] = [];
  for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
    if (doc.errors.length) throw new Error(`${path}: ${doc.errors[0]!.message}`);
    const o: unknown = doc.toJS();
    if (o === null || o === undefined) continue;
    out.push(asObject(o, path));
  }
  return out;
}

function asObject(o: unknown, where: string): K8sObject {
  if (!isMap(o) || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string' || !isMap(o.metadata) || typeof o.metadata.name !== 'string' || o.metadata.name === '') {
    throw new Error(`${where}: an object without apiVersion, kind or metadata.name`);
  }
  return o as K8sObject;
}

function asList<T>(v: unknown, file: string, field: string): T[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new Error(`${file}: ${field} is not a list`);
  return v as T[];
}

function stringMap(v: unknown, file: string): Record<string, string> {
  if (!isMap(v)) throw new Error(`${file}: labels are not a map`);
  return Object.fromEntries(Object.entries(v).map(([a, b]) => [a, String(b)]));
}

export function objectId(o: K8sObject): string {
  const group = o.apiVersion.includes('/') ? o.apiVersion.split('/')[0] : '';
  return `${group}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function checkUnique(objects: K8sObject[], file: string): void {
  const seen = new Set<string>();
  for (const o of objects) {
    const id = objectId(o);
    if (seen.has(id)) throw new Error(`${file}: ${id} is defined twice`);
    seen.add(id);
  }
}

function clone<T>(v: T): T {
  return structuredClone(v);
}

function setNamespace(o: K8sObject, ns: string): K8sObject {
  const out = clone(o);
  if (!CLUSTER_SCOPED.has(o.kind)) out.metadata.namespace = ns;
  if ((o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') && Array.isArray(out.subjects)) {
    for (const s of out.subjects as unknown[]) if (isMap(s) && s.kind === 'ServiceAccount') s.namespace = ns;
  }
  return out;
}

function applyPatch(objects: K8sObject[], p: unknown, dir: string, file: string): K8sObject[] {
  if (!isMap(p)) throw new Error(`${file}: patch is not a map`);
  const text = typeof p.patch === 'string' ? p.patch : typeof p.path === 'string' ? readFileSync(resolve(dir, p.path), 'utf8') : undefined;
  if (text === undefined) throw new Error(`${file}: patch without patch or path`);
  const body: unknown = parse(text);
  if (!isMap(body)) throw new Error(`${file}: patch body is not a map (JSON 6902 patches are not supported)`);
  const target = isMap(p.target) ? p.target : isMap(body.metadata) ? { kind: body.kind, name: body.metadata.name, namespace: body.metadata.namespace } : {};
  const matches = (o: K8sObject): boolean =>
    (target.kind === undefined || o.kind === target.kind) &&
    (target.name === undefined || o.metadata.name === target.name) &&
    (target.namespace === undefined || o.metadata.namespace === target.namespace);
  const hits = objects.filter(matches);
  if (hits.length === 0) throw new Error(`${file}: patch target ${JSON.stringify(target)} matches nothing`);
  if (!isMap(p.target) && hits.length > 1) throw new Error(`${file}: patch target ${JSON.stringify(target)} is not unique`);
  if (body.$patch === 'delete') return objects.filter((o) => !matches(o));
  const { apiVersion: _a, kind: _k, ...rest } = body;
  const restMeta = isMap(rest.metadata) ? { ...rest.metadata } : undefined;
  if (restMeta) {
    delete restMeta.name;
    delete restMeta.namespace;
    rest.metadata = restMeta;
  }
  return objects.map((o) => (matches(o) ? asObject(strategicMerge(o, rest), file) : o));
}

function addLabels(o: K8sObject, pairs: Record<string, string>, selectors: boolean, templates: boolean): K8sObject {
  const out = clone(o);
  out.metadata.labels = { ...(out.metadata.labels ?? {}), ...pairs };
  const spec = isMap(out.spec) ? out.spec : undefined;
  if (spec && templates && WORKLOADS.has(o.kind) && isMap(spec.template)) {
    const meta = isMap(spec.template.metadata) ? spec.template.metadata : (spec.template.metadata = {});
    meta.labels = { ...(isMap(meta.labels) ? meta.labels : {}), ...pairs };
  }
  if (spec && selectors) {
    if (o.kind === 'Service') spec.selector = { ...(isMap(spec.selector) ? spec.selector : {}), ...pairs };
    else if ((WORKLOADS.has(o.kind) || o.kind === 'PodDisruptionBudget') && isMap(spec.selector)) {
      spec.selector.matchLabels = { ...(isMap(spec.selector.matchLabels) ? spec.selector.matchLabels : {}), ...pairs };
    }
  }
  return out;
}

/** image reference -> {name, tag, digest}; the tag is after the last ':' that follows the last '/'. */
export function parseImage(ref: string): { name: string; tag: string | undefined; digest: string | undefined } {
  const [nameTag, digest] = ref.split('@') as [string, string | undefined];
  const slash = nameTag.lastIndexOf('/');
  const colon = nameTag.lastIndexOf(':');
  if (colon > slash) return { name: nameTag.slice(0, colon), tag: nameTag.slice(colon + 1), digest };
  return { name: nameTag, tag: undefined, digest };
}

/** Every container (and init container) of an object with a pod template or a pod spec. */
export function containersOf(o: K8sObject): Record<string, unknown>[] {
  const spec = isMap(o.spec) ? o.spec : undefined;
  const podSpec = o.kind === 'Pod' ? spec : spec && isMap(spec.template) && isMap(spec.template.spec) ? spec.template.spec : undefined;
  if (!podSpec) return [];
  return [...asList<unknown>(podSpec.containers, o.kind, 'containers'), ...asList<unknown>(podSpec.initContainers, o.kind, 'initContainers')].filter(isMap);
}

function setImage(o: K8sObject, img: unknown, file: string): K8sObject {
  if (!isMap(img) || typeof img.name !== 'string') throw new Error(`${file}: images entry without name`);
  const out = clone(o);
  for (const c of containersOf(out)) {
    if (typeof c.image !== 'string') continue;
    const ref = parseImage(c.image);
    if (ref.name !== img.name) continue;
    const name = typeof img.newName === 'string' ? img.newName : ref.name;
    if (typeof img.digest === 'string') c.image = `${name}@${img.digest}`;
    else {
      const tag = typeof img.newTag === 'string' || typeof img.newTag === 'number' ? `${img.newTag}` : ref.tag;
      c.image = `${name}${tag !== undefined ? `:${tag}` : ''}${ref.digest !== undefined ? `@${ref.digest}` : ''}`;
    }
  }
  return out;
}
