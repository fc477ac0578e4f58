// The reconciler with fakes: what it writes, and that re-learning trusts a fresh LIST over a
// lagging informer cache (otherwise an IP a Service already holds is handed out again).
import assert from 'node:assert/strict';
import type { V1Service } from '@kubernetes/client-node';
import { createLogger, parseConfig, type Config, type EventRecorder } from '@herald/shared';
import { ServiceReconciler, type ReconcilerDeps, type ServiceWriter } from '../../src/reconcile/reconciler.js';
import type { StatusPatch } from '../../src/reconcile/service-status.js';

function config(addresses: string[]): Config {
  const r = parseConfig({ ipAddressPools: [{ apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name: 'p', namespace: 'herald-system' }, spec: { addresses } }] });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
}

function svc(name: string, ip?: string, created = '2026-01-01T00:00:00Z'): V1Service {
  return {
    metadata: { name, namespace: 'demo', uid: `uid-${name}`, resourceVersion: '1', creationTimestamp: created as unknown as Date },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }] },
    ...(ip ? { status: { loadBalancer: { ingress: [{ ip }] } } } : {}),
  };
}

function harness(cached: V1Service[], list: () => Promise<readonly V1Service[]>) {
  const writes: { key: string; patch: StatusPatch }[] = [];
  const queue: string[] = [];
  const writer: ServiceWriter = {
    patchStatus: async (s, patch) => {
      writes.push({ key: `${s.metadata?.namespace}/${s.metadata?.name}`, patch });
      return { ...s, metadata: { ...s.metadata, resourceVersion: String(Number(s.metadata?.resourceVersion ?? 0) + 1) }, status: patch.status as V1Service['status'] };
    },
    patchMetadata: async (s) => s,
  };
  const events: EventRecorder = { record: () => undefined };
  const deps: ReconcilerDeps = {
    services: { get: (key) => cached.find((s) => `demo/${s.metadata?.name}` === key), list: () => cached },
    listServices: list,
    namespaceLabels: () => ({}),
    writer,
    events,
    isLeader: () => true,
    lbClass: undefined,
    log: createLogger({ component: 'test', level: 'error' }),
    nowIso: () => '2026-01-01T00:00:00Z',
  };
  return { r: new ServiceReconciler(deps, (k) => queue.push(k)), writes, queue };
}

const ipsWritten = (w: { key: string; patch: StatusPatch }[], key: string): string[] =>
  w.filter((x) => x.key === key).flatMap((x) => x.patch.status.loadBalancer.ingress.map((i) => i.ip));

describe('ServiceReconciler', () => {
  it('re-learns from a fresh LIST: an IP the lagging cache does not show yet is not handed out again', async () => {
    // The API says a holds .10; the informer has not seen that status write yet.
    const { r, writes, queue } = harness([svc('a'), svc('b', undefined, '2026-01-02T00:00:00Z')], async () => [svc('a', '192.0.2.10'), svc('b', undefined, '2026-01-02T00:00:00Z')]);
    await r.setConfig(config(['192.0.2.10-192.0.2.11']));
    assert.deepEqual(queue.sort(), ['demo/a', 'demo/b'], 'every Service is queued once the re-learn is done');
    await r.reconcile('demo/b');
    assert.deepEqual(ipsWritten(writes, 'demo/b'), ['192.0.2.11']);
  });

  it('does nothing before the re-learn has finished', async () => {
    let release: (l: V1Service[]) => void = () => undefined;
    const { r, writes } = harness([svc('b')], () => new Promise<V1Service[]>((res) => (release = res)));
    const done = r.setConfig(config(['192.0.2.10/32']));
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(await r.reconcile('demo/b'), { type: 'done' });
    assert.equal(writes.length, 0, 'no allocation while re-learning');
    release([svc('b')]);
    await done;
    await r.reconcile('demo/b');
    assert.deepEqual(ipsWritten(writes, 'demo/b'), ['192.0.2.10']);
  });

  it('a re-learn from an older leadership term is dropped', async () => {
    let release: (l: V1Service[]) => void = () => undefined;
    const { r } = harness([svc('b')], () => new Promise<V1Service[]>((res) => (release = res)));
    const done = r.setConfig(config(['192.0.2.10/32']));
    await new Promise((res) => setImmediate(res));
    r.reset();
    release([svc('b')]);
    await done;
    assert.equal(r.ready, false, 'still not ready: the next term re-learns for itself');
  });
});
