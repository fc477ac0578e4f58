// Fields of a Herald object that its CRD schema does not define. The API server prunes them
// silently (KUBE-API-NOTES: structural schemas), so a typo would vanish on apply; offline we say
// so. Walks the same generated schema `make crds` renders (shared/src/api/crd-defs.ts).
import { CRD_DEFS, openAPISchema, type JSONSchema } from '@herald/shared/api';
import { isObject } from '../objects/object-ref.js';

const schemas = new Map(CRD_DEFS.map((d) => [d.kind, openAPISchema(d)]));

function walk(value: unknown, schema: JSONSchema, path: string, out: string[]): void {
  if (schema['x-kubernetes-preserve-unknown-fields']) return;
  if (Array.isArray(value)) {
    if (schema.items) value.forEach((v, i) => walk(v, schema.items as JSONSchema, `${path}[${i}]`, out));
    return;
  }
  if (!isObject(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const sub = schema.properties?.[k] ?? schema.additionalProperties;
    const p = path === '' ? k : `${path}.${k}`;
    if (sub === undefined) {
      if (schema.properties !== undefined) out.push(p);
      continue;
    }
    walk(v, sub, p, out);
  }
}

/** Paths ("spec.foo", "spec.nodeSelectors[0].matchLabel") of fields the kind's schema lacks; metadata is not checked. */
export function unknownFields(kind: string, obj: unknown): string[] {
  const schema = schemas.get(kind);
  if (!schema || !isObject(obj)) return [];
  const out: string[] = [];
  for (const part of ['spec', 'status'] as const) {
    const sub = schema.properties?.[part];
    if (obj[part] === undefined) continue;
    if (sub === undefined) out.push(part);
    else walk(obj[part], sub, part, out);
  }
  return out;
}
