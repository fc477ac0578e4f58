// Patch algorithms: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and a strategic merge
// patch for built-in kinds (lists merged by their Kubernetes merge keys). Pure functions.

import { clone, deepEqual, isObject, type Json, type JsonObject } from './json.js';

export class PatchError extends Error {
  /** 400 for a malformed patch document, 422 when a well-formed patch does not apply. */
  readonly code: 400 | 422;
  constructor(code: 400 | 422, message: string) {
    super(message);
    this.name = 'PatchError';
    this.code = code;
  }
}

export function mergePatch(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

function unescapePointer(s: string): string {
  return s.replace(/~1/g, '/').replace(/~0/g, '~');
}

function splitPointer(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) throw new PatchError(422, `invalid JSON pointer ${JSON.stringify(p)}`);
  return p.slice(1).split('/').map(unescapePointer);
}

interface Slot {
  parent: JsonObject | Json[];
  key: string;
}

function resolveParent(doc: Json, path: string[], op: string, raw: string): Slot {
  let cur: Json = doc;
  for (let i = 0; i < path.length - 1; i++) {
    const k = path[i] ?? '';
    const next: Json | undefined = Array.isArray(cur) ? cur[Number(k)] : isObject(cur) ? cur[k] : undefined;
    if (next === undefined) throw new PatchError(422, `${op} operation does not apply: doc is missing path: "${raw}": missing value`);
    cur = next;
  }
  if (!Array.isArray(cur) && !isObject(cur)) throw new PatchError(422, `${op} operation does not apply: doc is missing path: "${raw}": missing value`);
  return { parent: cur, key: path[path.length - 1] ?? '' };
}

function arrayIndex(arr: Json[], key: string, allowEnd: boolean, op: string): number {
  if (key === '-' && allowEnd) return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(key)) throw new PatchError(422, `${op} operation does not apply: invalid array index ${JSON.stringify(key)}`);
  const i = Number(key);
  if (i > arr.length || (!allowEnd && i === arr.length)) throw new PatchError(422, `${op} operation does not apply: index out of range: ${i}`);
  return i;
}

function getAt(doc: Json, raw: string, op: string): Json {
  const path = splitPointer(raw);
  if (path.length === 0) return doc;
  const { parent, key } = resolveParent(doc, path, op, raw);
  const v = Array.isArray(parent) ? parent[arrayIndex(parent, key, false, op)] : parent[key];
  if (v === undefined) throw new PatchError(422, `${op} operation does not apply: doc is missing path: "${raw}": missing value`);
  return v;
}

function removeAt(doc: Json, raw: string, op: string): Json {
  const path = splitPointer(raw);
  const { parent, key } = resolveParent(doc, path, op, raw);
  if (Array.isArray(parent)) return parent.splice(arrayIndex(parent, key, false, op), 1)[0] ?? null;
  if (!(key in parent)) throw new PatchError(422, `${op} operation does not apply: doc is missing key: ${raw}: missing value`);
  const v = parent[key] ?? null;
  delete parent[key];
  return v;
}

function addAt(doc: Json, raw: string, value: Json, op: string): Json {
  const path = splitPointer(raw);
  if (path.length === 0) return value;
  const { parent, key } = resolveParent(doc, path, op, raw);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true, op), 0, value);
  else parent[key] = value;
  return doc;
}

