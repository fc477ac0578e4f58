// The reconciler with fakes: what it writes, that re-learning trusts a fresh LIST over a lagging
// informer cache (otherwise an IP a Service already holds is handed out again), and that its
// writes are pipelined, bounded and coalesced per Service.
import assert from 'node:assert/strict';
import type { V1Service } from '@kubernetes/client-node';
import { ApiException } from '@kubernetes/client-node';
import { FakeClock, createLogger, parseConfig, type Clock, type Config, type EventRecorder } from '@herald/shared';
import { ServiceReconciler, relearnBackoffMs, type ReconcilerDeps, type ServiceWriter } from '../../src/reconcile/reconciler.js';
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

/** A Service exactly as this controller leaves it: status, condition and annotation written. */
function settled(name: string, ip: string): V1Service {
  const s = svc(name, ip);
  return {
    ...s,
    metadata: { ...s.metadata, annotations: { 'herald.dev/ip-allocated-from-pool': 'p' } },
    status: {
      loadBalancer: { ingress: [{ ip, ipMode: 'VIP' }] },
      conditions: [{ type: 'herald.dev/IPAllocated', status: 'True', reason: 'Allocated', message: `Assigned ${ip} from pool p`, lastTransitionTime: new Date('2026-01-01T00:00:00Z') }],
    },
  };
}

interface Held {
  key: string;
  kind: 'status' | 'annotation';
  patch: unknown;
  release: () => void;
  fail: (e: Error) => void;
}

/**
 * `hold`: writes wait until the test releases them (to see what is in flight at once);
 * otherwise they answer at once.
 */
function harness(cached: V1Service[], list: () => Promise<readonly V1Service[]>, o: { hold?: boolean; writeConcurrency?: number; clock?: Clock } = {}) {
  const writes: { key: string; patch: StatusPatch }[] = [];
  const annotations: string[] = [];
  const held: Held[] = [];
  const queue: { key: string; afterMs?: number }[] = [];
  const events: { name: string; reason: string; message: string }[] = [];
  let inflight = 0;
  let maxInflight = 0;
  const perKey = new Map<string, number>();
  let overlapSameKey = false;
  const store = new Map(cached.map((s) => [`demo/${s.metadata?.name}`, s]));
  const bump = (s: V1Service): V1Service => ({ ...s, metadata: { ...s.metadata, resourceVersion: String(Number(s.metadata?.resourceVersion ?? 0) + 1) } });
  const io = <T>(key: string, kind: Held['kind'], patch: unknown, result: () => T): Promise<T> => {
    inflight++;
    maxInflight = Math.max(maxInflight, inflight);
    perKey.set(key, (perKey.get(key) ?? 0) + 1);
    if ((perKey.get(key) ?? 0) > 1) overlapSameKey = true;
    const end = (): void => {
      inflight--;
      perKey.set(key, (perKey.get(key) ?? 1) - 1);
    };
    if (!o.hold) {
      end();
      return Promise.resolve(result());
    }
    return new Promise<T>((resolve, reject) => {
      held.push({ key, kind, patch, release: () => (end(), resolve(result())), fail: (e) => (end(), reject(e)) });
    });
  };
  const writer: ServiceWriter = {
    patchStatus: (s, patch) => {
      const key = `${s.metadata?.namespace}/${s.metadata?.name}`;
      writes.push({ key, patch });
      return io(key, 'status', patch, () => ({ ...bump(s), status: patch.status as V1Service['status'] }));
    },
    patchMetadata: (s, patch) => {
      const key = `${s.metadata?.namespace}/${s.metadata?.name}`;
      annotations.push(key);
      return io(key, 'annotation', patch, () => ({ ...bump(s), metadata: { ...bump(s).metadata, annotations: { ...s.metadata?.annotations, ...patch.metadata.annotations } as Record<string, string> } }));
    },
  };
  const recorder: EventRecorder = { record: (obj, _t, reason, message) => void events.push({ name: obj.name, reason, message }) };
  const deps: ReconcilerDeps = {
    services: { get: (key) => store.get(key), list: () => [...store.values()] },
    listServices: list,
    namespaceLabels: () => ({}),
    writer,
    events: recorder,
    isLeader: () => true,
    lbClass: undefined,
    log: createLogger({ component: 'test', level: 'error' }),
    nowIso: () => '2026-01-01T00:00:00Z',
    writeConcurrency: o.writeConcurrency,
    ...(o.clock ? { clock: o.clock } : {}),
  };
  const r = new ServiceReconciler(deps, (key, afterMs) => void queue.push({ key, ...(afterMs ? { afterMs } : {}) }));
  return { r, writes, annotations, held, queue, events, store, stats: () => ({ maxInflight, overlapSameKey }) };
}

