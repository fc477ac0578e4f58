import { strict as assert } from 'node:assert';
import { applySchema, structuralErrors } from '../../src/apiserver/schema.js';
import type { JsonObject } from '../../src/apiserver/json.js';

const schema: JsonObject = {
  type: 'object',
  properties: {
    spec: {
      type: 'object', required: ['cidr'],
      properties: {
        cidr: { type: 'string', pattern: '^[0-9./]+$' },
        port: { type: 'integer', minimum: 1, maximum: 65535 },
        mode: { type: 'string', default: 'layer2', enum: ['layer2', 'bgp'] },
        tags: { type: 'array', items: { type: 'string', maxLength: 3 }, maxItems: 2 },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        ios: { 'x-kubernetes-int-or-string': true },
        nested: { type: 'object', default: {}, properties: { on: { type: 'boolean', default: true } } },
      },
    },
  },
};

describe('apiserver/schema: defaulting, pruning and validation', function () {
  const cases: { desc: string; input: JsonObject; want?: JsonObject; wantErrors?: string[] }[] = [
    { desc: 'defaults a missing field and a nested default object', input: { spec: { cidr: '1/2' } }, want: { spec: { cidr: '1/2', mode: 'layer2', nested: { on: true } } } },
    { desc: 'prunes unknown fields at every level', input: { spec: { cidr: '1/2', zzz: 1 }, top: 1 }, want: { spec: { cidr: '1/2', mode: 'layer2', nested: { on: true } } } },
    { desc: 'keeps apiVersion, kind and metadata', input: { apiVersion: 'a/v1', kind: 'K', metadata: { name: 'n' }, spec: { cidr: '1' } }, want: { apiVersion: 'a/v1', kind: 'K', metadata: { name: 'n' }, spec: { cidr: '1', mode: 'layer2', nested: { on: true } } } },
    { desc: 'preserves unknown fields where told to', input: { spec: { cidr: '1', free: { a: { b: 1 } } } }, want: { spec: { cidr: '1', free: { a: { b: 1 } }, mode: 'layer2', nested: { on: true } } } },
    { desc: 'int-or-string accepts both', input: { spec: { cidr: '1', ios: 'x' } }, want: { spec: { cidr: '1', ios: 'x', mode: 'layer2', nested: { on: true } } } },
    { desc: 'required', input: { spec: {} }, wantErrors: ['spec.cidr: Required value'] },
    { desc: 'type error', input: { spec: { cidr: '1', port: 'x' } }, wantErrors: ['spec.port: Invalid value: "x": spec.port in body must be of type integer: "string"'] },
    { desc: 'pattern', input: { spec: { cidr: 'a' } }, wantErrors: ['spec.cidr: Invalid value: "a": spec.cidr in body should match \'^[0-9./]+$\''] },
    { desc: 'enum', input: { spec: { cidr: '1', mode: 'x' } }, wantErrors: ['spec.mode: Unsupported value: "x": supported values: "layer2", "bgp"'] },
    { desc: 'minimum', input: { spec: { cidr: '1', port: 0 } }, wantErrors: ['spec.port: Invalid value: 0: spec.port in body should be greater than or equal to 1'] },
    { desc: 'items and maxItems', input: { spec: { cidr: '1', tags: ['a', 'long', 'c'] } }, wantErrors: ['spec.tags[1]: Too long: may not be longer than 3', 'spec.tags: Too many: 3: must have at most 2 items'] },
    { desc: 'additionalProperties types values', input: { spec: { cidr: '1', labels: { a: 1 } } }, wantErrors: ['spec.labels.a: Invalid value: 1: spec.labels.a in body must be of type string: "integer"'] },
  ];
  for (const tc of cases) {
    it(tc.desc, function () {
      const r = applySchema(tc.input, schema);
      if (tc.wantErrors) assert.deepEqual(r.errors.map((e) => `${e.field}: ${e.detail}`), tc.wantErrors);
      else {
        assert.deepEqual(r.errors, []);
        assert.deepEqual(r.value, tc.want);
      }
    });
  }
  it('reports a non-structural schema (a property without a type)', function () {
    const errs = structuralErrors({ type: 'object', properties: { a: {} } }, 'schema');
    assert.deepEqual(errs.map((e) => e.field), ['schema.properties[a].type']);
  });
});
