import assert from 'node:assert/strict';
import { FakeClock } from '@herald/shared';
import type { StatusObject } from '../../src/status/desired-status.js';
import { StatusPump, type DesiredStatuses, type SyncTarget } from '../../src/status/status-pump.js';

/** A sync target whose syncs stay open until the test settles them. */
class Target implements SyncTarget {
  readonly calls: string[][] = [];
  private settle: ((ok: boolean) => void)[] = [];

  sync(desired: DesiredStatuses): Promise<boolean> {
    this.calls.push([...desired.keys()]);
    return new Promise((r) => this.settle.push(r));
  }

  get open(): number {
    return this.settle.length;
  }

  /** Settles the oldest (or newest) open sync, then lets the pump's continuation run. */
  async end(ok: boolean, which: 'oldest' | 'newest' = 'oldest'): Promise<void> {
    const r = which === 'oldest' ? this.settle.shift() : this.settle.pop();
    if (!r) throw new Error('no sync open');
    r(ok);
    await ticks();
  }
}

const ticks = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

const set = (...names: string[]): DesiredStatuses => new Map(names.map((n) => [n, { name: n } as unknown as StatusObject]));

describe('StatusPump: status objects written in the background, latest wins', () => {
  it('submit returns at once; one sync at a time; sets submitted meanwhile collapse to the newest', async () => {
    const t = new Target();
    const p = new StatusPump(t, { clock: new FakeClock() });
    p.submit(set('a'));
    assert.equal(t.open, 1);
    p.submit(set('a', 'b'));
    p.submit(set('a', 'b', 'c'));
    assert.equal(t.open, 1, 'a second sync must not start while one runs');
    await t.end(true);
    assert.deepEqual(t.calls, [['a'], ['a', 'b', 'c']], 'the middle set is skipped: only the newest matters');
    await t.end(true);
    await p.idle();
    assert.equal(t.calls.length, 2);
  });

  it('a failed sync is retried after a backoff that doubles, with the newest set, and resets on success', async () => {
    const t = new Target();
    const clock = new FakeClock();
    const p = new StatusPump(t, { clock, backoffMs: 100, maxBackoffMs: 250 });
    p.submit(set('a'));
    await t.end(false);
    assert.equal(p.failing, 1);
    clock.advance(99);
    assert.equal(t.open, 0, 'no retry before the backoff');
    p.submit(set('b'));
    assert.equal(t.open, 0, 'a submit does not jump the backoff');
    clock.advance(1);
    assert.deepEqual(t.calls.at(-1), ['b'], 'the retry takes the newest set');
    await t.end(false);
    clock.advance(199);
    assert.equal(t.open, 0);
    clock.advance(1);
    assert.equal(t.open, 1, 'second backoff: 200 ms');
    await t.end(false);
    clock.advance(249);
    assert.equal(t.open, 0);
    clock.advance(1);
    assert.equal(t.open, 1, 'capped at maxBackoffMs');
    await t.end(true);
    assert.equal(p.failing, 0);
    assert.equal(clock.pending(), 0, 'nothing left scheduled after success');
  });

  it('finish stops retries and background writes, waits for the running sync, then syncs its set once', async () => {
    const t = new Target();
    const clock = new FakeClock();
    const p = new StatusPump(t, { clock, backoffMs: 100 });
    p.submit(set('a'));
    p.submit(set('b'));
    const done = p.finish(set());
    await t.end(true); // the running sync of 'a'
    assert.equal(t.open, 1);
    assert.deepEqual(t.calls.at(-1), [], "the pending 'b' is dropped; the final set is written");
    await t.end(true);
    assert.equal(await done, true);
    p.submit(set('late'));
    clock.advance(10_000);
    assert.equal(t.calls.length, 2, 'nothing is written after finish');
  });

  it('finish does not wait forever on a sync that hangs (an unreachable API server)', async () => {
    const t = new Target();
    const clock = new FakeClock();
    const p = new StatusPump(t, { clock });
    p.submit(set('a'));
    const done = p.finish(set(), 1000);
    await ticks();
    assert.equal(t.open, 1, 'still waiting for the hung sync');
    clock.advance(1000);
    await ticks();
    assert.equal(t.open, 2, 'the final sync starts after the wait limit');
    assert.deepEqual(t.calls.at(-1), []);
    await t.end(true, 'newest');
    assert.equal(await done, true);
  });
});
