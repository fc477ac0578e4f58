// The real herald-speaker bin in a node namespace, against the embedded API server (on the
// host's loopback, reached from the lab network through `herald-lab forward` in the client
// namespace), peering with BIRD over TCP MD5 from a BGPPeer's passwordSecret. BIRD's own CLI
// says Established and holds the Service's /32; the BGPSessionState object says Established with
// the prefix sent. A wrong password in the Secret takes the session down, and the object says so.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { createLogger, mergePatch, type BGPSessionStateStatus } from '@herald/shared';
import { applyObjects, nsSpawn, repoRoot, startTestCluster, stopProcess, type TestCluster, type Topology } from '@herald/lab';
import { skipUnless } from '@herald/testkit';
import { createBgpSite } from '../../src/bgp/lab-site.js';
import { heraldObject } from '../../src/harness/objects.js';
import { routers, type RouterDriver } from '../../src/bgp/api.js';

const NS = 'herald-system';
const NODE = { name: 'node1', ip: '192.0.2.11' };
const API_LISTEN = '192.0.2.100:6443';
const SERVICE_IP = '203.0.113.5';
const PASSWORD = 'md5-s3cret';
const log = createLogger({ component: 'test', level: 'error' });
const secret = (password: string): Record<string, unknown> => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name: 'bgp-auth', namespace: NS },
  type: 'kubernetes.io/basic-auth',
  data: { password: Buffer.from(password).toString('base64') },
});

