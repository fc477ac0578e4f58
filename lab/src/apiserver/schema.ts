// Structural OpenAPI v3 schemas of custom resources: defaulting, pruning of unknown fields
// (unless x-kubernetes-preserve-unknown-fields) and validation into Kubernetes field errors.
// Pure: takes a value and a schema, returns the new value and the errors.

import { clone, deepEqual, goValue, text, isObject, type Json, type JsonObject } from './json.js';
import { fieldError, type FieldError } from './status.js';

export interface SchemaResult {
  value: Json;
  errors: FieldError[];
}

/** Metadata, apiVersion and kind at the root are never pruned or validated by the schema. */
const rootKeep = new Set(['apiVersion', 'kind', 'metadata']);

function typeOf(v: Json): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(v: Json, s: JsonObject): boolean {
  if (s['x-kubernetes-int-or-string'] === true) return typeof v === 'string' || Number.isInteger(v);
  const t = s['type'];
  if (typeof t !== 'string') return true;
  if (v === null) return s['nullable'] === true;
  const actual = typeOf(v);
  return actual === t || (t === 'number' && actual === 'integer');
}

function walk(v: Json, s: JsonObject, path: string, errs: FieldError[], root: boolean): Json {
  if (!typeMatches(v, s)) {
    if (v === null) return v;
    errs.push(fieldError('FieldValueTypeInvalid', path,
      `Invalid value: ${goValue(v)}: ${path} in body must be of type ${text(s['type'])}: ${JSON.stringify(typeOf(v))}`));
    return v;
  }
  if (isObject(v)) return walkObject(v, s, path, errs, root);
  if (Array.isArray(v)) {
    const items = s['items'];
    const out = isObject(items) ? v.map((x, i) => walk(x, items, `${path}[${i}]`, errs, false)) : v;
    const minI = s['minItems'];
    const maxI = s['maxItems'];
    if (typeof minI === 'number' && out.length < minI) errs.push(fieldError('FieldValueInvalid', path, `Invalid value: ${out.length}: ${path} in body should have at least ${minI} items`));
    if (typeof maxI === 'number' && out.length > maxI) errs.push(fieldError('FieldValueTooMany', path, `Too many: ${out.length}: must have at most ${maxI} items`));
    if (s['x-kubernetes-list-type'] === 'set') {
      out.forEach((x, i) => {
        if (out.findIndex((y) => deepEqual(x, y)) !== i) errs.push(fieldError('FieldValueDuplicate', `${path}[${i}]`, `Duplicate value: ${goValue(x)}`));
      });
    }
    return out;
  }
  checkScalar(v, s, path, errs);
  return v;
}

function checkScalar(v: Json, s: JsonObject, path: string, errs: FieldError[]): void {
  const en = s['enum'];
  if (Array.isArray(en) && !en.some((e) => deepEqual(e, v))) {
    errs.push(fieldError('FieldValueNotSupported', path, `Unsupported value: ${goValue(v)}: supported values: ${en.map((e) => goValue(e)).join(', ')}`));
  }
  if (typeof v === 'string') {
    const pat = s['pattern'];
    if (typeof pat === 'string' && !new RegExp(pat, 'u').test(v)) {
      errs.push(fieldError('FieldValueInvalid', path, `Invalid value: ${goValue(v)}: ${path} in body should match '${pat}'`));
    }
    const minL = s['minLength'];
    const maxL = s['maxLength'];
    if (typeof minL === 'number' && [...v].length < minL) errs.push(fieldError('FieldValueInvalid', path, `Invalid value: ${goValue(v)}: ${path} in body should be at least ${minL} chars long`));
    if (typeof maxL === 'number' && [...v].length > maxL) errs.push(fieldError('FieldValueTooLong', path, `Too long: may not be longer than ${maxL}`));
  }
  if (typeof v === 'number') {
    const min = s['minimum'];
    const max = s['maximum'];
    if (typeof min === 'number' && (s['exclusiveMinimum'] === true ? v <= min : v < min)) {
      errs.push(fieldError('FieldValueInvalid', path, `Invalid value: ${v}: ${path} in body should be greater than ${s['exclusiveMinimum'] === true ? '' : 'or equal to '}${min}`));
    }
    if (typeof max === 'number' && (s['exclusiveMaximum'] === true ? v >= max : v > max)) {
      errs.push(fieldError('FieldValueInvalid', path, `Invalid value: ${v}: ${path} in body should be less than ${s['exclusiveMaximum'] === true ? '' : 'or equal to '}${max}`));
    }
  }
}

function walkObject(v: JsonObject, s: JsonObject, path: string, errs: FieldError[], root: boolean): JsonObject {
  const props = isObject(s['properties']) ? s['properties'] : undefined;
  const addl = s['additionalProperties'];
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const out: JsonObject = {};
  const sub = (k: string): string => (path === '' ? k : `${path}.${k}`);
  for (const [k, val] of Object.entries(v)) {
    if (root && rootKeep.has(k)) {
      out[k] = val;
      continue;
    }
    const ps = props?.[k];
    if (isObject(ps)) out[k] = walk(val, ps, sub(k), errs, false);
    else if (isObject(addl)) out[k] = walk(val, addl, sub(k), errs, false);
    else if (preserve || addl === true || (props === undefined && addl === undefined && s['type'] !== 'object')) out[k] = val;
    // else: pruned
  }
  if (props) {
    for (const [k, ps] of Object.entries(props)) {
      if (out[k] === undefined && isObject(ps) && ps['default'] !== undefined) {
        out[k] = walk(clone(ps['default']), ps, sub(k), errs, false);
      }
    }
  }
  const req = s['required'];
  if (Array.isArray(req)) {
    for (const k of req) if (typeof k === 'string' && out[k] === undefined) errs.push(fieldError('FieldValueRequired', sub(k), 'Required value'));
  }
  const minP = s['minProperties'];
  if (typeof minP === 'number' && Object.keys(out).length < minP) {
    errs.push(fieldError('FieldValueInvalid', path, `Invalid value: ${Object.keys(out).length}: ${path} in body should have at least ${minP} properties`));
  }
  return out;
}

/** Defaults, prunes and validates a whole custom resource against its version's schema. */
export function applySchema(obj: JsonObject, schema: JsonObject | undefined): SchemaResult {
  if (schema === undefined) return { value: obj, errors: [] };
  const errors: FieldError[] = [];
  const value = walk(obj, schema, '', errors, true);
  return { value, errors };
}

/** Checks the schema itself is structural enough to serve: every node has a type, or preserves. */
export function structuralErrors(s: Json, path: string): FieldError[] {
  if (!isObject(s)) return [fieldError('FieldValueRequired', path, 'Required value: must not be empty')];
  const errs: FieldError[] = [];
  const hasType = typeof s['type'] === 'string' || s['x-kubernetes-int-or-string'] === true || s['x-kubernetes-preserve-unknown-fields'] === true;
  if (!hasType) errs.push(fieldError('FieldValueRequired', `${path}.type`, 'Required value: must not be empty for specified object fields'));
  const props = s['properties'];
  if (isObject(props)) for (const [k, p] of Object.entries(props)) errs.push(...structuralErrors(p, `${path}.properties[${k}]`));
  if (isObject(s['items'])) errs.push(...structuralErrors(s['items'], `${path}.items`));
  if (isObject(s['additionalProperties'])) errs.push(...structuralErrors(s['additionalProperties'], `${path}.additionalProperties`));
  return errs;
}
