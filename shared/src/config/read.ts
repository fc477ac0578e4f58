// Typed reads from unknown JSON. Each reports a wrong type at its field and returns undefined.
import type { Scope } from './issues.js';

export type JSONObject = Readonly<Record<string, unknown>>;

export function isObject(v: unknown): v is JSONObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A short, safe rendering of a bad value for an error message. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return JSON.stringify(v.length > 64 ? `${v.slice(0, 61)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return typeof v;
}

export function wantType(scope: Scope, field: string, what: string, v: unknown): undefined {
  scope.error(field, `must be ${what}, not ${show(v)}`);
  return undefined;
}

export function optString(o: JSONObject, key: string, field: string, scope: Scope): string | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') return wantType(scope, field, 'a string', v);
  return v;
}

export function optBool(o: JSONObject, key: string, field: string, scope: Scope): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') return wantType(scope, field, 'true or false', v);
  return v;
}

export function optInt(o: JSONObject, key: string, field: string, scope: Scope, min: number, max: number): number | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) return wantType(scope, field, 'an integer', v);
  if (v < min || v > max) {
    scope.error(field, `must be between ${min} and ${max}, not ${v}`);
    return undefined;
  }
  return v;
}

export function optObject(o: JSONObject, key: string, field: string, scope: Scope): JSONObject | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (!isObject(v)) return wantType(scope, field, 'an object', v);
  return v;
}

export function optArray(o: JSONObject, key: string, field: string, scope: Scope): readonly unknown[] {
  const v = o[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) {
    wantType(scope, field, 'a list', v);
    return [];
  }
  return v;
}

/** A list of strings; wrong entries are reported and skipped; duplicates are errors. */
export function optStringList(o: JSONObject, key: string, field: string, scope: Scope, what = 'entry'): string[] {
  const out: string[] = [];
  const seen = new Map<string, number>();
  optArray(o, key, field, scope).forEach((v, i) => {
    if (typeof v !== 'string') {
      wantType(scope, `${field}[${i}]`, 'a string', v);
      return;
    }
    const first = seen.get(v);
    if (first !== undefined) {
      scope.error(`${field}[${i}]`, `duplicate ${what} ${JSON.stringify(v)} (also ${field}[${first}])`);
      return;
    }
    seen.set(v, i);
    out.push(v);
  });
  return out;
}
