import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.js';
import { RateLimiter } from '../../src/k8s/rate-limiter.js';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

/** Starts n acquires named by index and records the order they are let through. */
function line(l: RateLimiter, n: number, signals: (AbortSignal | undefined)[] = []) {
  const order: number[] = [];
  const aborted: number[] = [];
  for (let i = 0; i < n; i++) {
    l.acquire(signals[i]).then(
      () => order.push(i),
      () => aborted.push(i),
    );
  }
  return { order, aborted };
}

describe('RateLimiter (client-side QPS and burst)', () => {
  it('lets the burst through at once, then one request per 1/qps', async () => {
    const clock = new FakeClock();
    const l = new RateLimiter({ qps: 10, burst: 5 }, clock);
    const { order } = line(l, 8);
    await flush();
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    clock.advance(99);
    await flush();
    assert.equal(order.length, 5, 'not before 100 ms');
    clock.advance(1);
    await flush();
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5]);
    clock.advance(200);
    await flush();
    assert.deepEqual(order, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.equal(l.waiting, 0);
  });

  it('serves waiters first come, first served: a late request never overtakes, even when a token is there', async () => {
    const clock = new FakeClock();
    const l = new RateLimiter({ qps: 1, burst: 1 }, clock);
    const first = line(l, 3);
    await flush();
    assert.deepEqual(first.order, [0]);
    clock.advance(1000);
    // A token is due now, but the timer has not run yet for waiter 1: a newcomer must queue behind.
    let late = false;
    void l.acquire().then(() => (late = true));
    await flush();
    assert.deepEqual(first.order, [0, 1]);
    assert.equal(late, false);
    clock.advance(1000);
    await flush();
    assert.deepEqual(first.order, [0, 1, 2]);
    assert.equal(late, false);
    clock.advance(1000);
    await flush();
    assert.equal(late, true);
  });

  it('an aborted waiter leaves at once, with its signal\'s reason, and takes no token', async () => {
    const clock = new FakeClock();
    const l = new RateLimiter({ qps: 1, burst: 1 }, clock);
    const ac = new AbortController();
    const { order, aborted } = line(l, 3, [undefined, ac.signal, undefined]);
    await flush();
    assert.deepEqual(order, [0]);
    const reason = new Error('caller gave up');
    ac.abort(reason);
    await flush();
    assert.deepEqual(aborted, [1]);
    clock.advance(1000);
    await flush();
    assert.deepEqual(order, [0, 2], 'the next waiter got the token the aborted one would have had');
    await assert.rejects(l.acquire(AbortSignal.abort(reason)), (e) => e === reason);
  });

  it('with a negative qps there is no limit', async () => {
    const l = new RateLimiter({ qps: -1, burst: 0 }, new FakeClock());
    const { order } = line(l, 1000);
    await flush();
    assert.equal(order.length, 1000);
    assert.equal(l.limited, false);
  });

  it('refuses qps 0 and a burst below 1 (saying which)', () => {
    assert.throws(() => new RateLimiter({ qps: 0, burst: 1 }, new FakeClock()), /qps must be > 0, or negative/);
    assert.throws(() => new RateLimiter({ qps: 5, burst: 0 }, new FakeClock()), /burst must be an integer >= 1/);
  });

  it('reports how long a request waited', async () => {
    const clock = new FakeClock();
    const l = new RateLimiter({ qps: 4, burst: 1 }, clock);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) void l.acquire().then((w) => waits.push(w));
    await flush();
    clock.advance(250);
    await flush();
    clock.advance(250);
    await flush();
    assert.deepEqual(waits, [0, 250, 500]);
  });
});
