// Plain JSON values as the API server stores them. Stored objects are never mutated in place:
// every write builds a new object, so history entries and watchers can share references.

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function clone<T extends Json>(v: T): T {
  return structuredClone(v);
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!Object.prototype.hasOwnProperty.call(bo, k) || !deepEqual(ao[k], bo[k])) return false;
  return true;
}

/** The object at obj[k], or an empty object (not attached). */
export function objAt(obj: JsonObject | undefined, k: string): JsonObject {
  const v = obj?.[k];
  return isObject(v) ? v : {};
}

export function strAt(obj: JsonObject | undefined, k: string): string | undefined {
  const v = obj?.[k];
  return typeof v === 'string' ? v : undefined;
}

export function arrAt(obj: JsonObject | undefined, k: string): Json[] {
  const v = obj?.[k];
  return Array.isArray(v) ? v : [];
}

/** Reads a dotted path (a.b.c) through objects; undefined if any step is missing. */
export function getPath(obj: Json | undefined, path: readonly string[]): Json | undefined {
  let cur: Json | undefined = obj;
  for (const p of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

/** Go's %#v-ish rendering used in Kubernetes field error messages. */
export function goValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Text of a scalar for messages and keys (objects as JSON). */
export function text(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === undefined) return '';
  return JSON.stringify(v);
}
