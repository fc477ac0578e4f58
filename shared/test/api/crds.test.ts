import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { writeCRDs } from '../../src/api/generate-crds.js';
import { CRD_DEFS } from '../../src/api/crd-defs.js';
import { crdManifest, openAPISchema } from '../../src/api/crds.js';
import { structuralProblems, walkSchema, type JSONSchema } from '../../src/api/schema.js';
import { KINDS } from '../../src/api/constants.js';

const crdDir = fileURLToPath(new URL('../../../../config/crd/', import.meta.url));

describe('CRDs: committed YAML', () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'herald-crds-'));
    writeCRDs(tmp);
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('found the committed files', () => {
    assert.ok(existsSync(join(crdDir, 'kustomization.yaml')), `no kustomization.yaml in ${crdDir}`);
    assert.equal(readdirSync(tmp).length, CRD_DEFS.length + 1);
  });

  it('config/crd is exactly what make crds generates (run make crds if this fails)', () => {
    const want = readdirSync(tmp).sort();
    const got = readdirSync(crdDir).filter((f) => f.endsWith('.yaml')).sort();
    assert.deepEqual(got, want, 'file set differs');
    for (const f of want) {
      const a = readFileSync(join(tmp, f));
      const b = readFileSync(join(crdDir, f));
      assert.ok(a.equals(b), `${f} is stale`);
    }
  });

  it('generation is deterministic', () => {
    const again = mkdtempSync(join(tmpdir(), 'herald-crds-'));
    try {
      writeCRDs(again);
      for (const f of readdirSync(tmp)) assert.ok(readFileSync(join(tmp, f)).equals(readFileSync(join(again, f))), f);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });

  it('kustomize equivalent: every resource exists, parses, and is a unique CRD of herald.dev', () => {
    const k = parse(readFileSync(join(crdDir, 'kustomization.yaml'), 'utf8'));
    assert.equal(k.kind, 'Kustomization');
    assert.equal(k.resources.length, KINDS.length);
    const names = new Set<string>();
    const kinds = new Set<string>();
    for (const r of k.resources as string[]) {
      const p = join(crdDir, r);
      assert.ok(existsSync(p), `${r} missing`);
      const doc = parse(readFileSync(p, 'utf8'));
      assert.equal(doc.apiVersion, 'apiextensions.k8s.io/v1');
      assert.equal(doc.kind, 'CustomResourceDefinition');
      assert.equal(doc.metadata.name, `${doc.spec.names.plural}.herald.dev`);
      assert.equal(doc.spec.versions[0].name, 'v1beta1');
      assert.deepEqual(doc.spec.versions[0].subresources, { status: {} });
      assert.ok(!names.has(doc.metadata.name), `duplicate ${doc.metadata.name}`);
      names.add(doc.metadata.name);
      kinds.add(doc.spec.names.kind);
    }
    assert.deepEqual([...kinds].sort(), [...KINDS].sort());
  });
});

/** Does value fit schema (types, enums, bounds, pattern)? Returns problems. */
function checkValue(s: JSONSchema, v: unknown, path: string): string[] {
  const out: string[] = [];
  const t = Array.isArray(v) ? 'array' : Number.isInteger(v) ? 'integer' : typeof v;
  if (s.type && !(s.type === t || (s.type === 'number' && t === 'integer') || (s.type === 'object' && t === 'object'))) out.push(`${path}: ${t} is not ${s.type}`);
  if (s.enum && !s.enum.includes(v)) out.push(`${path}: not in enum`);
  if (typeof v === 'number' && s.minimum !== undefined && v < s.minimum) out.push(`${path}: below minimum`);
  if (typeof v === 'number' && s.maximum !== undefined && v > s.maximum) out.push(`${path}: above maximum`);
  if (typeof v === 'string' && s.pattern && !new RegExp(s.pattern, 'u').test(v)) out.push(`${path}: does not match pattern`);
  return out;
}

function resolveJSONPath(root: JSONSchema, jsonPath: string): JSONSchema | undefined {
  let cur: JSONSchema | undefined = root;
  for (const part of jsonPath.split('.').slice(1)) {
    if (part === 'metadata' && cur === root) return { type: 'object' };
    cur = cur?.properties?.[part];
  }
  return cur;
}

describe('CRDs: schemas', () => {
  for (const def of CRD_DEFS) {
    const schema = openAPISchema(def);
    it(`${def.kind}: structural (every node typed)`, () => {
      assert.deepEqual(structuralProblems(schema), []);
    });
    it(`${def.kind}: defaults fit their own schema`, () => {
      const problems: string[] = [];
      for (const { path, schema: s } of walkSchema(schema)) {
        if (s.default !== undefined) problems.push(...checkValue(s, s.default, path));
      }
      assert.deepEqual(problems, []);
    });
    it(`${def.kind}: printer columns point at fields of the schema`, () => {
      for (const c of crdManifest(def).spec.versions[0]!.additionalPrinterColumns) {
        assert.ok(resolveJSONPath(schema, c.jsonPath), `${c.name}: ${c.jsonPath}`);
      }
    });
  }
  it('structuralProblems finds an untyped node (the check can fail)', () => {
    const bad: JSONSchema = { type: 'object', properties: { a: { description: 'x' }, b: { type: 'array' } } };
    assert.deepEqual(structuralProblems(bad), ['.a: no type', '.b: array without items']);
  });
  it('patterns in the schemas compile and accept their examples', () => {
    const peer = CRD_DEFS.find((d) => d.kind === 'BGPPeer')!;
    const hold = peer.spec!.properties!.holdTime!;
    for (const ok of ['90s', '1m30s', '500ms', '0s']) assert.deepEqual(checkValue(hold, ok, 'holdTime'), [], ok);
    for (const bad of ['90', 's', '1x']) assert.equal(checkValue(hold, bad, 'holdTime').length, 1, bad);
  });
});
