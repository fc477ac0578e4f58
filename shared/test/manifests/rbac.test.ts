// Least-privilege RBAC: per ServiceAccount, the exact set of (scope, group/resource, verb) the
// bindings grant must equal the table below. No wildcards, no Secret access cluster-wide, and
// the l2-only overlay gives the speaker no Secret access at all.
import assert from 'node:assert/strict';
import type { K8sObject } from './kustomize.js';
import { rendered } from './fixtures.js';

type Grants = Record<string, Record<string, string>>; // scope -> group/resource -> 'verb verb'

const HERALD_CONFIG = ['ipaddresspools', 'l2advertisements', 'bgpadvertisements', 'bgppeers', 'bfdprofiles', 'communities'];
const configRead = Object.fromEntries(HERALD_CONFIG.map((r) => [`herald.dev/${r}`, 'get list watch']));
const events = { events: 'create patch', 'events.k8s.io/events': 'create patch' };

const CONTROLLER: Grants = {
  cluster: { services: 'get list watch update patch', 'services/status': 'update patch', namespaces: 'get list watch', ...events },
  'herald-system': {
    ...configRead,
    'herald.dev/ipaddresspools/status': 'update patch',
    'herald.dev/configurationstates': 'get create update patch',
    'herald.dev/configurationstates/status': 'update patch',
    'coordination.k8s.io/leases': 'get create update',
  },
};

const SPEAKER_L2: Grants = {
  cluster: { services: 'get list watch', nodes: 'get list watch', namespaces: 'get list watch', 'discovery.k8s.io/endpointslices': 'get list watch', ...events },
  'herald-system': {
    ...configRead,
    'herald.dev/servicel2statuses': 'get list watch create update patch delete',
    'herald.dev/servicebgpstatuses': 'get list watch create update patch delete',
    'herald.dev/servicel2statuses/status': 'update patch',
    'herald.dev/servicebgpstatuses/status': 'update patch',
    'herald.dev/bgpsessionstates': 'get list create delete',
    'herald.dev/bgpsessionstates/status': 'patch',
    'herald.dev/configurationstates': 'get create update patch delete',
    'herald.dev/configurationstates/status': 'update patch',
    'coordination.k8s.io/leases': 'get list watch create update delete',
  },
};
const SPEAKER: Grants = { ...SPEAKER_L2, 'herald-system': { ...SPEAKER_L2['herald-system'], secrets: 'get list watch' } };

function flatten(g: Grants): string[] {
  return Object.entries(g)
    .flatMap(([scope, rs]) => Object.entries(rs).flatMap(([r, verbs]) => verbs.split(' ').map((v) => `${scope} ${r} ${v}`)))
    .sort();
}

/** What a ServiceAccount may do, through every binding in the render, in the table's terms. */
function granted(objs: K8sObject[], sa: { name: string; namespace: string }): string[] {
  const out = new Set<string>();
  for (const b of objs.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') as any[]) {
    if (!b.subjects.some((s: any) => s.kind === 'ServiceAccount' && s.name === sa.name && s.namespace === sa.namespace)) continue;
    const role = objs.find((o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name && (o.kind === 'ClusterRole' || o.metadata.namespace === b.metadata.namespace)) as any;
    assert.ok(role, `${b.kind}/${b.metadata.name}: roleRef ${b.roleRef.kind}/${b.roleRef.name} is not in the render`);
    const scope = b.kind === 'ClusterRoleBinding' ? 'cluster' : b.metadata.namespace;
    for (const rule of role.rules) {
      for (const g of rule.apiGroups) for (const r of rule.resources) for (const v of rule.verbs) out.add(`${scope} ${g === '' ? '' : `${g}/`}${r} ${v}`);
    }
  }
  return [...out].sort();
}

function wildcards(objs: K8sObject[]): string[] {
  const bad: string[] = [];
  for (const r of objs.filter((o) => o.kind === 'Role' || o.kind === 'ClusterRole') as any[]) {
    for (const rule of r.rules) {
      for (const field of ['apiGroups', 'resources', 'verbs', 'resourceNames', 'nonResourceURLs']) {
        if ((rule[field] ?? []).some((x: string) => x.includes('*'))) bad.push(`${r.kind}/${r.metadata.name} ${field}`);
      }
      if (rule.nonResourceURLs) bad.push(`${r.kind}/${r.metadata.name} nonResourceURLs`);
    }
  }
  return bad;
}

const controllerSA = { name: 'herald-controller', namespace: 'herald-system' };
const speakerSA = { name: 'herald-speaker', namespace: 'herald-system' };

describe('RBAC', () => {
  const cases: { desc: string; dir: string; sa: { name: string; namespace: string }; want: Grants }[] = [
    { desc: 'controller (default)', dir: 'default', sa: controllerSA, want: CONTROLLER },
    { desc: 'speaker (default)', dir: 'default', sa: speakerSA, want: SPEAKER },
    { desc: 'controller (bgp overlay)', dir: 'overlays/bgp', sa: controllerSA, want: CONTROLLER },
    { desc: 'speaker (bgp overlay)', dir: 'overlays/bgp', sa: speakerSA, want: SPEAKER },
    { desc: 'controller (l2-only overlay)', dir: 'overlays/l2-only', sa: controllerSA, want: CONTROLLER },
    { desc: 'speaker (l2-only overlay): no Secret access', dir: 'overlays/l2-only', sa: speakerSA, want: SPEAKER_L2 },
  ];
  for (const tc of cases) {
    it(`${tc.desc}: grants exactly what it needs`, () => assert.deepEqual(granted(rendered(tc.dir), tc.sa), flatten(tc.want)));
  }

  for (const dir of ['rbac', 'default', 'overlays/bgp', 'overlays/l2-only']) {
    it(`config/${dir}: no wildcard and no non-resource URL in any rule`, () => assert.deepEqual(wildcards(rendered(dir)), []));

    it(`config/${dir}: no ClusterRole touches Secrets`, () => {
      const hits = rendered(dir).filter((o: any) => o.kind === 'ClusterRole' && o.rules.some((r: any) => r.resources.includes('secrets')));
      assert.deepEqual(hits.map((o) => o.metadata.name), []);
    });

    it(`config/${dir}: every binding names an existing ServiceAccount and role`, () => {
      const objs = rendered(dir);
      for (const b of objs.filter((o) => o.kind.endsWith('Binding')) as any[]) {
        for (const s of b.subjects) {
          assert.ok(objs.some((o) => o.kind === 'ServiceAccount' && o.metadata.name === s.name && o.metadata.namespace === s.namespace), `${b.metadata.name}: ${s.kind}/${s.name}`);
        }
        assert.ok(objs.some((o) => o.kind === b.roleRef.kind && o.metadata.name === b.roleRef.name), `${b.metadata.name}: ${b.roleRef.name}`);
      }
    });
  }

  it('the table check fails on an extra verb (it can fail)', () => {
    const objs = structuredClone(rendered('default')) as any[];
    objs.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'herald-speaker').rules[0].verbs.push('delete');
    assert.notDeepEqual(granted(objs, speakerSA), flatten(SPEAKER));
  });
});
