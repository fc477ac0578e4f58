// A small builder for structural OpenAPI v3 schemas, as CustomResourceDefinitions want them.
// The CRD descriptions in crd-defs.ts are written with it; generate-crds.ts renders them.

export interface JSONSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  format?: string;
  properties?: Record<string, JSONSchema>;
  required?: string[];
  additionalProperties?: JSONSchema;
  items?: JSONSchema;
  default?: unknown;
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
}

type Extra = Omit<JSONSchema, 'type' | 'description' | 'properties' | 'items'>;

export function str(description: string, extra: Extra = {}): JSONSchema {
  return { type: 'string', description, ...extra };
}

export function int(description: string, extra: Extra = {}): JSONSchema {
  return { type: 'integer', description, ...extra };
}

export function bool(description: string, extra: Extra = {}): JSONSchema {
  return { type: 'boolean', description, ...extra };
}

export function arr(description: string, items: JSONSchema, extra: Extra = {}): JSONSchema {
  return { type: 'array', description, items, ...extra };
}

export function obj(description: string, properties: Record<string, JSONSchema>, required: string[] = [], extra: Extra = {}): JSONSchema {
  const out: JSONSchema = { type: 'object', description, properties };
  if (required.length > 0) out.required = required;
  return { ...out, ...extra };
}

export function stringMap(description: string): JSONSchema {
  return { type: 'object', description, additionalProperties: { type: 'string' } };
}

/** metav1.LabelSelector. */
export function labelSelector(description: string): JSONSchema {
  return obj(
    description,
    {
      matchLabels: stringMap('Labels that must all be present with these values.'),
      matchExpressions: arr(
        'Requirements that must all hold.',
        obj(
          'A label requirement.',
          {
            key: str('The label key.', { minLength: 1, maxLength: 317 }),
            operator: str('How the key relates to the values.', { enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] }),
            values: arr('Values for In and NotIn; empty for Exists and DoesNotExist.', { type: 'string' }, { 'x-kubernetes-list-type': 'atomic' }),
          },
          ['key', 'operator'],
        ),
        { 'x-kubernetes-list-type': 'atomic' },
      ),
    },
    [],
    { 'x-kubernetes-map-type': 'atomic' },
  );
}

export function selectors(description: string): JSONSchema {
  return arr(description, labelSelector('A label selector; the entries of the list are ORed.'));
}

/** A Go duration ("90s", "1m30s", "500ms"). */
export const DURATION_PATTERN = '^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$';

export function duration(description: string, extra: Extra = {}): JSONSchema {
  return str(description, { pattern: DURATION_PATTERN, ...extra });
}

/** A DNS-1123 label, as Kubernetes object names are. */
export const NAME_PATTERN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';

/** Every node in the tree, with its JSON path, for structural checks. */
export function* walkSchema(s: JSONSchema, path = ''): Generator<{ path: string; schema: JSONSchema }> {
  yield { path, schema: s };
  for (const [k, v] of Object.entries(s.properties ?? {})) yield* walkSchema(v, `${path}.${k}`);
  if (s.items) yield* walkSchema(s.items, `${path}[]`);
  if (s.additionalProperties) yield* walkSchema(s.additionalProperties, `${path}{}`);
}

/** Problems that make a schema non-structural (empty when structural). */
export function structuralProblems(s: JSONSchema): string[] {
  const out: string[] = [];
  for (const { path, schema } of walkSchema(s)) {
    const where = path === '' ? '<root>' : path;
    if (schema.type === undefined && !schema['x-kubernetes-int-or-string'] && !schema['x-kubernetes-preserve-unknown-fields']) {
      out.push(`${where}: no type`);
    }
    if (schema.type === 'array' && !schema.items) out.push(`${where}: array without items`);
    if (schema.properties && schema.additionalProperties) out.push(`${where}: both properties and additionalProperties`);
    for (const r of schema.required ?? []) {
      if (!schema.properties?.[r]) out.push(`${where}: required ${r} is not a property`);
    }
    if (schema.type !== 'object' && (schema.properties || schema.additionalProperties)) out.push(`${where}: properties on a non-object`);
  }
  return out;
}
