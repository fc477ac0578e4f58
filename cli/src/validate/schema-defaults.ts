// The CRD schema's defaults, applied as the API server applies them on create (structural
// schemas default absent fields), so a file object compares equal to the live one it would
// become. Walks the same generated schema as unknown-fields.ts.
import { CRD_DEFS, openAPISchema, type JSONSchema } from '@herald/shared/api';
import { isObject } from '../objects/object-ref.js';

const schemas = new Map(CRD_DEFS.map((d) => [d.kind, openAPISchema(d)]));

function withDefaults(value: unknown, schema: JSONSchema): unknown {
  if (Array.isArray(value)) return schema.items ? value.map((v) => withDefaults(v, schema.items as JSONSchema)) : value;
  if (!isObject(value) || !schema.properties) return value;
  const out: Record<string, unknown> = { ...value };
  for (const [k, sub] of Object.entries(schema.properties)) {
    if (out[k] === undefined && sub.default !== undefined) out[k] = structuredClone(sub.default);
    if (out[k] !== undefined) out[k] = withDefaults(out[k], sub);
  }
  return out;
}

/** The object with its kind's schema defaults filled in (unknown kinds: unchanged). */
export function applyDefaults(kind: string, obj: unknown): unknown {
  const schema = schemas.get(kind);
  return schema ? withDefaults(obj, schema) : obj;
}
