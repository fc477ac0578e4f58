// The small kustomize renderer itself: each feature the config/ tests rely on, and the errors
// that keep it from silently rendering something kubectl would not.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { kustomize, parseImage } from './kustomize.js';
import { strategicMerge } from './strategic-merge.js';

const K = 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n';
const DEPLOY = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - {name: a, image: example.org/web:1.0, args: [x]}
        - {name: b, image: "localhost:5000/side"}
`;
const ROLE = 'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: r}\nrules: []\n';

describe('kustomize (test renderer)', () => {
  let root: string;
  before(() => { root = mkdtempSync(join(tmpdir(), `herald-kustomize-${process.pid}-`)); });
  after(() => rmSync(root, { recursive: true, force: true }));

  let n = 0;
  function tree(files: Record<string, string>): string {
    const dir = join(root, `case${n++}`);
    for (const [p, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, p)), { recursive: true });
      writeFileSync(join(dir, p), text);
    }
    return dir;
  }

  const cases: { desc: string; input: Record<string, string>; at?: string; want?: (objs: any[]) => unknown; wantValue?: unknown; wantError?: RegExp }[] = [
    { desc: 'reads file and folder resources, multi-document files', input: { 'kustomization.yaml': `${K}resources: [d.yaml, sub]\n`, 'd.yaml': `${DEPLOY}---\n${ROLE}`, 'sub/kustomization.yaml': `${K}resources: [s.yaml]\n`, 'sub/s.yaml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: sa}\n' }, want: (o) => o.map((x) => x.kind), wantValue: ['Deployment', 'ClusterRole', 'ServiceAccount'] },
    { desc: 'namespace lands on namespaced kinds only', input: { 'kustomization.yaml': `${K}namespace: ns\nresources: [d.yaml]\n`, 'd.yaml': `${DEPLOY}---\n${ROLE}` }, want: (o) => o.map((x) => x.metadata.namespace), wantValue: ['ns', undefined] },
    { desc: 'images: newName and newTag, matched by name; a registry port is not a tag', input: { 'kustomization.yaml': `${K}resources: [d.yaml]\nimages: [{name: example.org/web, newName: example.org/w2, newTag: "2.0"}, {name: "localhost:5000/side", newTag: v3}]\n`, 'd.yaml': DEPLOY }, want: (o) => o[0].spec.template.spec.containers.map((c: any) => c.image), wantValue: ['example.org/w2:2.0', 'localhost:5000/side:v3'] },
    { desc: 'labels without selectors leave selectors and templates alone', input: { 'kustomization.yaml': `${K}resources: [d.yaml]\nlabels: [{pairs: {team: t}}]\n`, 'd.yaml': DEPLOY }, want: (o) => [o[0].metadata.labels, o[0].spec.selector.matchLabels, o[0].spec.template.metadata.labels], wantValue: [{ team: 't' }, { app: 'web' }, { app: 'web' }] },
    { desc: 'commonLabels reach selectors and templates', input: { 'kustomization.yaml': `${K}resources: [d.yaml]\ncommonLabels: {team: t}\n`, 'd.yaml': DEPLOY }, want: (o) => [o[0].spec.selector.matchLabels, o[0].spec.template.metadata.labels], wantValue: [{ app: 'web', team: 't' }, { app: 'web', team: 't' }] },
    { desc: 'a strategic merge patch merges containers by name and replaces args', input: { 'kustomization.yaml': `${K}resources: [d.yaml]\npatches: [{path: p.yaml}]\n`, 'd.yaml': DEPLOY, 'p.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {template: {spec: {containers: [{name: a, args: [y, z]}]}}}\n' }, want: (o) => o[0].spec.template.spec.containers.map((c: any) => [c.name, c.image, c.args]), wantValue: [['a', 'example.org/web:1.0', ['y', 'z']], ['b', 'localhost:5000/side', undefined]] },
    { desc: '$patch: delete removes the object', input: { 'kustomization.yaml': `${K}resources: [d.yaml]\npatches:\n  - patch: |-\n      $patch: delete\n      apiVersion: rbac.authorization.k8s.io/v1\n      kind: ClusterRole\n      metadata: {name: r}\n`, 'd.yaml': `${DEPLOY}---\n${ROLE}` }, want: (o) => o.map((x) => x.kind), wantValue: ['Deployment'] },
    { desc: 'an unknown kustomization field is an error', input: { 'kustomization.yaml': `${K}resources: [d.yaml]\nnamePrefix: x-\n`, 'd.yaml': DEPLOY }, wantError: /unsupported field namePrefix/ },
    { desc: 'a missing resource is an error', input: { 'kustomization.yaml': `${K}resources: [nope.yaml]\n` }, wantError: /does not exist/ },
    { desc: 'a file outside the kustomization root is an error', input: { 'a/kustomization.yaml': `${K}resources: [../d.yaml]\n`, 'd.yaml': DEPLOY }, at: 'a', wantError: /outside the kustomization root/ },
    { desc: 'a patch that matches nothing is an error', input: { 'kustomization.yaml': `${K}resources: [d.yaml]\npatches: [{patch: "apiVersion: apps/v1\\nkind: Deployment\\nmetadata: {name: nope}\\n"}]\n`, 'd.yaml': DEPLOY }, wantError: /matches nothing/ },
    { desc: 'the same object twice is an error', input: { 'kustomization.yaml': `${K}resources: [d.yaml, e.yaml]\n`, 'd.yaml': DEPLOY, 'e.yaml': DEPLOY }, wantError: /defined twice/ },
    { desc: 'an object without a name is an error', input: { 'kustomization.yaml': `${K}resources: [d.yaml]\n`, 'd.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n' }, wantError: /without apiVersion, kind or metadata.name/ },
  ];
  for (const tc of cases) {
    it(tc.desc, () => {
      const dir = tree(tc.input);
      const at = tc.at ? join(dir, tc.at) : dir;
      if (tc.wantError) assert.throws(() => kustomize(at), tc.wantError);
      else assert.deepEqual(tc.want!(kustomize(at)), tc.wantValue);
    });
  }

  const images: { desc: string; input: string; want: ReturnType<typeof parseImage> }[] = [
    { desc: 'name and tag', input: 'ghcr.io/herald-lb/herald:0.1.0', want: { name: 'ghcr.io/herald-lb/herald', tag: '0.1.0', digest: undefined } },
    { desc: 'registry port, no tag', input: 'localhost:5000/herald', want: { name: 'localhost:5000/herald', tag: undefined, digest: undefined } },
    { desc: 'digest', input: 'herald@sha256:abc', want: { name: 'herald', tag: undefined, digest: 'sha256:abc' } },
  ];
  for (const tc of images) it(`parseImage: ${tc.desc}`, () => assert.deepEqual(parseImage(tc.input), tc.want));

  it('strategicMerge: null deletes a key, env merges by name', () => {
    const got = strategicMerge({ a: 1, b: 2, env: [{ name: 'X', value: '1' }] }, { b: null, env: [{ name: 'Y', value: '2' }, { name: 'X', value: '3' }] });
    assert.deepEqual(got, { a: 1, env: [{ name: 'X', value: '3' }, { name: 'Y', value: '2' }] });
  });
});
