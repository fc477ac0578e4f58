import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.js';
import { WorkQueue, done, type Outcome } from '../../src/k8s/work-queue.js';

/** Lets queued promise callbacks run. */
const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('WorkQueue', () => {
  it('deduplicates keys waiting in the queue', async () => {
    const seen: string[] = [];
    const q = new WorkQueue({ clock: new FakeClock(), handler: async (k) => (seen.push(k), done) });
    q.add('a');
    q.add('b');
    q.add('a');
    await q.idle();
    // 'a' started at once (one worker), so the second add of 'a' while active runs it again.
    assert.deepEqual(seen, ['a', 'b', 'a']);
  });

  it('never runs one key twice at once, and reruns a key changed while it ran', async () => {
    let running = 0;
    let maxRunning = 0;
    const release: (() => void)[] = [];
    const q = new WorkQueue({
      clock: new FakeClock(),
      concurrency: 4,
      handler: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise<void>((r) => release.push(r));
        running--;
        return done;
      },
    });
    q.add('k');
    q.add('k');
    q.add('k');
    await flush();
    assert.equal(release.length, 1, 'one run while the first is active');
    release.shift()!();
    await flush();
    assert.equal(release.length, 1, 'the dirty key ran exactly once more');
    release.shift()!();
    await q.idle();
    assert.equal(maxRunning, 1);
  });

  it('retries with exponential backoff, and resets after success', async () => {
    const clock = new FakeClock();
    const times: number[] = [];
    let fails = 3;
    const q = new WorkQueue({
      clock,
      baseDelayMs: 100,
      handler: async (): Promise<Outcome> => {
        times.push(clock.now());
        return fails-- > 0 ? { type: 'retry', reason: 'conflict' } : done;
      },
    });
    q.add('k');
    for (let i = 0; i < 20; i++) {
      await flush();
      clock.advance(50);
    }
    assert.deepEqual(times, [0, 100, 300, 700]);
    assert.equal(q.backoffFor('k'), 100);
  });

  it('a handler that throws is retried like a failure, and no-retry is not retried', async () => {
    const clock = new FakeClock();
    const calls: string[] = [];
    const q = new WorkQueue({
      clock,
      baseDelayMs: 10,
      handler: async (k): Promise<Outcome> => {
        calls.push(k);
        if (k === 'bad') return { type: 'no-retry', reason: 'invalid annotation' };
        if (calls.filter((c) => c === 'boom').length === 1) throw new Error('boom');
        return done;
      },
    });
    q.add('bad');
    q.add('boom');
    for (let i = 0; i < 5; i++) {
      await flush();
      clock.advance(10);
    }
    assert.deepEqual(calls, ['bad', 'boom', 'boom']);
  });

  it('requeue-after waits exactly, and an add cancels the wait', async () => {
    const clock = new FakeClock();
    const times: number[] = [];
    const q = new WorkQueue({
      clock,
      handler: async (): Promise<Outcome> => {
        times.push(clock.now());
        return times.length === 1 ? { type: 'requeue-after', ms: 1000 } : done;
      },
    });
    q.add('k');
    await flush();
    clock.advance(400);
    q.add('k');
    await q.idle();
    clock.advance(2000);
    await flush();
    assert.deepEqual(times, [0, 400]);
  });
});
