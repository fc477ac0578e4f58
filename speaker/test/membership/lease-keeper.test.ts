import { strict as assert } from 'node:assert';
import { ApiException, type V1Lease } from '@kubernetes/client-node';
import { createLogger, FakeClock } from '@herald/shared';
import { LeaseKeeper, type LeaseApi } from '../../src/membership/lease-keeper.js';

/** An in-memory Lease API with resourceVersion checks, recording the JSON bodies it got. */
class FakeLeases {
  store = new Map<string, V1Lease>();
  rv = 100;
  bodies: string[] = [];
  fail = false;
  /** Answer as a server that does not serve coordination.k8s.io/v1 (text/plain 404, no Status). */
  notServed = false;
  api: LeaseApi = {
    readNamespacedLease: async ({ name, namespace }) => {
      if (this.fail) throw new ApiException(503, 'unavailable', {}, {});
      if (this.notServed) throw new ApiException(404, 'Not Found', '404 page not found\n', {});
      const l = this.store.get(`${namespace}/${name}`);
      if (!l) throw new ApiException(404, 'not found', { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `leases.coordination.k8s.io "${name}" not found` }, {});
      return structuredClone(l);
    },
    createNamespacedLease: async ({ namespace, body }) => {
      this.bodies.push(JSON.stringify(body));
      const l = { ...JSON.parse(JSON.stringify(body)), metadata: { ...body.metadata, resourceVersion: String(++this.rv) } } as V1Lease;
      this.store.set(`${namespace}/${body.metadata!.name!}`, l);
      return l;
    },
    replaceNamespacedLease: async ({ name, namespace, body }) => {
      this.bodies.push(JSON.stringify(body));
      const cur = this.store.get(`${namespace}/${name}`);
      if (cur?.metadata?.resourceVersion !== body.metadata?.resourceVersion) throw new ApiException(409, 'conflict', {}, {});
      const l = { ...JSON.parse(JSON.stringify(body)), metadata: { ...body.metadata, resourceVersion: String(++this.rv) } } as V1Lease;
      this.store.set(`${namespace}/${name}`, l);
      return l;
    },
  };
}

describe('membership/lease-keeper', () => {
  const log = createLogger({ component: 'test', sink: () => undefined });

  it('creates, then renews, reporting send time and the new resourceVersion', async () => {
    const f = new FakeLeases();
    const clock = new FakeClock(1000);
    const got: [number, string][] = [];
    const k = new LeaseKeeper({ api: f.api, namespace: 'herald-system', node: 'node1', clock, log, onRenewed: (s, key) => got.push([s, key]) });
    assert.deepEqual(await k.renewOnce(), { type: 'created', renewKey: '101' });
    clock.advance(2000);
    assert.deepEqual(await k.renewOnce(), { type: 'renewed', renewKey: '102' });
    assert.deepEqual(got, [[1000, '101'], [3000, '102']]);
    const stored = f.store.get('herald-system/herald-speaker-node1');
    assert.equal(stored?.spec?.holderIdentity, 'node1');
    assert.equal(stored?.spec?.leaseDurationSeconds, 10);
    assert.equal(stored?.metadata?.labels?.['app.kubernetes.io/component'], 'speaker-lease');
  });

  it('a 404 without a Status (the resource not served) is a failure, not "create it"', async () => {
    const f = new FakeLeases();
    f.notServed = true;
    const k = new LeaseKeeper({ api: f.api, namespace: 'ns', node: 'n', clock: new FakeClock(), log, onRenewed: () => undefined });
    const r = await k.renewOnce();
    assert.equal(r.type, 'failed');
    assert.deepEqual(f.bodies, [], 'no create was sent');
  });

  it('adds its selector label to a Lease that lacks it', async () => {
    const f = new FakeLeases();
    f.store.set('ns/herald-speaker-n', { metadata: { name: 'herald-speaker-n', namespace: 'ns', resourceVersion: '7', labels: { keep: 'me' } }, spec: { holderIdentity: 'n' } });
    const k = new LeaseKeeper({ api: f.api, namespace: 'ns', node: 'n', clock: new FakeClock(), log, onRenewed: () => undefined });
    assert.equal((await k.renewOnce()).type, 'renewed');
    assert.deepEqual(f.store.get('ns/herald-speaker-n')?.metadata?.labels, { keep: 'me', 'app.kubernetes.io/component': 'speaker-lease' });
  });

  it('writes MicroTime with exactly 6 fractional digits (the API rejects 3)', async () => {
    const f = new FakeLeases();
    const k = new LeaseKeeper({ api: f.api, namespace: 'ns', node: 'n', clock: new FakeClock(), log, wallNow: () => 1_700_000_000_123, onRenewed: () => undefined });
    await k.renewOnce();
    await k.renewOnce();
    assert.equal(f.bodies.length, 2);
    for (const b of f.bodies) {
      const spec = (JSON.parse(b) as { spec: { renewTime: string } }).spec;
      assert.equal(spec.renewTime, '2023-11-14T22:13:20.123000Z');
    }
  });

  it('a failure is an outcome, not a throw, and reports no renewal', async () => {
    const f = new FakeLeases();
    f.fail = true;
    let called = 0;
    const k = new LeaseKeeper({ api: f.api, namespace: 'ns', node: 'n', clock: new FakeClock(), log, onRenewed: () => called++ });
    const r = await k.renewOnce();
    assert.equal(r.type, 'failed');
    assert.equal(called, 0);
  });
});