export function jsonPatch(target: Json, ops: unknown): Json {
  if (!Array.isArray(ops)) {
    const what = isObject(ops) ? 'object' : typeof ops;
    throw new PatchError(400, `json: cannot unmarshal ${what} into Go value of type jsonpatch.Patch`);
  }
  let doc = clone(target);
  for (const o of ops) {
    if (!isObject(o)) throw new PatchError(400, 'json: cannot unmarshal non-object into Go struct field of type jsonpatch.Operation');
    const op = o['op'];
    const path = o['path'];
    if (typeof op !== 'string' || typeof path !== 'string') throw new PatchError(422, 'Unable to apply patch: missing op or path');
    switch (op) {
      case 'add':
        if (o['value'] === undefined) throw new PatchError(422, 'add operation missing value');
        doc = addAt(doc, path, clone(o['value']), op);
        break;
      case 'remove':
        removeAt(doc, path, op);
        break;
      case 'replace':
        if (o['value'] === undefined) throw new PatchError(422, 'replace operation missing value');
        if (path === '') doc = clone(o['value']);
        else {
          removeAt(doc, path, op);
          doc = addAt(doc, path, clone(o['value']), op);
        }
        break;
      case 'move': {
        const from = o['from'];
        if (typeof from !== 'string') throw new PatchError(422, 'move operation missing from');
        const v = removeAt(doc, from, op);
        doc = addAt(doc, path, v, op);
        break;
      }
      case 'copy': {
        const from = o['from'];
        if (typeof from !== 'string') throw new PatchError(422, 'copy operation missing from');
        doc = addAt(doc, path, clone(getAt(doc, from, op)), op);
        break;
      }
      case 'test':
        if (!deepEqual(getAt(doc, path, op), o['value'])) throw new PatchError(422, `testing value ${path} failed: test failed`);
        break;
      default:
        throw new PatchError(422, `Unexpected kind: ${op}`);
    }
  }
  return doc;
}

/** Merge keys of built-in list fields, by field name (first key present in an item wins). */
const mergeKeys: Record<string, string[]> = {
  containers: ['name'], initContainers: ['name'], ephemeralContainers: ['name'], volumes: ['name'],
  env: ['name'], volumeMounts: ['mountPath'], imagePullSecrets: ['name'], conditions: ['type'],
  ports: ['port', 'containerPort'], ownerReferences: ['uid'], taints: ['key'], addresses: ['type'],
  hostAliases: ['ip'],
};
/** Lists of scalars that strategic merge treats as sets. */
const mergeScalarLists = new Set(['finalizers']);

function keyOf(item: Json, keys: readonly string[]): string | undefined {
  if (!isObject(item)) return undefined;
  for (const k of keys) if (item[k] !== undefined) return `${k}=${JSON.stringify(item[k])}`;
  return undefined;
}

function strategicList(field: string, target: Json[], patch: Json[]): Json[] {
  if (mergeScalarLists.has(field)) {
    const out = [...target];
    for (const v of patch) if (!out.some((t) => deepEqual(t, v))) out.push(v);
    return out;
  }
  const keys = mergeKeys[field];
  if (keys === undefined || patch.some((p) => keyOf(p, keys) === undefined)) {
    return patch.filter((p) => !(isObject(p) && p['$patch'] !== undefined));
  }
  if (patch.some((p) => isObject(p) && p['$patch'] === 'replace')) {
    return patch.filter((p) => !(isObject(p) && p['$patch'] === 'replace'));
  }
  const out = [...target];
  for (const p of patch) {
    const k = keyOf(p, keys);
    const i = out.findIndex((t) => keyOf(t, keys) === k);
    if (isObject(p) && p['$patch'] === 'delete') {
      if (i >= 0) out.splice(i, 1);
    } else if (i >= 0) out[i] = strategicMerge(out[i], p);
    else out.push(strategicMerge(undefined, p));
  }
  return out;
}

export function strategicMerge(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  if (patch['$patch'] === 'replace') {
    const { $patch: _drop, ...rest } = patch;
    return clone(rest);
  }
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith('$setElementOrder/')) continue;
    if (k.startsWith('$deleteFromPrimitiveList/')) {
      const field = k.slice('$deleteFromPrimitiveList/'.length);
      const cur = out[field];
      if (Array.isArray(cur) && Array.isArray(v)) out[field] = cur.filter((c) => !v.some((d) => deepEqual(c, d)));
      continue;
    }
    const cur = out[k];
    if (v === null) delete out[k];
    else if (Array.isArray(v) && Array.isArray(cur)) out[k] = strategicList(k, cur, v);
    else if (Array.isArray(v)) out[k] = strategicList(k, [], v);
    else out[k] = strategicMerge(cur, v);
  }
  return out;
}
