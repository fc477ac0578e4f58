// kubectl herald against the server in KUBECONFIG (a real kube-apiserver: `make conformance-real`
// runs this file), or without KUBECONFIG against a fresh embedded one. A real server is shared and
// keeps what earlier cases left, so this case uses namespaces of its own (Herald's, via
// --herald-namespace, and its Services'), pins its pools to its Service namespace, and deletes what
// it made.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { run } from '@herald/cli';
import { mergePatch } from '@herald/shared';
import { applyObjects, heraldCrds, startTestCluster, type TestCluster } from '@herald/lab';

const HERALD_NS = `herald-cli-${process.pid}`;
const SVC_NS = `demo-cli-${process.pid}`;
const G = { group: 'herald.dev', version: 'v1beta1' };

describe(`kubectl herald against ${process.env['KUBECONFIG'] ? 'the KUBECONFIG server' : 'the embedded API server'}`, function () {
  this.timeout(120_000);
  let kc: KubeConfig;
  let embedded: TestCluster | undefined;
  let kubeconfig: string;
  let core: CoreV1Api;
  let custom: CustomObjectsApi;
  const made: { plural: string; name: string }[] = [];

  async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await run(['--kubeconfig', kubeconfig, '--herald-namespace', HERALD_NS, ...args], { out: (t) => (out += t), err: (t) => (err += t), now: () => Date.now(), sleep: () => Promise.resolve() });
    return { code, out, err };
  }

  before(async () => {
    if (process.env['KUBECONFIG']) {
      kc = new KubeConfig();
      kc.loadFromDefault();
      kubeconfig = process.env['KUBECONFIG'];
      const ext = kc.makeApiClient(ApiextensionsV1Api);
      for (const crd of heraldCrds()) {
        const cur = await ext.readCustomResourceDefinition({ name: crd.metadata?.name ?? '' }).catch(() => undefined);
        assert.ok(cur?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'), `CRD ${crd.metadata?.name} is not installed and Established on ${kc.getCurrentCluster()?.server}`);
      }
    } else {
      embedded = await startTestCluster({ namespace: HERALD_NS });
      kc = embedded.kubeConfig;
      kubeconfig = join(tmpdir(), `herald-cli-kc-${process.pid}.kubeconfig`);
      writeFileSync(kubeconfig, embedded.server.kubeconfigYaml());
    }
    core = kc.makeApiClient(CoreV1Api);
    custom = kc.makeApiClient(CustomObjectsApi);
    await applyObjects(kc, [HERALD_NS, SVC_NS].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
    const mine = { namespaces: [SVC_NS] };
    const cr = (kind: string, plural: string, name: string, body: Record<string, unknown>) => {
      made.push({ plural, name });
      return { apiVersion: 'herald.dev/v1beta1', kind, metadata: { name, namespace: HERALD_NS }, ...body };
    };
    await applyObjects(kc, [
      cr('IPAddressPool', 'ipaddresspools', 'cli-pool', { spec: { addresses: ['198.51.100.200-198.51.100.203'], serviceAllocation: mine } }),
      cr('L2Advertisement', 'l2advertisements', 'cli-l2', { spec: { ipAddressPools: ['cli-pool'] } }),
      cr('BGPSessionState', 'bgpsessionstates', 'nodex.peery', { spec: {} }),
      cr('ConfigurationState', 'configurationstates', 'controller', { spec: {} }),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: SVC_NS }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP' }] } },
    ]);
    // Status as the components write it, through the /status subresources.
    await core.patchNamespacedServiceStatus({ name: 'web', namespace: SVC_NS, body: { status: { loadBalancer: { ingress: [{ ip: '198.51.100.200' }] } } } }, mergePatch);
    await custom.patchNamespacedCustomObjectStatus(
      { ...G, namespace: HERALD_NS, plural: 'bgpsessionstates', name: 'nodex.peery', body: { status: { node: 'nodex', peer: 'peery', peerAddress: '192.0.2.1', state: 'Active', lastError: 'connect: connection refused' } } },
      mergePatch,
    );
    await custom.patchNamespacedCustomObjectStatus({ ...G, namespace: HERALD_NS, plural: 'configurationstates', name: 'controller', body: { status: { component: 'controller', result: 'Valid' } } }, mergePatch);
  });

  after(async function () {
    this.timeout(60_000);
    if (embedded) {
      await embedded.close();
      rmSync(kubeconfig, { force: true });
      return;
    }
    if (core === undefined) return;
    await core.deleteNamespacedService({ name: 'web', namespace: SVC_NS }).catch(() => undefined);
    for (const m of made) await custom.deleteNamespacedCustomObject({ ...G, namespace: HERALD_NS, plural: m.plural, name: m.name }).catch(() => undefined);
    for (const name of [SVC_NS, HERALD_NS]) await core.deleteNamespace({ name }).catch(() => undefined);
  });

  it('status: the pool sized by the allocator, the Service, the session and the config state', async () => {
    const r = await cli(['status', '-n', SVC_NS, '-o', 'json']);
    assert.equal(r.code, 0, r.err);
    const v = JSON.parse(r.out);
    assert.deepEqual(v.pools, [{ name: 'cli-pool', autoAssign: true, ipv4: { size: '4', used: '1', free: '3' } }]);
    assert.deepEqual(v.services.map((s: any) => [s.name, s.ips, s.mode, s.pool]), [['web', ['198.51.100.200'], 'l2', 'cli-pool']]);
    assert.deepEqual(v.sessions.map((s: any) => [s.node, s.peer, s.state, s.lastError]), [['nodex', 'peery', 'Active', 'connect: connection refused']]);
    assert.deepEqual(v.components.map((c: any) => [c.component, c.result]), [['controller', 'Valid']]);
    assert.equal(v.config.valid, true);
  });

  it('validate --cluster: unchanged, configured; a new Service gets the next free IP; an overlap with a live pool is an error', async () => {
    const file = join(tmpdir(), `herald-cli-kc-${process.pid}.yaml`);
    const docs = [
      `apiVersion: herald.dev/v1beta1\nkind: IPAddressPool\nmetadata: {name: cli-pool, namespace: ${HERALD_NS}}\nspec: {addresses: [198.51.100.200-198.51.100.203], serviceAllocation: {namespaces: [${SVC_NS}]}}`,
      `apiVersion: herald.dev/v1beta1\nkind: L2Advertisement\nmetadata: {name: cli-l2, namespace: ${HERALD_NS}}\nspec: {ipAddressPools: [cli-pool], interfaces: [eth0]}`,
      `apiVersion: v1\nkind: Service\nmetadata: {name: second, namespace: ${SVC_NS}}\nspec: {type: LoadBalancer, ports: [{port: 80}]}`,
    ];
    const clash = `apiVersion: herald.dev/v1beta1\nkind: IPAddressPool\nmetadata: {name: cli-clash, namespace: ${HERALD_NS}}\nspec: {addresses: [198.51.100.202/31]}`;
    try {
      writeFileSync(file, docs.join('\n---\n'));
      const ok = await cli(['validate', '--cluster', '-f', file]);
      assert.equal(ok.code, 0, ok.out + ok.err);
      assert.match(ok.out, new RegExp(`^IPAddressPool ${HERALD_NS}/cli-pool unchanged$`, 'm'));
      assert.match(ok.out, new RegExp(`^L2Advertisement ${HERALD_NS}/cli-l2 configured$`, 'm'));
      // 198.51.100.200 is held by the live web: the new Service gets the next one.
      assert.match(ok.out, new RegExp(`^Service ${SVC_NS}/second: would get 198\\.51\\.100\\.201 from pool cli-pool$`, 'm'));
      writeFileSync(file, clash);
      const bad = await cli(['validate', '--cluster', '-f', file]);
      assert.equal(bad.code, 1, bad.out + bad.err);
      assert.match(bad.out, new RegExp(`^IPAddressPool ${HERALD_NS}/cli-clash created$`, 'm'));
      assert.match(bad.out, new RegExp(`^IPAddressPool ${HERALD_NS}/cli-pool spec\\.addresses\\[0\\]: .*overlaps 198\\.51\\.100\\.202/31 in IPAddressPool "cli-clash"`, 'm'));
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('explain: answers where the server serves discovery.k8s.io/v1, else says what it needs', async function () {
    const r = await cli(['explain', 'service', `${SVC_NS}/web`, '-o', 'json']);
    if (r.code === 2) {
      assert.match(r.err, /EndpointSlices \(discovery\.k8s\.io\/v1\).*Kubernetes 1\.21 or newer is needed/);
      process.stderr.write(`\n!!! explain not checked against ${kc.getCurrentCluster()?.server}: ${r.err.trim()}\n`);
      this.skip();
    }
    assert.equal(r.code, 0, r.err);
    const x = JSON.parse(r.out);
    assert.equal(x.allocation.decision.type, 'allocated');
    assert.deepEqual(x.allocation.decision.ips, ['198.51.100.200']);
  });
});
