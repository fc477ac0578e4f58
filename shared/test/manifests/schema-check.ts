// Checks an object against a CRD's openAPIV3Schema, as the API server would on create, plus the
// one thing it does silently: pruning. An unknown field is reported here, because the server
// would drop it without a word and a sample with a typo would quietly do something else.
import { isMap } from './strategic-merge.js';

export interface Schema {
  type?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: unknown[];
  pattern?: string;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  minLength?: number;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

export function schemaErrors(value: unknown, s: Schema, path = ''): string[] {
  const errs: string[] = [];
  const at = path || '<root>';
  if (s['x-kubernetes-int-or-string']) {
    if (typeof value !== 'string' && !Number.isInteger(value)) errs.push(`${at}: want int or string`);
    return errs;
  }
  if (s.enum && !s.enum.includes(value)) errs.push(`${at}: ${JSON.stringify(value)} not in ${JSON.stringify(s.enum)}`);
  switch (s.type) {
    case 'object': {
      if (!isMap(value)) return [`${at}: want object`];
      for (const r of s.required ?? []) if (!(r in value)) errs.push(`${path}.${r}: required`);
      for (const [k, v] of Object.entries(value)) {
        const sub = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
        if (sub) errs.push(...schemaErrors(v, sub, `${path}.${k}`));
        else if (!s['x-kubernetes-preserve-unknown-fields'] && s.additionalProperties !== true) errs.push(`${path}.${k}: unknown field (the API server prunes it)`);
      }
      return errs;
    }
    case 'array':
      if (!Array.isArray(value)) return [`${at}: want array`];
      if (s.minItems !== undefined && value.length < s.minItems) errs.push(`${at}: fewer than ${s.minItems} items`);
      if (s.items) value.forEach((v, i) => errs.push(...schemaErrors(v, s.items!, `${path}[${i}]`)));
      return errs;
    case 'string':
      if (typeof value !== 'string') return [`${at}: want string, got ${JSON.stringify(value)}`];
      if (s.minLength !== undefined && value.length < s.minLength) errs.push(`${at}: shorter than ${s.minLength}`);
      if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(value)) errs.push(`${at}: ${JSON.stringify(value)} does not match ${s.pattern}`);
      return errs;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || (s.type === 'integer' && !Number.isInteger(value))) return [`${at}: want ${s.type}, got ${JSON.stringify(value)}`];
      if (s.minimum !== undefined && value < s.minimum) errs.push(`${at}: below ${s.minimum}`);
      if (s.maximum !== undefined && value > s.maximum) errs.push(`${at}: above ${s.maximum}`);
      return errs;
    case 'boolean':
      return typeof value === 'boolean' ? errs : [`${at}: want boolean`];
    default:
      return errs;
  }
}
