// migrate: golden Herald YAML from MetalLB YAML; what has no mapping is refused by name.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { migrate, parseDocuments } from '../src/index.js';
import { assertGolden, FIXTURES } from './golden.js';
import { cli } from './run-cli.js';

describe('kubectl herald migrate', () => {
  it('maps apiVersion, namespace and BGPPeer v1beta2; keeps annotations and comments (golden)', async () => {
    const r = await cli(['migrate', '-f', join(FIXTURES, 'metallb/metallb.yaml')]);
    assert.equal(r.err, '');
    assert.equal(r.code, 0);
    assertGolden('migrate-metallb.yaml', r.out);
    const objs = parseAllDocuments(r.out).map((d) => d.toJSON());
    assert.equal(objs.length, 6);
    for (const o of objs.filter((x) => x.kind !== 'Secret' && x.kind !== 'Service')) {
      assert.equal(o.apiVersion, 'herald.dev/v1beta1');
      assert.equal(o.metadata.namespace, 'herald-system');
    }
    assert.deepEqual(objs[0].metadata.annotations, { 'team.example.org/owner': 'netops' });
    assert.equal(objs[2].spec.passwordSecret.namespace, 'herald-system');
    assert.equal(objs[3].metadata.namespace, 'herald-system', 'the password Secret moves with its BGPPeer');
    assert.deepEqual(objs[5].metadata.annotations, { 'metallb.io/address-pool': 'production' }, 'Service annotations untouched');
    // And the output is valid Herald config.
    const v = await cli(['validate', '-f', join(FIXTURES, 'metallb/metallb.yaml')]);
    assert.equal(v.code, 0, v.out);
  });

  it('refuses by name what has no mapping, with a reason, and writes nothing (exit 1)', async () => {
    const r = await cli(['migrate', '-f', join(FIXTURES, 'metallb/unmappable.yaml')]);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assertGolden('migrate-refused.txt', r.err);
  });

  const cases: { desc: string; input: string; want?: unknown; wantRefusal?: string }[] = [
    {
      desc: 'server-written metadata and status are dropped',
      input: 'apiVersion: metallb.io/v1beta1\nkind: BFDProfile\nmetadata: {name: f, namespace: metallb-system, uid: u1, resourceVersion: "7", generation: 2}\nspec: {receiveInterval: 300}\nstatus: {}\n',
      want: { apiVersion: 'herald.dev/v1beta1', kind: 'BFDProfile', metadata: { name: 'f', namespace: 'herald-system' }, spec: { receiveInterval: 300 } },
    },
    {
      desc: 'BGPPeer v1beta1 maps too',
      input: 'apiVersion: metallb.io/v1beta1\nkind: BGPPeer\nmetadata: {name: p}\nspec: {myASN: 1, peerASN: 2, peerAddress: 192.0.2.1}\n',
      want: { apiVersion: 'herald.dev/v1beta1', kind: 'BGPPeer', metadata: { name: 'p', namespace: 'herald-system' }, spec: { myASN: 1, peerASN: 2, peerAddress: '192.0.2.1' } },
    },
    {
      desc: 'an unknown MetalLB version is refused',
      input: 'apiVersion: metallb.io/v1alpha1\nkind: IPAddressPool\nmetadata: {name: p}\nspec: {addresses: [192.0.2.0/30]}\n',
      wantRefusal: 'IPAddressPool p apiVersion: metallb.io/v1alpha1 IPAddressPool has no mapping (mapped: metallb.io/v1beta1)',
    },
    {
      desc: 'a field Herald lacks is refused by path',
      input: 'apiVersion: metallb.io/v1beta1\nkind: L2Advertisement\nmetadata: {name: a}\nspec: {ipAddressPools: [p], nodeSelectorz: []}\n',
      wantRefusal: "L2Advertisement a spec.nodeSelectorz: Herald's L2Advertisement has no such field",
    },
    {
      desc: 'an object in another namespace than MetalLB\'s is refused',
      input: 'apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata: {name: p, namespace: other}\nspec: {addresses: [192.0.2.0/30]}\n',
      wantRefusal: "IPAddressPool other/p metadata.namespace: not MetalLB's namespace metallb-system (give --from-namespace); Herald reads only its own namespace herald-system",
    },
    {
      desc: 'the pre-0.13 ConfigMap is refused',
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: config, namespace: metallb-system}\ndata: {config: "address-pools: []"}\n',
      wantRefusal: "ConfigMap metallb-system/config data.config: MetalLB's ConfigMap configuration (before 0.13) has no mapping: convert it to MetalLB's CRDs first, then migrate those",
    },
    {
      desc: 'Herald objects and other kinds pass through unchanged',
      input: 'apiVersion: v1\nkind: Namespace\nmetadata: {name: web}\n',
      want: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' } },
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const r = migrate(parseDocuments(c.input, 'in.yaml'));
      if (c.wantRefusal !== undefined) {
        assert.deepEqual(r.refusals.map((x) => `${x.ref.kind} ${x.ref.namespace ? `${x.ref.namespace}/` : ''}${x.ref.name} ${x.field}: ${x.reason}`), [c.wantRefusal]);
      } else {
        assert.deepEqual(r.refusals, []);
        assert.deepEqual(parse(String(r.documents[0])), c.want);
      }
    });
  }
});
