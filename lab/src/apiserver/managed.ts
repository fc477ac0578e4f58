// managedFields bookkeeping and server-side apply: who owns which field, conflicts between
// managers (409 FieldManagerConflict unless force), and removal of fields an applier dropped.

import { clone, deepEqual, isObject, type Json, type JsonObject } from './json.js';
import {
  applyMerge, changedPaths, fromFieldsV1, leafPaths, removeAt, renderPath, toFieldsV1, valueAt,
  type FieldPath, type FieldSet,
} from './fields.js';

export interface ManagedEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time: string;
  subresource: string | undefined;
  fields: FieldSet;
}

export interface Conflict {
  manager: string;
  path: FieldPath;
}

function meta(obj: JsonObject | undefined): JsonObject {
  const m = obj?.['metadata'];
  return isObject(m) ? m : {};
}

export function readManaged(obj: JsonObject | undefined): ManagedEntry[] {
  const mf = meta(obj)['managedFields'];
  if (!Array.isArray(mf)) return [];
  return mf.filter(isObject).map((e) => ({
    manager: typeof e['manager'] === 'string' ? e['manager'] : '',
    operation: e['operation'] === 'Apply' ? 'Apply' : 'Update',
    apiVersion: typeof e['apiVersion'] === 'string' ? e['apiVersion'] : '',
    time: typeof e['time'] === 'string' ? e['time'] : '',
    subresource: typeof e['subresource'] === 'string' ? e['subresource'] : undefined,
    fields: fromFieldsV1(e['fieldsV1']),
  }));
}

function encode(entries: readonly ManagedEntry[]): Json[] {
  return entries.filter((e) => e.fields.size > 0).map((e) => {
    const o: JsonObject = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion, time: e.time, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(e.fields) };
    if (e.subresource !== undefined) o['subresource'] = e.subresource;
    return o;
  });
}

function withManaged(obj: JsonObject, entries: readonly ManagedEntry[]): JsonObject {
  const m = { ...meta(obj) };
  const enc = encode(entries);
  if (enc.length > 0) m['managedFields'] = enc;
  else delete m['managedFields'];
  return { ...obj, metadata: m };
}

/** Records an Update by `manager`: it takes every field it changed; others lose those fields. */
export function recordUpdate(old: JsonObject | undefined, next: JsonObject, manager: string, apiVersion: string,
  subresource: string | undefined, now: string): JsonObject {
  const entries = readManaged(old);
  const changed = changedPaths(old, next);
  if (changed.size === 0) return withManaged(next, entries);
  for (const e of entries) for (const k of changed.keys()) e.fields.delete(k);
  let mine = entries.find((e) => e.manager === manager && e.operation === 'Update' && e.subresource === subresource);
  if (mine === undefined) {
    mine = { manager, operation: 'Update', apiVersion, time: now, subresource, fields: new Map() };
    entries.push(mine);
  }
  mine.time = now;
  const present = leafPaths(next);
  for (const [k, p] of changed) if (present.has(k)) mine.fields.set(k, p);
  return withManaged(next, entries);
}

export type ApplyResult = { type: 'ok'; obj: JsonObject } | { type: 'conflict'; conflicts: Conflict[] };

/** Server-side apply of `cfg` by `manager` onto `live` (undefined: create). */
export function applyConfig(live: JsonObject | undefined, cfg: JsonObject, manager: string, force: boolean,
  apiVersion: string, now: string): ApplyResult {
  const entries = readManaged(live);
  const want = leafPaths(cfg);
  const conflicts: Conflict[] = [];
  for (const e of entries) {
    if (e.manager === manager && e.operation === 'Apply') continue;
    for (const [k, p] of want) {
      if (e.fields.has(k) && !deepEqual(valueAt(live, p), valueAt(cfg, p))) {
        if (force) e.fields.delete(k);
        else conflicts.push({ manager: e.manager, path: p });
      }
    }
  }
  if (conflicts.length > 0) return { type: 'conflict', conflicts };
  let mine = entries.find((e) => e.manager === manager && e.operation === 'Apply');
  const result = clone(live ?? {});
  if (mine !== undefined) {
    for (const [k, p] of mine.fields) {
      if (want.has(k)) continue;
      if (entries.some((e) => e !== mine && e.fields.has(k))) continue;
      removeAt(result, p);
    }
  } else {
    mine = { manager, operation: 'Apply', apiVersion, time: now, subresource: undefined, fields: new Map() };
    entries.push(mine);
  }
  mine.fields = want;
  mine.time = now;
  mine.apiVersion = apiVersion;
  const merged = applyMerge(result, cfg);
  return { type: 'ok', obj: withManaged(isObject(merged) ? merged : {}, entries) };
}

export function conflictMessage(conflicts: readonly Conflict[]): string {
  const parts = conflicts.map((c) => `conflict with "${c.manager}": ${renderPath(c.path)}`);
  const n = conflicts.length;
  return `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${parts.join('\n')}`;
}

export function conflictCauses(conflicts: readonly Conflict[]): { reason: string; message: string; field: string }[] {
  return conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"`, field: renderPath(c.path) }));
}
