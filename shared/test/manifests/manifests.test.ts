// config/: every kustomization renders (our stand-in for `kubectl kustomize`), and the
// controller Deployment and speaker DaemonSet carry the properties DESIGN §9 and issue 7 ask
// for. RBAC, samples and the Dockerfile have their own files beside this one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLUSTER_SCOPED, containersOf, parseImage } from './kustomize.js';
import { CONFIG, ROOT, flag, kustomizationDirs, one, podSpec, portOf, rendered } from './fixtures.js';

const NS = 'herald-system';
const IMAGE = 'ghcr.io/herald-lb/herald';
// DESIGN §10, plus the controller's leader-election identity.
const DESIGN_FLAGS = ['kubeconfig', 'namespace', 'lb-class', 'metrics-addr', 'health-addr', 'log-level'];
const CONTROLLER_FLAGS = [...DESIGN_FLAGS, 'identity', 'kube-api-qps', 'kube-api-burst'];
const SPEAKER_FLAGS = [...DESIGN_FLAGS, 'node-name', 'heartbeat-addr', 'heartbeat-key-file'];

function bytes(q: string): number {
  const m = /^(\d+)(Ki|Mi|Gi)?$/.exec(q);
  if (!m) throw new Error(`quantity ${q}`);
  return Number(m[1]) * ({ Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[m[2] ?? ''] ?? 1);
}

describe('config/ kustomizations', () => {
  const dirs = kustomizationDirs();

  it('finds the base, the overlays, the samples and the CRDs', () => {
    for (const want of ['default', 'namespace', 'crd', 'rbac', 'controller', 'speaker', 'overlays/l2-only', 'overlays/bgp', 'samples']) {
      assert.ok(dirs.includes(want), `config/${want}/kustomization.yaml is missing (found: ${dirs.join(', ')})`);
    }
  });

  for (const dir of dirs) {
    it(`renders config/${dir}: every object named, and namespaced objects in an explicit namespace`, () => {
      const objs = rendered(dir);
      assert.ok(objs.length > 0, 'renders nothing');
      for (const o of objs) {
        assert.match(o.apiVersion, /^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/, `${o.kind}/${o.metadata.name} apiVersion`);
        assert.match(o.kind, /^[A-Z][A-Za-z0-9]+$/);
        assert.match(o.metadata.name, /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/);
        if (CLUSTER_SCOPED.has(o.kind)) assert.equal(o.metadata.namespace, undefined, `${o.kind}/${o.metadata.name}`);
        else assert.ok(o.metadata.namespace, `${o.kind}/${o.metadata.name} has no namespace: kubectl would use the current one`);
      }
    });
  }
});

describe('config/default', () => {
  const objs = rendered('default');

  it('holds the namespace with privileged pod security, every CRD, both components', () => {
    const ns = one(objs, 'Namespace', NS);
    assert.equal(ns.metadata.labels?.['pod-security.kubernetes.io/enforce'], 'privileged');
    const crds = rendered('crd').map((c) => c.metadata.name).sort();
    assert.ok(crds.length > 0, 'config/crd renders no CRD (run make crds)');
    assert.deepEqual(objs.filter((o) => o.kind === 'CustomResourceDefinition').map((c) => c.metadata.name).sort(), crds);
    for (const [kind, name] of [
      ['ServiceAccount', 'herald-controller'], ['ServiceAccount', 'herald-speaker'], ['Deployment', 'herald-controller'],
      ['DaemonSet', 'herald-speaker'], ['PodDisruptionBudget', 'herald-controller'], ['Service', 'herald-controller-metrics'],
    ] as const) {
      assert.equal(one(objs, kind, name).metadata.namespace, NS, `${kind}/${name}`);
    }
  });

  it('puts every namespaced object in herald-system', () => {
    const stray = objs.filter((o) => !CLUSTER_SCOPED.has(o.kind) && o.metadata.namespace !== NS);
    assert.deepEqual(stray.map((o) => `${o.kind}/${o.metadata.name}`), []);
  });
});

describe('image references', () => {
  const version = (JSON.parse(readFileSync(join(ROOT, 'lerna.json'), 'utf8')) as { version: string }).version;

  for (const dir of ['default', 'overlays/l2-only', 'overlays/bgp', 'controller', 'speaker']) {
    it(`config/${dir}: every container runs ${IMAGE}:${version}`, () => {
      const images = rendered(dir).flatMap((o) => containersOf(o).map((c) => String(c.image)));
      assert.ok(images.length >= 1, 'no containers');
      for (const ref of images) assert.deepEqual(parseImage(ref), { name: IMAGE, tag: version, digest: undefined }, ref);
    });
  }

  it('config/default sets the same version in images: and in the version label', () => {
    const k = readFileSync(join(CONFIG, 'default/kustomization.yaml'), 'utf8');
    assert.match(k, new RegExp(`newTag: ${version.replaceAll('.', '\\.')}\\n`));
    for (const o of rendered('default')) assert.equal(o.metadata.labels?.['app.kubernetes.io/version'], version, `${o.kind}/${o.metadata.name}`);
  });
});

describe('controller Deployment', () => {
  const objs = rendered('default');
  const d = one(objs, 'Deployment', 'herald-controller') as any;
  const pod = podSpec(d);
  const c = pod.containers[0];
  const args: string[] = c.args;
  const cases: { desc: string; got: () => unknown; want: unknown }[] = [
    { desc: 'runs 2 replicas', got: () => d.spec.replicas, want: 2 },
    { desc: 'has one container', got: () => pod.containers.length, want: 1 },
    { desc: 'runs the herald-controller program', got: () => args[0], want: 'herald-controller' },
    { desc: 'uses its own ServiceAccount', got: () => pod.serviceAccountName, want: 'herald-controller' },
    { desc: 'watches herald-system', got: () => flag(args, 'namespace'), want: NS },
    { desc: 'passes only flags herald-controller has', got: () => args.slice(1).map((a) => /^--([a-z-]+)=/.exec(a)?.[1]).filter((f) => f === undefined || !CONTROLLER_FLAGS.includes(f)), want: [] },
    { desc: 'sets metrics, health and log flags', got: () => ['metrics-addr', 'health-addr', 'log-level'].map((f) => flag(args, f) !== undefined), want: [true, true, true] },
    { desc: 'runs as non-root (pod)', got: () => pod.securityContext.runAsNonRoot, want: true },
    { desc: 'runs as uid 65532', got: () => pod.securityContext.runAsUser, want: 65532 },
    { desc: 'runs as non-root (container)', got: () => c.securityContext.runAsNonRoot, want: true },
    { desc: 'has a read-only root filesystem', got: () => c.securityContext.readOnlyRootFilesystem, want: true },
    { desc: 'forbids privilege escalation', got: () => c.securityContext.allowPrivilegeEscalation, want: false },
    { desc: 'drops every capability and adds none', got: () => c.securityContext.capabilities, want: { drop: ['ALL'] } },
    { desc: 'uses the RuntimeDefault seccomp profile', got: () => c.securityContext.seccompProfile.type, want: 'RuntimeDefault' },
    { desc: 'probes liveness on /healthz at --health-addr', got: () => [c.livenessProbe.httpGet.path, portNumber(c, c.livenessProbe.httpGet.port)], want: ['/healthz', portOf(flag(args, 'health-addr'))] },
    { desc: 'probes readiness on /readyz at --health-addr', got: () => [c.readinessProbe.httpGet.path, portNumber(c, c.readinessProbe.httpGet.port)], want: ['/readyz', portOf(flag(args, 'health-addr'))] },
    { desc: 'names its metrics port after --metrics-addr', got: () => portNumber(c, 'metrics'), want: portOf(flag(args, 'metrics-addr')) },
    { desc: 'caps the young generation: 1 MB semi-spaces (issue 17)', got: () => /--max-semi-space-size=1(\s|$)/.test(envValue(c, 'NODE_OPTIONS')), want: true },
    { desc: 'uses one glibc malloc arena (issue 17)', got: () => envValue(c, 'MALLOC_ARENA_MAX'), want: '1' },
    { desc: 'limit holds the V8 heap cap and ~100 MB besides', got: () => bytes(c.resources.limits.memory) >= (heapCapMb(c) + 100) * 1024 ** 2, want: true },
    { desc: 'limits memory to 320Mi (a 192 MB heap cap, ~100 MB besides; measured 194 MB at 10,000 Services)', got: () => bytes(c.resources.limits.memory), want: 320 * 1024 ** 2 },
    { desc: 'requests 128Mi (measured 121 MB at 1,000 Services) and cpu', got: () => [typeof c.resources.requests.cpu, bytes(c.resources.requests.memory)], want: ['string', 128 * 1024 ** 2] },
    { desc: 'prefers replicas on different nodes', got: () => pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.topologyKey, want: 'kubernetes.io/hostname' },
    { desc: 'gives its pod name as the election identity', got: () => [flag(args, 'identity'), c.env.find((e: any) => e.name === 'POD_NAME')?.valueFrom.fieldRef.fieldPath], want: ['$(POD_NAME)', 'metadata.name'] },
    { desc: 'keeps leader election on', got: () => args.filter((a) => a.startsWith('--no-leader-elect')), want: [] },
    { desc: 'has no host access', got: () => [pod.hostNetwork, pod.hostPID, (pod.volumes ?? []).some((v: any) => v.hostPath)], want: [undefined, undefined, false] },
  ];
  for (const tc of cases) it(tc.desc, () => assert.deepEqual(tc.got(), tc.want));

  it('anti-affinity, PDB and metrics Service select exactly the controller pods', () => {
    const podLabels = d.spec.template.metadata.labels;
    assert.deepEqual(d.spec.selector.matchLabels, podLabels);
    assert.deepEqual(pod.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.matchLabels, podLabels);
    const pdb = one(objs, 'PodDisruptionBudget', 'herald-controller') as any;
    assert.equal(pdb.spec.minAvailable, 1);
    assert.deepEqual(pdb.spec.selector.matchLabels, podLabels);
    const svc = one(objs, 'Service', 'herald-controller-metrics') as any;
    assert.deepEqual(svc.spec.selector, podLabels);
    assert.equal(portNumber(c, svc.spec.ports[0].targetPort), portOf(flag(args, 'metrics-addr')));
  });
});

describe('speaker DaemonSet', () => {
  const ds = one(rendered('default'), 'DaemonSet', 'herald-speaker') as any;
  const pod = podSpec(ds);
  const c = pod.containers[0];
  const args: string[] = c.args;
  const keyFile = flag(args, 'heartbeat-key-file') ?? '';
  const cases: { desc: string; got: () => unknown; want: unknown }[] = [
    { desc: 'is on the host network', got: () => pod.hostNetwork, want: true },
    { desc: 'resolves cluster names from the host network', got: () => pod.dnsPolicy, want: 'ClusterFirstWithHostNet' },
    { desc: 'has one container', got: () => pod.containers.length, want: 1 },
    { desc: 'runs the herald-speaker program', got: () => args[0], want: 'herald-speaker' },
    { desc: 'uses its own ServiceAccount', got: () => pod.serviceAccountName, want: 'herald-speaker' },
    { desc: 'passes only flags herald-speaker has', got: () => args.slice(1).map((a) => /^--([a-z-]+)=/.exec(a)?.[1]).filter((f) => f === undefined || !SPEAKER_FLAGS.includes(f)), want: [] },
    { desc: 'drops every capability but NET_RAW and NET_ADMIN', got: () => ({ drop: c.securityContext.capabilities.drop, add: [...c.securityContext.capabilities.add].sort() }), want: { drop: ['ALL'], add: ['NET_ADMIN', 'NET_RAW'] } },
    { desc: 'is not privileged', got: () => [c.securityContext.privileged, c.securityContext.allowPrivilegeEscalation], want: [false, false] },
    { desc: 'has a read-only root filesystem', got: () => c.securityContext.readOnlyRootFilesystem, want: true },
    { desc: 'uses the RuntimeDefault seccomp profile', got: () => c.securityContext.seccompProfile.type, want: 'RuntimeDefault' },
    { desc: 'takes NODE_NAME from the downward API', got: () => c.env.find((e: any) => e.name === 'NODE_NAME')?.valueFrom.fieldRef.fieldPath, want: 'spec.nodeName' },
    { desc: 'passes the node name', got: () => flag(args, 'node-name'), want: '$(NODE_NAME)' },
    { desc: 'watches herald-system', got: () => flag(args, 'namespace'), want: NS },
    { desc: 'listens for heartbeats on the declared UDP port', got: () => c.ports.find((p: any) => p.name === 'heartbeat'), want: { name: 'heartbeat', containerPort: portOf(flag(args, 'heartbeat-addr')), protocol: 'UDP' } },
    { desc: 'uses distinct metrics, heartbeat and health ports', got: () => new Set(['metrics-addr', 'heartbeat-addr', 'health-addr'].map((f) => portOf(flag(args, f)))).size, want: 3 },
    { desc: 'names its metrics port after --metrics-addr', got: () => portNumber(c, 'metrics'), want: portOf(flag(args, 'metrics-addr')) },
    { desc: 'probes liveness on /healthz at --health-addr', got: () => [c.livenessProbe.httpGet.path, portNumber(c, c.livenessProbe.httpGet.port)], want: ['/healthz', portOf(flag(args, 'health-addr'))] },
    { desc: 'probes readiness on /readyz at --health-addr', got: () => [c.readinessProbe.httpGet.path, portNumber(c, c.readinessProbe.httpGet.port)], want: ['/readyz', portOf(flag(args, 'health-addr'))] },
    { desc: 'reads the heartbeat key from herald-speaker-heartbeat, key "key", read-only', got: () => heartbeatKeySource(pod, c, keyFile), want: { secretName: 'herald-speaker-heartbeat', key: 'key', readOnly: true } },
    { desc: 'tolerates control-plane nodes', got: () => pod.tolerations.some((t: any) => t.key === 'node-role.kubernetes.io/control-plane' && t.operator === 'Exists' && t.effect === 'NoSchedule'), want: true },
    { desc: 'caps the young generation: 1 MB semi-spaces (issue 17)', got: () => /--max-semi-space-size=1(\s|$)/.test(envValue(c, 'NODE_OPTIONS')), want: true },
    { desc: 'uses one glibc malloc arena (issue 17)', got: () => envValue(c, 'MALLOC_ARENA_MAX'), want: '1' },
    { desc: 'limit holds the V8 heap cap and ~100 MB besides', got: () => bytes(c.resources.limits.memory) >= (heapCapMb(c) + 100) * 1024 ** 2, want: true },
    { desc: 'limits memory to 384Mi (a 256 MB heap cap, ~100 MB besides; measured 214 MB at 10,000 Services)', got: () => bytes(c.resources.limits.memory), want: 384 * 1024 ** 2 },
    { desc: 'requests 144Mi (measured 135 MB at 1,000 Services) and cpu', got: () => [typeof c.resources.requests.cpu, bytes(c.resources.requests.memory)], want: ['string', 144 * 1024 ** 2] },
    { desc: 'gives at least 10 s for graceful handoff', got: () => pod.terminationGracePeriodSeconds >= 10, want: true },
    { desc: 'mounts no host path', got: () => (pod.volumes ?? []).some((v: any) => v.hostPath), want: false },
    { desc: 'rolls one node at a time', got: () => ds.spec.updateStrategy.rollingUpdate.maxUnavailable, want: 1 },
  ];
  for (const tc of cases) it(tc.desc, () => assert.deepEqual(tc.got(), tc.want));
});

/** A container's env value by name ('' when unset). */
function envValue(c: any, name: string): string {
  return c.env?.find((e: any) => e.name === name)?.value ?? '';
}

/** --max-old-space-size from NODE_OPTIONS, MB (throws when unset: every component is capped). */
function heapCapMb(c: any): number {
  const m = /--max-old-space-size=(\d+)/.exec(envValue(c, 'NODE_OPTIONS'));
  if (!m) throw new Error(`NODE_OPTIONS ${JSON.stringify(envValue(c, 'NODE_OPTIONS'))} sets no --max-old-space-size`);
  return Number(m[1]);
}

/** A probe or Service port (a number or a container port name) as a number. */
function portNumber(c: any, port: number | string): number | undefined {
  if (typeof port === 'number') return port;
  return c.ports.find((p: any) => p.name === port)?.containerPort;
}

/** Where the file at path comes from: the Secret volume and key mounted there. */
function heartbeatKeySource(pod: any, c: any, path: string): unknown {
  const m = c.volumeMounts.find((vm: any) => path.startsWith(`${vm.mountPath}/`));
  if (!m) return `no volume mount holds ${path}`;
  const v = pod.volumes.find((x: any) => x.name === m.name);
  if (!v?.secret) return `volume ${m.name} is not a Secret`;
  const file = path.slice(m.mountPath.length + 1);
  const item = (v.secret.items ?? []).find((i: any) => i.path === file);
  return { secretName: v.secret.secretName, key: item ? item.key : file, readOnly: m.readOnly === true };
}
