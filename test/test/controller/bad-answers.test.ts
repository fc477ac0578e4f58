// The controller and a speaker against the embedded API server when its answers are bad: a config
// CRD not installed (kube-apiserver's text/plain "404 page not found", no Status) and a stretch of
// 429s. Each must wait and retry with backoff, say why once (not once per attempt), never crash,
// and do its work once the server answers again.
import assert from 'node:assert/strict';
import { CoreV1Api, type V1Service } from '@kubernetes/client-node';
import { Controller } from '@herald/controller';
import { Speaker, StaticMembership } from '@herald/speaker';
import { PooledKubeConfig, createLogger, createRegistry, mergePatch, systemClock, type Logger } from '@herald/shared';
import { applyObjects, heraldCrds, startApiServer, type ApiServer } from '@herald/lab';
import { FakeL2 } from '../../src/harness/fake-l2.js';
import { heraldObject, readyNodes } from '../../src/harness/objects.js';
import { sleep, waitFor } from '../../src/harness/wait.js';

const NS = 'herald-system';

interface Line { level: string; event: string; informer?: string; err?: string; failure?: string }

function capture(component: string): { lines: Line[]; log: Logger } {
  const lines: Line[] = [];
  return { lines, log: createLogger({ component, level: 'debug', sink: (l) => lines.push(JSON.parse(l) as Line) }) };
}

function service(name: string): V1Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'demo' }, spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80, protocol: 'TCP' }] } };
}

const ingress = (s: V1Service | undefined): string[] => (s?.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '');

function controller(kc: PooledKubeConfig, log: Logger): Controller {
  return new Controller({ kubeConfig: kc, namespace: NS, lbClass: undefined, identity: 'c1', clock: systemClock, log, registry: createRegistry('controller', false), leaderElection: false, leaseDurationSeconds: 3, renewDeadlineMs: 2000, retryPeriodMs: 300 });
}

describe('controller and speaker against a missing CRD and 429s', function () {
  this.timeout(90_000);
  let server: ApiServer;
  let kc: PooledKubeConfig;
  let core: CoreV1Api;

  beforeEach(async () => {
    server = await startApiServer({ logger: createLogger({ component: 'apiserver', level: 'error' }) });
    kc = new PooledKubeConfig();
    kc.loadFromString(server.kubeconfigYaml());
    core = kc.makeApiClient(CoreV1Api);
  });
  afterEach(async () => {
    server.forceTooManyRequests(undefined);
    await server.close();
  });

  const poolCrd = (o: { kind: string; metadata: { name?: string } }): boolean => o.kind === 'CustomResourceDefinition' && o.metadata.name === 'ipaddresspools.herald.dev';

  for (const who of ['controller', 'speaker'] as const) {
    it(`${who}: waits for a missing IPAddressPool CRD, says so once, and works once it is installed`, async () => {
      const crds = heraldCrds();
      await applyObjects(kc, [...crds.filter((o) => !poolCrd(o as never)), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } }]);
      const { lines, log } = capture(who);
      let stop: () => Promise<void>;
      let works: () => Promise<boolean>;
      let started: Promise<unknown>;
      if (who === 'controller') {
        const c = controller(kc, log);
        started = c.start();
        stop = () => c.stop();
        await core.createNamespacedService({ namespace: 'demo', body: service('a') });
        works = async () => ingress(await core.readNamespacedService({ name: 'a', namespace: 'demo' })).length === 1;
      } else {
        await readyNodes(kc, ['node1']);
        const membership = new StaticMembership(['node1']);
        const l2 = new FakeL2('node1', membership);
        const s = new Speaker({ kubeConfig: kc, namespace: NS, node: 'node1', lbClass: undefined, clock: systemClock, log, membership, l2, sessionFactory: undefined, events: { record: () => undefined } });
        started = s.start();
        stop = () => s.stop();
        await core.createNamespacedService({ namespace: 'demo', body: service('a') });
        await core.patchNamespacedServiceStatus({ name: 'a', namespace: 'demo', body: { status: { loadBalancer: { ingress: [{ ip: '192.0.2.10' }] } } } }, mergePatch);
        await applyObjects(kc, [{ apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'a-x', namespace: 'demo', labels: { 'kubernetes.io/service-name': 'a' } }, addressType: 'IPv4', endpoints: [{ addresses: ['198.51.100.1'], nodeName: 'node1', conditions: { ready: true } }] }]);
        works = async () => {
          s.resync();
          await s.idle();
          return l2.has('192.0.2.10');
        };
      }
      let crashed: unknown;
      started.catch((err: unknown) => (crashed = err));
      try {
        // Several attempts on the informer's backoff go by in 2.5 s.
        await sleep(2500);
        const errs = lines.filter((l) => l.event === 'informer-error' && l.informer === 'ipaddresspools');
        assert.ok(errs.length >= 2, `retried with backoff (${errs.length} attempts)`);
        assert.deepEqual(errs.map((l) => l.level), ['warn', ...errs.slice(1).map(() => 'debug')], 'warned once, then debug');
        assert.equal(errs[0]!.failure, 'not-served');
        assert.match(errs[0]!.err ?? '', /is its CRD installed\?/);
        assert.equal(crashed, undefined);

        await applyObjects(kc, [...crds.filter((o) => poolCrd(o as never)), heraldObject('IPAddressPool', 'p', { addresses: ['192.0.2.10/32'] }), heraldObject('L2Advertisement', 'l2', { ipAddressPools: ['p'] })]);
        await waitFor(`${who} does its work once the CRD is served`, () => works().then((ok) => ok || undefined), { timeoutMs: 30_000, intervalMs: 200 });
        assert.equal(lines.filter((l) => l.event === 'informer-recovered' && l.informer === 'ipaddresspools').length, 1);
        assert.equal(crashed, undefined);
      } finally {
        await stop();
      }
    });
  }

  it('controller: 429s on every other request for 3 s delay, but do not lose or duplicate, allocations', async () => {
    await applyObjects(kc, [...heraldCrds(), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } }, heraldObject('IPAddressPool', 'p', { addresses: ['192.0.2.0/27'] })]);
    const { log } = capture('controller');
    const c = controller(kc, log);
    await c.start();
    try {
      const names = Array.from({ length: 20 }, (_, i) => `s${i}`);
      // The test's own client retries 429s too (PooledKubeConfig), so its creates get through.
      server.forceTooManyRequests({ type: 'every', n: 2, form: 'plain' });
      for (const n of names) await core.createNamespacedService({ namespace: 'demo', body: service(n) });
      await sleep(3000);
      const shed = server.inflightStats().rejected.forced;
      server.forceTooManyRequests(undefined);
      assert.ok(shed > 10, `the server shed ${shed} requests`);
      const ips = await waitFor('every Service has an IP', async () => {
        const l = await core.listNamespacedService({ namespace: 'demo' });
        const got = l.items.map((s) => ingress(s));
        return got.length === names.length && got.every((g) => g.length === 1) ? got.flat() : undefined;
      }, { timeoutMs: 30_000, intervalMs: 200 });
      assert.equal(new Set(ips).size, names.length, `no IP handed out twice: ${ips.join(' ')}`);
    } finally {
      await c.stop();
    }
  });
});