const ipsWritten = (w: { key: string; patch: StatusPatch }[], key: string): string[] =>
  w.filter((x) => x.key === key).flatMap((x) => x.patch.status.loadBalancer.ingress.map((i) => i.ip));

const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

describe('ServiceReconciler', () => {
  it('re-learns from a fresh LIST: an IP the lagging cache does not show yet is not handed out again', async () => {
    // The API says a holds .10; the informer has not seen that status write yet.
    const { r, writes, queue } = harness([svc('a'), svc('b', undefined, '2026-01-02T00:00:00Z')], async () => [svc('a', '192.0.2.10'), svc('b', undefined, '2026-01-02T00:00:00Z')]);
    await r.setConfig(config(['192.0.2.10-192.0.2.11']));
    assert.deepEqual(queue.map((q) => q.key).sort(), ['demo/a', 'demo/b'], 'every Service is queued once the re-learn is done');
    await r.reconcile('demo/b');
    await r.writes.idle();
    assert.deepEqual(ipsWritten(writes, 'demo/b'), ['192.0.2.11']);
  });

  it('does nothing before the re-learn has finished', async () => {
    let release: (l: V1Service[]) => void = () => undefined;
    const { r, writes } = harness([svc('b')], () => new Promise<V1Service[]>((res) => (release = res)));
    const done = r.setConfig(config(['192.0.2.10/32']));
    await new Promise((res) => setImmediate(res));
    assert.deepEqual(await r.reconcile('demo/b'), { type: 'done' });
    await r.writes.idle();
    assert.equal(writes.length, 0, 'no allocation while re-learning');
    release([svc('b')]);
    await done;
    await r.reconcile('demo/b');
    await r.writes.idle();
    assert.deepEqual(ipsWritten(writes, 'demo/b'), ['192.0.2.10']);
  });

  it('a failed re-learn LIST is retried on the injected clock: 100 ms, then 200 ms, and nothing is allocated until one succeeds', async () => {
    assert.deepEqual([0, 1, 2, 6, 7, 50].map(relearnBackoffMs), [100, 200, 400, 5000, 5000, 5000]);
    const clock = new FakeClock();
    let calls = 0;
    const { r, writes } = harness([svc('b')], () => (++calls <= 2 ? Promise.reject(new Error('connection refused')) : Promise.resolve([svc('b')])), { clock });
    const done = r.setConfig(config(['192.0.2.10/32']));
    await flush();
    assert.equal(calls, 1);
    clock.advance(99);
    await flush();
    assert.equal(calls, 1, 'not before the first backoff is over');
    clock.advance(1);
    await flush();
    assert.equal(calls, 2);
    clock.advance(199);
    await flush();
    assert.equal(calls, 2, 'the second wait is longer');
    assert.equal(r.ready, false);
    clock.advance(1);
    await done;
    assert.equal(calls, 3);
    assert.equal(r.ready, true);
    await r.reconcile('demo/b');
    await r.writes.idle();
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

  it('deciding never waits for the API: 100 Services are decided while every write hangs', async () => {
    const names = Array.from({ length: 100 }, (_, i) => `s${i}`);
    const h = harness(names.map((n) => svc(n)), async () => names.map((n) => svc(n)), { hold: true });
    await h.r.setConfig(config(['192.0.2.0/24']));
    for (const n of names) await h.r.reconcile(`demo/${n}`);
    assert.equal(h.r.writes.pending, 100, 'all 100 decided');
    assert.equal(h.held.length, 16, 'and 16 written at once (the default concurrency)');
    assert.equal(new Set(h.writes.map((w) => w.patch.status.loadBalancer.ingress[0]!.ip)).size, 16);
    for (let round = 0; round < 100 && h.held.length > 0; round++) {
      for (const x of h.held.splice(0)) x.release();
      await flush();
    }
    await h.r.writes.idle();
    const ips = h.writes.map((w) => w.patch.status.loadBalancer.ingress[0]!.ip);
    assert.equal(ips.length, 100);
    assert.equal(new Set(ips).size, 100, 'no IP handed out twice');
    assert.deepEqual(ips, names.map((_, i) => `192.0.2.${i}`), 'allocated in queue order, deterministically');
    assert.equal(h.annotations.length, 100, 'one annotation each');
    assert.ok(h.stats().maxInflight <= 16);
    assert.equal(h.stats().overlapSameKey, false, 'never two writes for one Service at once');
  });

  it('a Service decided five times while its write is in flight is written once more, with the latest', async () => {
    const h = harness([svc('a')], async () => [svc('a')], { hold: true });
    await h.r.setConfig(config(['192.0.2.0/24']));
    await h.r.reconcile('demo/a');
    assert.equal(h.held.length, 1, 'the status write is in flight');
    // Five edits while it is: each asks for another address via the annotation.
    for (let i = 0; i < 5; i++) {
      const cur = h.store.get('demo/a')!;
      h.store.set('demo/a', { ...cur, metadata: { ...cur.metadata, resourceVersion: String(10 + i), annotations: { 'herald.dev/loadBalancerIPs': `192.0.2.${50 + i}` } } });
      await h.r.reconcile('demo/a');
    }
    assert.equal(h.held.length, 1, 'nothing more while the first write is in flight');
    h.held.shift()!.release();
    await flush();
    // The annotation of the first decision is dropped for the newer decision; the next status write carries the latest.
    while (h.held.length > 0) {
      h.held.shift()!.release();
      await flush();
    }
    await h.r.writes.idle();
    assert.deepEqual(ipsWritten(h.writes, 'demo/a'), ['192.0.2.0', '192.0.2.54']);
  });

  it('a failed write sends the Service back to the queue after a backoff that grows', async () => {
    const h = harness([svc('a')], async () => [svc('a')], { hold: true });
    await h.r.setConfig(config(['192.0.2.0/24']));
    h.queue.length = 0;
    for (let i = 0; i < 3; i++) {
      await h.r.reconcile('demo/a');
      h.held.shift()!.fail(new ApiException(409, 'Conflict', {}, {}));
      await flush();
    }
    assert.deepEqual(h.queue, [{ key: 'demo/a', afterMs: 100 }, { key: 'demo/a', afterMs: 200 }, { key: 'demo/a', afterMs: 400 }]);
  });

  it('a pending Service says why once, not on every reconcile', async () => {
    const h = harness([svc('a', '192.0.2.10'), svc('b', undefined, '2026-01-02T00:00:00Z')], async () => [svc('a', '192.0.2.10'), svc('b', undefined, '2026-01-02T00:00:00Z')]);
    await h.r.setConfig(config(['192.0.2.10/32']));
    for (let i = 0; i < 5; i++) {
      await h.r.reconcile('demo/b');
      await h.r.writes.idle();
    }
    assert.deepEqual(h.events.filter((e) => e.name === 'b').map((e) => e.reason), ['AllocationFailed']);
    assert.equal(h.writes.filter((w) => w.key === 'demo/b').length, 1, 'and its condition is written once');
  });

  it('a start on Services that are already right writes nothing and says nothing', async () => {
    const all = Array.from({ length: 50 }, (_, i) => settled(`s${i}`, `192.0.2.${i + 1}`));
    const h = harness(all, async () => all);
    await h.r.setConfig(config(['192.0.2.0/24']));
    for (const q of h.queue.splice(0)) await h.r.reconcile(q.key);
    await h.r.writes.idle();
    assert.equal(h.writes.length + h.annotations.length, 0);
    assert.equal(h.events.length, 0);
  });
});