describe('bgp: BGPSessionState from the real herald-speaker, peering with BIRD over TCP MD5', function () {
  this.timeout(120_000);
  let topo: Topology | undefined;
  let cluster: TestCluster | undefined;
  let router: RouterDriver | undefined;
  const children: ChildProcess[] = [];
  let dir = '';
  let stderr = '';
  let custom: CustomObjectsApi;

  const sessionState = async (): Promise<BGPSessionStateStatus | undefined> => {
    const l = (await custom.listNamespacedCustomObject({ group: 'herald.dev', version: 'v1beta1', namespace: NS, plural: 'bgpsessionstates', labelSelector: `herald.dev/node=${NODE.name}` })) as {
      items: { metadata: { name: string }; status?: BGPSessionStateStatus }[];
    };
    return l.items.find((i) => i.metadata.name === `${NODE.name}.bird`)?.status;
  };
  const waitState = (what: string, ok: (s: BGPSessionStateStatus) => boolean): Promise<BGPSessionStateStatus> =>
    routers.poll(`BGPSessionState ${what}`, async () => {
      const s = await sessionState();
      return s && ok(s) ? s : undefined;
    }, { tries: 200, intervalMs: 100 }).catch((err: unknown) => {
      throw new Error(`${String(err)}; speaker stderr: ${stderr.slice(-3000)}`);
    });
  const birdState = async (): Promise<string | undefined> => (await router!.sessions()).find((s) => s.peer === 'node1')?.state;
  const birdHasRoute = async (): Promise<boolean> => (await router!.routes(4)).some((r) => r.prefix === `${SERVICE_IP}/32` && r.nextHops.includes(NODE.ip));

  before(async function () {
    skipUnless(this, { root: true, tools: ['ip', 'bird', 'birdc'] });
    dir = mkdtempSync(join(tmpdir(), 'herald-bgpss-'));
    topo = await createBgpSite('ss');

    // The API server on the host's loopback, and on the lab network at API_LISTEN (the client
    // namespace) through a Unix socket both sides see, as the lab does.
    cluster = await startTestCluster({ log, host: '127.0.0.1' });
    const sock = join(dir, 'api.sock');
    const root = repoRoot();
    const lab = join(root, 'lab/dist/src/main.js');
    children.push(spawn(process.execPath, [lab, 'forward', '--listen', `unix:${sock}`, '--to', `127.0.0.1:${cluster.server.port}`], { stdio: 'ignore' }));
    const fwd = nsSpawn(topo.ns('client'), [process.execPath, lab, 'forward', '--listen', API_LISTEN, '--to', `unix:${sock}`]);
    children.push(fwd);
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(kubeconfig, cluster.server.kubeconfigYaml().replace(cluster.server.url, `http://${API_LISTEN}`));
    const key = join(dir, 'heartbeat.key');
    writeFileSync(key, randomBytes(32).toString('hex'), { mode: 0o600 });

    const kc = cluster.kubeConfig;
    custom = kc.makeApiClient(CustomObjectsApi);
    await applyObjects(kc, [
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: NODE.name, labels: { 'kubernetes.io/hostname': NODE.name } },
        spec: {},
        status: { addresses: [{ type: 'InternalIP', address: NODE.ip }], conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastTransitionTime: new Date().toISOString() }] },
      },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } },
      secret(PASSWORD),
      heraldObject('IPAddressPool', 'pool', { addresses: ['203.0.113.0/28'] }),
      heraldObject('BGPAdvertisement', 'adv', { ipAddressPools: ['pool'] }),
      heraldObject('BGPPeer', 'bird', {
        myASN: 64512,
        peerASN: 64500,
        peerAddress: '192.0.2.1',
        sourceAddress: NODE.ip,
        holdTime: '3s',
        keepaliveTime: '1s',
        connectTime: '1s',
        passwordSecret: { name: 'bgp-auth', namespace: NS },
      }),
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'default' },
        spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], selector: { app: 'web' } },
      },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'web-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: ['198.51.100.10'], nodeName: NODE.name, conditions: { ready: true } }],
      },
    ] as never);
    // No controller here: the Service's IP is given as the controller would.
    await kc.makeApiClient(CoreV1Api).patchNamespacedServiceStatus({ name: 'web', namespace: 'default', body: { status: { loadBalancer: { ingress: [{ ip: SERVICE_IP }] } } } }, mergePatch);

    router = routers.createRouter('bird', {
      ns: topo.ns('router'),
      routerId: '192.0.2.1',
      asn: 64500,
      holdTime: 3,
      keepaliveTime: 1,
      peers: [{ name: 'node1', address: NODE.ip, asn: 64512, password: PASSWORD }],
    });
    await router.start();

    const speaker = nsSpawn(topo.ns(NODE.name), [
      process.execPath,
      join(root, 'speaker/dist/src/bin.js'),
      '--kubeconfig', kubeconfig,
      '--namespace', NS,
      '--node-name', NODE.name,
      '--metrics-addr', `${NODE.ip}:7472`,
      '--health-addr', `${NODE.ip}:7474`,
      '--heartbeat-addr', `${NODE.ip}:7473`,
      '--heartbeat-key-file', key,
      '--no-l2',
    ]);
    speaker.stderr?.on('data', (b: Buffer) => (stderr = (stderr + b.toString('utf8')).slice(-16_384)));
    speaker.stdout?.on('data', (b: Buffer) => (stderr = (stderr + b.toString('utf8')).slice(-16_384)));
    children.push(speaker);
  });

  after(async () => {
    for (const c of children.reverse()) await stopProcess(c);
    await router?.stop();
    await cluster?.close();
    await topo?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("the right password: BIRD says Established and holds the /32; BGPSessionState says Established with the prefix sent", async () => {
    await routers.poll('BIRD: node1 Established', async () => ((await birdState()) === 'established' ? true : undefined), { tries: 300, intervalMs: 100 }).catch((err: unknown) => {
      throw new Error(`${String(err)}; speaker stderr: ${stderr.slice(-3000)}; bird log: ${router!.log().slice(-2000)}`);
    });
    await routers.poll(`BIRD: ${SERVICE_IP}/32 via ${NODE.ip}`, async () => ((await birdHasRoute()) ? true : undefined), { tries: 200, intervalMs: 100 });
    const st = await waitState('Established with a prefix sent', (s) => s.state === 'Established' && (s.prefixesSent ?? 0) >= 1);
    assert.equal(st.node, NODE.name);
    assert.equal(st.peer, 'bird');
    assert.equal(st.peerAddress, '192.0.2.1');
    assert.match(st.establishedAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok((st.updatesSent ?? 0) >= 1, `updatesSent ${st.updatesSent}`);
  });

  it('a wrong password in the Secret: the session goes down (BIRD agrees, the /32 is gone) and BGPSessionState says so, with a last error', async () => {
    await applyObjects(cluster!.kubeConfig, [secret('wrong-password')] as never);
    await routers.poll('BIRD: node1 no longer Established', async () => ((await birdState()) !== 'established' ? true : undefined), { tries: 200, intervalMs: 100 });
    await routers.poll(`BIRD: ${SERVICE_IP}/32 withdrawn`, async () => ((await birdHasRoute()) ? undefined : true), { tries: 200, intervalMs: 100 });
    const st = await waitState('down with a last error', (s) => s.state !== 'Established' && !!s.lastError);
    assert.equal(st.establishedAt, undefined);
    assert.ok(st.lastError && st.lastError.length > 0);
    // The wrong key drops every SYN: the session never comes back while the password is wrong.
    assert.notEqual(await birdState(), 'established');
  });
});
