// Field paths for server-side apply and managedFields: an object is flattened into leaf paths
// (`f:spec` / `f:ports` / `k:{"port":80,"protocol":"TCP"}` / `f:name`), which encode to and
// from the FieldsV1 JSON that kube-apiserver stores in metadata.managedFields.

import { deepEqual, isObject, type Json, type JsonObject } from './json.js';

export type FieldPath = readonly string[];
export type FieldSet = Map<string, FieldPath>;

const SEP = '\u0000';

/** Keys that identify items of associative lists (first present wins). */
const listKeys: readonly (readonly string[])[] = [
  ['port', 'protocol'], ['containerPort', 'protocol'], ['name'], ['type'], ['uid'], ['key'], ['mountPath'], ['ip'],
];

const skippedMeta = new Set(['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generateName']);
const scalarSetLists = new Set(['finalizers']);

function itemKey(item: Json, field: string): string | undefined {
  if (!isObject(item)) return undefined;
  for (const ks of listKeys) {
    const first = ks[0] ?? '';
    if (item[first] === undefined) continue;
    if (first === 'name' && field === 'ports' && item['port'] !== undefined) continue;
    const k: JsonObject = {};
    for (const kk of ks) {
      const v = item[kk];
      if (v !== undefined) k[kk] = v;
      else if (kk === 'protocol') k[kk] = 'TCP';
    }
    return `k:${JSON.stringify(k)}`;
  }
  return undefined;
}

function walk(v: Json, path: string[], field: string, out: FieldSet): void {
  if (isObject(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) out.set(path.join(SEP), [...path]);
    for (const k of keys) {
      if (path.length === 0 && (k === 'apiVersion' || k === 'kind')) continue;
      if (path.length === 1 && path[0] === 'f:metadata' && skippedMeta.has(k)) continue;
      const child = v[k];
      if (child !== undefined) walk(child, [...path, `f:${k}`], k, out);
    }
    return;
  }
  if (Array.isArray(v) && v.length > 0) {
    if (scalarSetLists.has(field) && v.every((x) => typeof x === 'string')) {
      for (const x of v) out.set([...path, `v:${JSON.stringify(x)}`].join(SEP), [...path, `v:${JSON.stringify(x)}`]);
      return;
    }
    const keys = v.map((x) => itemKey(x, field));
    if (keys.every((k) => k !== undefined) && new Set(keys).size === keys.length) {
      v.forEach((x, i) => walk(x, [...path, keys[i] ?? ''], field, out));
      return;
    }
  }
  out.set(path.join(SEP), [...path]);
}

export function leafPaths(obj: JsonObject): FieldSet {
  const out: FieldSet = new Map();
  walk(obj, [], '', out);
  return out;
}

/** The value at a field path, or undefined. */
export function valueAt(obj: Json | undefined, path: FieldPath): Json | undefined {
  let cur: Json | undefined = obj;
  let field = '';
  for (const seg of path) {
    if (cur === undefined) return undefined;
    if (seg.startsWith('f:')) {
      field = seg.slice(2);
      cur = isObject(cur) ? cur[field] : undefined;
    } else if (seg.startsWith('k:')) {
      const f = field;
      cur = Array.isArray(cur) ? cur.find((x) => itemKey(x, f) === seg) : undefined;
    } else if (seg.startsWith('v:')) {
      const want = JSON.parse(seg.slice(2)) as Json;
      cur = Array.isArray(cur) && cur.some((x) => deepEqual(x, want)) ? want : undefined;
    }
  }
  return cur;
}

/** Removes the value at a field path (used when an applier stops owning a field). */
export function removeAt(obj: JsonObject, path: FieldPath): void {
  let cur: Json | undefined = obj;
  let field = '';
  for (let i = 0; i < path.length; i++) {
    const seg = path[i] ?? '';
    const last = i === path.length - 1;
    if (seg.startsWith('f:')) {
      field = seg.slice(2);
      if (!isObject(cur)) return;
      if (last) delete cur[field];
      else cur = cur[field];
    } else if (Array.isArray(cur)) {
      const f = field;
      const idx = seg.startsWith('k:')
        ? cur.findIndex((x) => itemKey(x, f) === seg)
        : cur.findIndex((x) => deepEqual(x, JSON.parse(seg.slice(2)) as Json));
      if (idx < 0) return;
      if (last) cur.splice(idx, 1);
      else cur = cur[idx];
    } else return;
  }
}

/** Merges an applied configuration into a live object: maps recursively, keyed lists by key. */
export function applyMerge(live: Json | undefined, cfg: Json, field = ''): Json {
  if (isObject(cfg)) {
    const out: JsonObject = isObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(cfg)) out[k] = applyMerge(out[k], v, k);
    return out;
  }
  if (Array.isArray(cfg) && Array.isArray(live)) {
    if (scalarSetLists.has(field)) return [...live, ...cfg.filter((c) => !live.some((l) => deepEqual(l, c)))];
    const keys = cfg.map((x) => itemKey(x, field));
    if (keys.every((k) => k !== undefined)) {
      const out = [...live];
      cfg.forEach((c, i) => {
        const j = out.findIndex((l) => itemKey(l, field) === keys[i]);
        if (j >= 0) out[j] = applyMerge(out[j], c, field);
        else out.push(c);
      });
      return out;
    }
  }
  return cfg;
}

export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  for (const path of set.values()) {
    let cur = root;
    for (const seg of path) {
      const next = cur[seg];
      if (isObject(next)) cur = next;
      else {
        const n: JsonObject = {};
        cur[seg] = n;
        cur = n;
      }
    }
  }
  return root;
}

export function fromFieldsV1(f: Json | undefined): FieldSet {
  const out: FieldSet = new Map();
  const rec = (node: JsonObject, path: string[]): void => {
    const keys = Object.keys(node).filter((k) => k !== '.');
    if (keys.length === 0 && path.length > 0) out.set(path.join(SEP), path);
    for (const k of keys) {
      const child = node[k];
      if (isObject(child)) rec(child, [...path, k]);
    }
  };
  if (isObject(f)) rec(f, []);
  return out;
}

/** Renders a path the way conflict messages do: `.spec.ports[port=80,protocol="TCP"].nodePort`. */
export function renderPath(path: FieldPath): string {
  return path.map((seg) => {
    if (seg.startsWith('f:')) return `.${seg.slice(2)}`;
    if (seg.startsWith('k:')) {
      const k = JSON.parse(seg.slice(2)) as JsonObject;
      return `[${Object.entries(k).map(([a, b]) => `${a}=${JSON.stringify(b)}`).join(',')}]`;
    }
    return `[=${seg.slice(2)}]`;
  }).join('');
}

/** Paths whose value differs between two objects (added, changed or removed). */
export function changedPaths(before: JsonObject | undefined, after: JsonObject): FieldSet {
  const a = before === undefined ? new Map<string, FieldPath>() : leafPaths(before);
  const b = leafPaths(after);
  const out: FieldSet = new Map();
  for (const [k, p] of b) if (!a.has(k) || !deepEqual(valueAt(before, p), valueAt(after, p))) out.set(k, p);
  for (const [k, p] of a) if (!b.has(k)) out.set(k, p);
  return out;
}
