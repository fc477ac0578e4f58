// The Event recorder's shell: asynchronous, bounded, one write per key at a time, and what the
// correlator decides (tested on its own in event-correlator.test.ts) reaching the API.
import assert from 'node:assert/strict';
import { ApiException, type CoreV1Api, type CoreV1Event } from '@kubernetes/client-node';
import { FakeClock } from '../../src/clock.js';
import { K8sEventRecorder, eventMetrics, type ObjectRef } from '../../src/k8s/events.js';
import { createLogger } from '../../src/log.js';
import { createRegistry } from '../../src/metrics.js';

interface Call {
  verb: 'create' | 'patch';
  name: string;
  body: Partial<CoreV1Event>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

/** A CoreV1Api whose event writes wait until the test settles them (or settle at once). */
function fakeApi(auto?: (c: Call) => 'ok' | ApiException<unknown>) {
  const calls: Call[] = [];
  const handle = (verb: Call['verb'], name: string, body: Partial<CoreV1Event>) =>
    new Promise<CoreV1Event>((resolve, reject) => {
      const c: Call = { verb, name, body, resolve: () => resolve(body as CoreV1Event), reject };
      calls.push(c);
      const a = auto?.(c);
      if (a === 'ok') c.resolve();
      else if (a) reject(a);
    });
  const api = {
    createNamespacedEvent: (p: { body: CoreV1Event }) => handle('create', p.body.metadata?.name ?? '', p.body),
    patchNamespacedEvent: (p: { name: string; body: Partial<CoreV1Event> }) => handle('patch', p.name, p.body),
  };
  return { api: api as unknown as CoreV1Api, calls };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};
const svc = (name: string): ObjectRef => ({ apiVersion: 'v1', kind: 'Service', namespace: 'demo', name, uid: `u-${name}` });
const log = createLogger({ component: 'test', level: 'error' });

function recorder(api: CoreV1Api, clock = new FakeClock(), opts: { queueCap?: number; concurrency?: number } = {}) {
  const metrics = eventMetrics(createRegistry('test', false));
  const r = new K8sEventRecorder(api, 'herald-controller', 'c1', log, () => 1_700_000_000_000 + clock.now(), { clock, metrics, ...opts });
  const dropped = async (reason: string): Promise<number> => (await metrics.dropped.get()).values.find((v) => v.labels['reason'] === reason)?.value ?? 0;
  return { r, clock, metrics, dropped };
}

describe('K8sEventRecorder', () => {
  it('record() returns at once; at most `concurrency` writes are in flight', async () => {
    const { api, calls } = fakeApi();
    const { r } = recorder(api);
    for (let i = 0; i < 10; i++) r.record(svc(`s${i}`), 'Normal', 'IPAllocated', 'Assigned');
    await flush();
    assert.equal(calls.length, 2);
    calls[0]!.resolve();
    await flush();
    assert.equal(calls.length, 3);
  });

  it('a slow API server holds at most queueCap writes; the rest are dropped and counted', async () => {
    const { api, calls } = fakeApi();
    const { r, dropped } = recorder(api, new FakeClock(), { queueCap: 100 });
    for (let i = 0; i < 5000; i++) r.record(svc(`s${i}`), 'Normal', 'IPAllocated', 'Assigned');
    await flush();
    assert.equal(calls.length, 2);
    assert.equal(await dropped('queue-full'), 5000 - 100 - 2);
  });

  it('a flapping object costs at most the spam filter\'s 25 writes, however often it flaps', async () => {
    const { api, calls } = fakeApi(() => 'ok');
    const { r, dropped } = recorder(api);
    for (let i = 0; i < 1000; i++) {
      r.record(svc('flappy'), 'Warning', 'AllocationFailed', i % 2 ? 'pool exhausted' : 'no pool matches');
      await flush();
    }
    assert.ok(calls.length <= 25, `${calls.length} writes`);
    assert.equal(await dropped('spam-filter'), 975);
  });

  it('a repeat while its create is still waiting is folded into that create', async () => {
    const { api, calls } = fakeApi();
    const { r } = recorder(api, new FakeClock(), { concurrency: 1 });
    r.record(svc('busy'), 'Normal', 'IPAllocated', 'x');
    for (let i = 0; i < 3; i++) r.record(svc('a'), 'Warning', 'AllocationFailed', 'pool exhausted');
    await flush();
    calls[0]!.resolve();
    await flush();
    assert.equal(calls.length, 2);
    assert.equal(calls[1]!.verb, 'create');
    assert.equal(calls[1]!.body.count, 3);
  });

  it('a repeat while its create is in flight is patched after the create, never before', async () => {
    const { api, calls } = fakeApi();
    const { r } = recorder(api);
    r.record(svc('a'), 'Warning', 'AllocationFailed', 'pool exhausted');
    await flush();
    r.record(svc('a'), 'Warning', 'AllocationFailed', 'pool exhausted');
    await flush();
    assert.equal(calls.length, 1, 'the patch waits for the create (concurrency is 2)');
    calls[0]!.resolve();
    await flush();
    assert.deepEqual([calls[1]?.verb, calls[1]?.name, calls[1]?.body.count], ['patch', calls[0]!.name, 2]);
  });

  it('an Event gone from the server (404 on the patch) is created again, counting on', async () => {
    const { api, calls } = fakeApi((c) => (c.verb === 'patch' ? new ApiException(404, 'NotFound', { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'events "x" not found' }, {}) : 'ok'));
    const { r } = recorder(api);
    r.record(svc('a'), 'Warning', 'AllocationFailed', 'pool exhausted');
    await flush();
    r.record(svc('a'), 'Warning', 'AllocationFailed', 'pool exhausted');
    await flush();
    assert.deepEqual(calls.map((c) => [c.verb, c.body.count]), [['create', 1], ['patch', 2], ['create', 2]]);
    assert.notEqual(calls[2]!.name, calls[0]!.name);
    r.record(svc('a'), 'Warning', 'AllocationFailed', 'pool exhausted');
    await flush();
    assert.deepEqual([calls[3]?.verb, calls[3]?.name], ['patch', calls[2]!.name], 'later repeats patch the new one');
  });

  it('a failed write is tried 3 times, 1 s and 2 s apart, then dropped and counted', async () => {
    const { api, calls } = fakeApi(() => new ApiException(500, 'boom', {}, {}));
    const { r, clock, dropped } = recorder(api);
    r.record(svc('a'), 'Normal', 'IPAllocated', 'x');
    await flush();
    assert.equal(calls.length, 1);
    clock.advance(999);
    await flush();
    assert.equal(calls.length, 1);
    clock.advance(1);
    await flush();
    assert.equal(calls.length, 2);
    clock.advance(2000);
    await flush();
    assert.equal(calls.length, 3);
    clock.advance(60_000);
    await flush();
    assert.equal(calls.length, 3);
    assert.equal(await dropped('write-failed'), 1);
    await r.idle();
  });

  it('a write the server refuses as invalid (422) is not tried again', async () => {
    const { api, calls } = fakeApi(() => new ApiException(422, 'Invalid', {}, {}));
    const { r, clock, dropped } = recorder(api);
    r.record(svc('a'), 'Normal', 'IPAllocated', 'x');
    await flush();
    clock.advance(10_000);
    await flush();
    assert.equal(calls.length, 1);
    assert.equal(await dropped('write-failed'), 1);
  });

  const bad: { desc: string; obj: ObjectRef; reason: string }[] = [
    { desc: 'an empty reason', obj: svc('a'), reason: '' },
    { desc: 'a reason with spaces', obj: svc('a'), reason: 'IP allocated' },
    { desc: 'an object without a name', obj: { ...svc('a'), name: '' }, reason: 'IPAllocated' },
    { desc: 'an object without a namespace', obj: { ...svc('a'), namespace: '' }, reason: 'IPAllocated' },
  ];
  for (const c of bad) {
    it(`drops and counts ${c.desc}, and never sends it`, async () => {
      const { api, calls } = fakeApi(() => 'ok');
      const { r, dropped } = recorder(api);
      r.record(c.obj, 'Normal', c.reason, 'x');
      await flush();
      assert.equal(calls.length, 0);
      assert.equal(await dropped('invalid'), 1);
    });
  }

  it('cuts messages over 1 KiB', async () => {
    const { api, calls } = fakeApi(() => 'ok');
    const { r } = recorder(api);
    r.record(svc('a'), 'Warning', 'InvalidService', 'x'.repeat(5000));
    await flush();
    assert.equal(calls[0]!.body.message!.length, 1024);
  });

  it('writes what kubectl describe shows: involvedObject, source, count and timestamps', async () => {
    const { api, calls } = fakeApi(() => 'ok');
    const { r } = recorder(api);
    r.record(svc('a'), 'Normal', 'IPAllocated', 'Assigned 192.0.2.10 from pool p');
    await flush();
    const b = calls[0]!.body;
    assert.deepEqual(b.involvedObject, { apiVersion: 'v1', kind: 'Service', namespace: 'demo', name: 'a', uid: 'u-a' });
    assert.deepEqual(b.source, { component: 'herald-controller', host: 'c1' });
    assert.equal(b.count, 1);
    assert.equal(b.type, 'Normal');
    assert.equal(b.metadata?.namespace, 'demo');
    assert.ok(b.firstTimestamp instanceof Date && b.lastTimestamp instanceof Date);
  });
});
