// The leader-election shell against a fake Lease API, driven by a FakeClock: a leader that can no
// longer renew stops calling itself leader within renewDeadline, well inside the lease duration.
import assert from 'node:assert/strict';
import { ApiException, type CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { FakeClock } from '../../src/clock.js';
import { createLogger } from '../../src/log.js';
import { LeaderElector } from '../../src/k8s/leader-election.js';

class FakeLeases {
  lease: V1Lease | undefined;
  rv = 0;
  down = false;
  /** Writes by this identity fail (a frozen or cut-off replica). */
  cutOff: string | undefined;
  readNamespacedLease = async (): Promise<V1Lease> => {
    if (this.down) throw new Error('connection refused');
    if (!this.lease) throw new ApiException(404, 'not found', { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'leases.coordination.k8s.io "l" not found' }, {});
    return structuredClone(this.lease);
  };
  createNamespacedLease = async ({ body }: { body: V1Lease }): Promise<V1Lease> => {
    if (this.down) throw new Error('connection refused');
    if (this.lease) throw new ApiException(409, 'exists', {}, {});
    this.lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++this.rv) } };
    return this.lease;
  };
  replaceNamespacedLease = async ({ body }: { body: V1Lease }): Promise<V1Lease> => {
    if (this.down || body.spec?.holderIdentity === this.cutOff) throw new Error('connection refused');
    if (body.metadata?.resourceVersion !== this.lease?.metadata?.resourceVersion) throw new ApiException(409, 'conflict', {}, {});
    this.lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++this.rv) } };
    return this.lease;
  };
}

const flush = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

async function run(clock: FakeClock, ms: number, step = 100): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.advance(step);
    await flush();
  }
}

describe('LeaderElector', () => {
  const log = createLogger({ component: 'test', level: 'error' });

  it('acquires, renews, and stops leading within renewDeadline when the API goes away', async () => {
    const clock = new FakeClock(1000);
    const api = new FakeLeases();
    const e = new LeaderElector({ api: api as unknown as CoordinationV1Api, namespace: 'ns', name: 'l', identity: 'a', clock, log, leaseDurationSeconds: 15, renewDeadlineMs: 10_000, retryPeriodMs: 2000 });
    e.start();
    await flush();
    assert.equal(e.isLeader(), true);
    await run(clock, 20_000);
    assert.equal(e.isLeader(), true, 'renewals keep it leading');
    api.down = true;
    await run(clock, 9_000);
    assert.equal(e.isLeader(), true, 'still within renewDeadline');
    await run(clock, 2_000);
    assert.equal(e.isLeader(), false, 'past renewDeadline (10 s < lease 15 s): no longer leader');
    await e.stop();
  });

  it('a second candidate waits while the lease is fresh, and takes over once it expires', async () => {
    const clock = new FakeClock(0);
    const api = new FakeLeases();
    const a = new LeaderElector({ api: api as unknown as CoordinationV1Api, namespace: 'ns', name: 'l', identity: 'a', clock, log, leaseDurationSeconds: 6, renewDeadlineMs: 4000, retryPeriodMs: 1000 });
    const b = new LeaderElector({ api: api as unknown as CoordinationV1Api, namespace: 'ns', name: 'l', identity: 'b', clock, log, leaseDurationSeconds: 6, renewDeadlineMs: 4000, retryPeriodMs: 1000 });
    a.start();
    await flush();
    b.start();
    await run(clock, 10_000);
    assert.equal(a.isLeader(), true);
    assert.equal(b.isLeader(), false);
    // a is cut off from the API (its renewals fail, nothing is released): a stops leading after
    // its renewDeadline (4 s), b only after the lease expires by its own observation (6 s), so
    // at no step are both leaders.
    api.cutOff = 'a';
    const cut = clock.now();
    let aLost = -1;
    let bAt = -1;
    for (let i = 0; i < 200 && bAt < 0; i++) {
      await run(clock, 100);
      const [la, lb] = [a.isLeader(), b.isLeader()];
      assert.ok(!(la && lb), `two leaders at ${clock.now() - cut} ms`);
      if (!la && aLost < 0) aLost = clock.now();
      if (lb) bAt = clock.now();
    }
    assert.ok(aLost > 0 && aLost - cut <= 4000 + 1000, `a stopped leading within its renewDeadline (${aLost - cut} ms)`);
    assert.ok(bAt > aLost, 'b took over after a stopped');
    assert.equal(api.lease?.spec?.holderIdentity, 'b');
    assert.ok(bAt - cut <= 6000 + 2000, `b took over within the lease duration plus retries (${bAt - cut} ms)`);
    await a.stop();
    await b.stop();
  });
});
