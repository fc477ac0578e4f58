import assert from 'node:assert/strict';
import { FakeClock, createLogger } from '@herald/shared';
import type { SessionView } from '../../src/reconcile/bgp-sessions.js';
import type { SessionStateApi } from '../../src/status/session-state-api.js';
import type { StatusObject } from '../../src/status/desired-status.js';
import { SessionStateWriter } from '../../src/status/session-state-writer.js';

const log = createLogger({ component: 'test', level: 'error' });

/** An API server for one node's objects, recording every call. */
class FakeApi implements SessionStateApi {
  objects = new Map<string, Record<string, unknown>>();
  calls: string[] = [];
  failNext = false;
  private check(): void {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('503');
    }
  }
  list(): Promise<Map<string, Record<string, unknown>>> {
    this.calls.push('list');
    return Promise.resolve(new Map([...this.objects].map(([k, v]) => [k, { ...v }])));
  }
  create(o: StatusObject): Promise<void> {
    this.check();
    this.calls.push(`create ${o.name}`);
    if (!this.objects.has(o.name)) this.objects.set(o.name, {});
    return Promise.resolve();
  }
  patchStatus(name: string, status: Record<string, unknown>): Promise<void> {
    this.check();
    this.calls.push(`patch ${name}`);
    const cur = { ...this.objects.get(name) };
    for (const [k, v] of Object.entries(status)) {
      if (v === null) delete cur[k];
      else cur[k] = v;
    }
    this.objects.set(name, cur);
    return Promise.resolve();
  }
  delete(name: string): Promise<void> {
    this.check();
    this.calls.push(`delete ${name}`);
    this.objects.delete(name);
    return Promise.resolve();
  }
}

const view = (o: Partial<SessionView> = {}): SessionView => ({
  peer: 'r1',
  peerAddress: '203.0.113.1',
  state: 'connect',
  establishedAt: undefined,
  prefixesSent: 0,
  prefixesReceived: 0,
  updatesSent: 0,
  lastError: undefined,
  ...o,
});

/** Lets the writer's promise chain run (the fake API resolves at once). */
const drain = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await Promise.resolve();
};

function setup(views: SessionView[], existing: Record<string, Record<string, unknown>> = {}) {
  const clock = new FakeClock(5_000);
  const api = new FakeApi();
  for (const [k, v] of Object.entries(existing)) api.objects.set(k, v);
  const state = { views };
  const w = new SessionStateWriter({ api, node: 'node1', views: () => state.views, clock, wallNow: () => 1_700_000_000_000 + clock.now(), log });
  return { clock, api, state, w };
}

describe('status: BGPSessionState writer', () => {
  it('steps: create, state change at once, counters at most every 10 s, nothing when unchanged, delete when gone', async () => {
    const { clock, api, state, w } = setup([view()]);
    const steps: { desc: string; act: () => void; advance: number; want: string[] }[] = [
      { desc: 'start: list, create and write the first status', act: () => w.start(), advance: 0, want: ['list', 'create node1.r1', 'patch node1.r1'] },
      { desc: 'a poke with nothing changed writes nothing', act: () => w.poke(), advance: 2_000, want: [] },
      {
        desc: 'Established: written (after the 1 s coalescing window)',
        act: () => {
          state.views = [view({ state: 'established', establishedAt: clock.now(), prefixesSent: 1, updatesSent: 1 })];
          w.poke();
        },
        advance: 1_000,
        want: ['patch node1.r1'],
      },
      {
        desc: 'counters alone, poked within 10 s of the last write: not written',
        act: () => {
          state.views = [view({ ...state.views[0], prefixesSent: 5, updatesSent: 3 })];
          w.poke();
        },
        advance: 1_000,
        want: [],
      },
      { desc: 'the counters are written when 10 s have passed since the last write (not a period later)', act: () => undefined, advance: 8_000, want: ['patch node1.r1'] },
      { desc: 'the next periodic pass with nothing new writes nothing', act: () => undefined, advance: 10_000, want: [] },
      {
        desc: 'many pokes in a burst: one write',
        act: () => {
          state.views = [view({ state: 'idle', lastError: { type: 'down', reason: { type: 'hold-timer-expired' } } })];
          for (let i = 0; i < 5; i++) w.poke();
        },
        advance: 1_000,
        want: ['patch node1.r1'],
      },
      {
        desc: 'the peer no longer applies: its object is deleted',
        act: () => {
          state.views = [];
          w.poke();
        },
        advance: 1_000,
        want: ['delete node1.r1'],
      },
    ];
    for (const s of steps) {
      api.calls = [];
      s.act();
      await drain();
      clock.advance(s.advance);
      await drain();
      assert.deepEqual(api.calls, s.want, s.desc);
    }
    await w.close();
  });

  it('a write that drops a field names it as null (establishedAt goes when the session goes down)', async () => {
    const { clock, api, state, w } = setup([view({ state: 'established', establishedAt: 4_000, prefixesSent: 1 })]);
    w.start();
    clock.advance(0);
    await drain();
    assert.equal(api.objects.get('node1.r1')?.['establishedAt'], '2023-11-14T22:13:24Z');
    assert.equal(api.objects.get('node1.r1')?.['state'], 'Established');
    state.views = [view({ state: 'active', lastError: { type: 'down', reason: { type: 'notification-received', code: 6, subcode: 2, data: '' } } })];
    w.poke();
    clock.advance(1_000);
    await drain();
    const o = api.objects.get('node1.r1')!;
    assert.equal(o['establishedAt'], undefined);
    assert.equal(o['state'], 'Active');
    assert.equal(o['lastError'], 'NOTIFICATION received: 6/2 administrative shutdown');
    await w.close();
  });

  it('a restarted speaker deletes the objects of peers that no longer apply, and keeps the rest without rewriting them', async () => {
    const kept = { node: 'node1', peer: 'r1', peerAddress: '203.0.113.1', state: 'Connect', prefixesSent: 0, prefixesReceived: 0, updatesSent: 0, lastTransitionTime: '2023-11-14T22:13:20Z' };
    const { clock, api, w } = setup([view()], { 'node1.r1': kept, 'node1.gone': { node: 'node1', peer: 'gone', state: 'Established' } });
    w.start();
    clock.advance(0);
    await drain();
    assert.deepEqual(api.calls, ['list', 'delete node1.gone']);
    assert.deepEqual(api.objects.get('node1.r1'), kept);
    await w.close();
  });

  it('a failed write re-lists and retries on the next pass', async () => {
    const { clock, api, state, w } = setup([view()]);
    w.start();
    clock.advance(0);
    await drain();
    state.views = [view({ state: 'active' })];
    api.failNext = true;
    api.calls = [];
    w.poke();
    clock.advance(1_000);
    await drain();
    assert.deepEqual(api.calls, [], 'the failed patch made no change');
    clock.advance(10_000);
    await drain();
    assert.deepEqual(api.calls, ['list', 'patch node1.r1']);
    assert.equal(api.objects.get('node1.r1')?.['state'], 'Active');
    await w.close();
  });

  it('close() deletes every object of this node and writes nothing after', async () => {
    const { clock, api, state, w } = setup([view(), view({ peer: 'r2' })]);
    w.start();
    clock.advance(0);
    await drain();
    assert.equal(api.objects.size, 2);
    await w.close();
    assert.equal(api.objects.size, 0);
    state.views = [view()];
    w.poke();
    clock.advance(60_000);
    await drain();
    assert.equal(api.objects.size, 0);
  });
});
