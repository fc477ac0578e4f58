// validate over fixed files: the samples and docs are valid, and every error of the broken sets
// is named (golden output), with exit code 1.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocuments, validate } from '../src/index.js';
import { assertGolden, FIXTURES, REPO_ROOT } from './golden.js';
import { cli } from './run-cli.js';

describe('kubectl herald validate', () => {
  it('every file in config/samples is valid, as one set', async () => {
    const r = await cli(['validate', '-f', join(REPO_ROOT, 'config/samples')]);
    assert.equal(r.err, '');
    assert.equal(r.code, 0, r.out);
    assertGolden('validate-samples.txt', r.out);
    // The fixture test found its fixtures: every Herald kind the samples hold, and the Service.
    assert.match(r.out, /^valid: 6 Herald objects, 0 MetalLB objects, 1 Service;/m);
  });

  it('every YAML block of the docs that holds a Kubernetes object is valid', () => {
    const files = [join(REPO_ROOT, 'README.md'), ...readdirSync(join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join(REPO_ROOT, 'docs', f))];
    const checked: string[] = [];
    for (const f of files) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/^([ \t]*)```ya?ml\n([\s\S]*?)^\1```/gm)) {
        const block = (m[2] ?? '').split('\n').map((l) => l.slice((m[1] ?? '').length)).join('\n');
        const docs = parseDocuments(block, f);
        // kustomize snippets (images:, patches:) carry no object of their own.
        if (!docs.some((d) => typeof (d.doc.toJSON() as { kind?: unknown } | null)?.kind === 'string')) continue;
        const r = validate(docs);
        assert.deepEqual(r.errors, [], `${f}: ${block}`);
        checked.push(f);
      }
    }
    assert.ok(checked.length >= 1, 'found no YAML object in the docs: the fixture search is broken');
  });

  it('a broken config: each error named as Kind ns/name field: problem, exit 1', async () => {
    const r = await cli(['validate', '-f', join(FIXTURES, 'broken')]);
    assert.equal(r.code, 1);
    assertGolden('validate-broken.txt', r.out);
    const want = [
      'IPAddressPool herald-system/bad-cidr spec.addresses[0]: invalid CIDR "192.0.2.0/33"',
      'IPAddressPool herald-system/one spec.autoassign: unknown field',
      'IPAddressPool herald-system/two spec.addresses[0]: 198.51.100.8-198.51.100.20 overlaps',
      'IPAddressPool kube-system/elsewhere metadata.namespace:',
      'IPAddressPool herald-system/old-version apiVersion:',
      'AddressPool herald-system/no-such-kind kind:',
      'BGPPeer metallb-system/unnumbered spec.interface:',
      'BGPPeer herald-system/no-asn spec.peerASN: required',
      'BGPPeer herald-system/no-asn spec.holdTime:',
      'BGPPeer herald-system/no-secret spec.passwordSecret: Secret herald-system/missing does not exist',
      'L2Advertisement herald-system/ghost-pool spec.ipAddressPools[0]:',
      'BGPAdvertisement herald-system/bad-community spec.aggregationLength:',
      'BGPAdvertisement herald-system/bad-community spec.communities[0]:',
      'BGPAdvertisement herald-system/bad-community spec.communities[1]:',
      'Service default/bad-ip metadata.annotations[herald.dev/loadBalancerIPs]:',
      'Service default/twins-disagree metadata.annotations[herald.dev/address-pool]:',
    ];
    const lines = r.out.split('\n');
    for (const w of want) assert.ok(lines.some((l) => l.startsWith(w)), `no error line starts with: ${w}\n${r.out}`);
    assert.match(r.out, new RegExp(`^invalid: ${want.length} errors in`, 'm'));
  });

  it('Services the allocator cannot serve: pending, with the allocator\'s reason, exit 1', async () => {
    const r = await cli(['validate', '-f', join(FIXTURES, 'broken-allocation')]);
    assert.equal(r.code, 1);
    assertGolden('validate-allocation.txt', r.out);
    assert.match(r.out, /^Service default\/first: would get 192\.0\.2\.10 from pool small$/m);
    for (const name of ['second', 'wrong-pool', 'outside', 'v6-only']) {
      assert.match(r.out, new RegExp(`^Service default/${name} status\\.loadBalancer: would stay pending: `, 'm'));
    }
  });

  it('MetalLB YAML is read through the migration: valid', async () => {
    const r = await cli(['validate', '-f', join(FIXTURES, 'metallb/metallb.yaml'), '-o', 'json']);
    assert.equal(r.code, 0, r.out);
    assertGolden('validate-metallb.json', r.out);
  });

  const usage: { desc: string; args: string[]; code: number; err: RegExp }[] = [
    { desc: 'no -f', args: ['validate'], code: 2, err: /no input: give -f FILE or -f DIR/ },
    { desc: 'a missing file', args: ['validate', '-f', '/nonexistent/x.yaml'], code: 2, err: /\/nonexistent\/x\.yaml: no such file or directory/ },
    { desc: 'an unknown output format', args: ['validate', '-f', join(FIXTURES, 'metallb'), '-o', 'xml'], code: 2, err: /xml/ },
  ];
  for (const c of usage) {
    it(`usage error: ${c.desc} -> exit ${c.code}`, async () => {
      const r = await cli(c.args);
      assert.equal(r.code, c.code);
      assert.match(r.err, c.err);
    });
  }

  it('--cluster: an object the server has defaulted and kubectl has annotated is unchanged', () => {
    const file = 'apiVersion: herald.dev/v1beta1\nkind: IPAddressPool\nmetadata: {name: p, namespace: herald-system}\nspec: {addresses: [192.0.2.0/30]}\n';
    const liveObj = {
      apiVersion: 'herald.dev/v1beta1',
      kind: 'IPAddressPool',
      metadata: { name: 'p', namespace: 'herald-system', uid: 'u', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
      spec: { addresses: ['192.0.2.0/30'], autoAssign: true, avoidBuggyIPs: false },
    };
    const live = (spec: Record<string, unknown>) => ({
      config: { IPAddressPool: [{ ...liveObj, spec }], L2Advertisement: [], BGPAdvertisement: [], BGPPeer: [], BFDProfile: [], Community: [] },
      secrets: [],
      services: [],
      namespaceLabels: new Map(),
    });
    const same = validate(parseDocuments(file, 'f.yaml'), { live: live(liveObj.spec) });
    assert.deepEqual(same.changes.map((c) => c.change), ['unchanged']);
    const other = validate(parseDocuments(file, 'f.yaml'), { live: live({ ...liveObj.spec, autoAssign: false }) });
    assert.deepEqual(other.changes.map((c) => c.change), ['configured']);
  });

  it('a YAML syntax error names the file and line', async () => {
    const r = validateText('apiVersion: v1\nkind: [\n');
    assert.match(r, /bad\.yaml:\d+: YAML syntax error/);
  });
});

function validateText(text: string): string {
  try {
    parseDocuments(text, 'bad.yaml');
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}
