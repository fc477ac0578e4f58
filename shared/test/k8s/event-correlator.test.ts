import assert from 'node:assert/strict';
import { COMBINED_PREFIX, EventCorrelator, type Correlated, type EventInput } from '../../src/k8s/event-correlator.js';
import type { ObjectRef } from '../../src/k8s/events.js';

const svc = (name: string, uid = `uid-${name}`): ObjectRef => ({ apiVersion: 'v1', kind: 'Service', namespace: 'demo', name, uid });
const ev = (obj: ObjectRef, reason: string, message: string, type: 'Normal' | 'Warning' = 'Warning'): EventInput => ({ obj, type, reason, message });
const MIN = 60_000;

/** What each step comes out as: c = create, p<count> = patch, drop; "+" marks a combined event. */
function brief(r: Correlated): string {
  if (r.type === 'drop') return 'drop';
  return `${r.type === 'create' ? 'c' : `p${r.count}`}${r.combined ? '+' : ''}`;
}

describe('EventCorrelator (client-go EventCorrelator semantics)', () => {
  const a = svc('a');
  const cases: { desc: string; steps: { at: number; e: EventInput }[]; want: string[] }[] = [
    {
      desc: 'a repeat bumps the count of the event already written',
      steps: [0, 1, 2].map((i) => ({ at: i * 1000, e: ev(a, 'AllocationFailed', 'pool exhausted') })),
      want: ['c', 'p2', 'p3'],
    },
    {
      desc: 'different reasons, objects or types are different events',
      steps: [ev(a, 'AllocationFailed', 'm'), ev(a, 'IPAllocated', 'm'), ev(svc('b'), 'AllocationFailed', 'm'), ev(a, 'AllocationFailed', 'm', 'Normal')].map((e) => ({ at: 0, e })),
      want: ['c', 'c', 'c', 'c'],
    },
    {
      desc: 'the 10th distinct message within 10 minutes starts one combined event, whose count then grows',
      steps: Array.from({ length: 12 }, (_, i) => ({ at: i * 1000, e: ev(a, 'InvalidService', `problem ${i}`) })),
      want: ['c', 'c', 'c', 'c', 'c', 'c', 'c', 'c', 'c', 'c+', 'p2+', 'p3+'],
    },
    {
      desc: 'similar events more than 10 minutes apart are not combined',
      steps: Array.from({ length: 12 }, (_, i) => ({ at: i * 11 * MIN, e: ev(a, 'InvalidService', `problem ${i}`) })),
      want: Array.from({ length: 12 }, () => 'c'),
    },
    {
      desc: 'the spam filter lets 25 through per object, then one per 5 minutes',
      // Two messages in turn (never combined); the object's 25 tokens are gone after event 24.
      steps: [...Array.from({ length: 27 }, (_, i) => ({ at: i, e: ev(a, 'Flap', `state ${i % 2}`) })), { at: 5 * MIN + 100, e: ev(a, 'Flap', 'state 1') }, { at: 5 * MIN + 101, e: ev(a, 'Flap', 'state 0') }],
      want: [...Array.from({ length: 25 }, (_, i) => (i < 2 ? 'c' : `p${Math.floor(i / 2) + 1}`)), 'drop', 'drop', 'p14', 'drop'],
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const k = new EventCorrelator({ component: 'herald-controller', host: 'c1' });
      assert.deepEqual(c.steps.map((s) => brief(k.correlate(s.e, s.at, 1_700_000_000_000 + s.at))), c.want);
    });
  }

  it('the combined event carries the latest message after the prefix, and keeps its name', () => {
    const k = new EventCorrelator({ component: 'herald-controller', host: 'c1' });
    const out = Array.from({ length: 11 }, (_, i) => k.correlate(ev(a, 'InvalidService', `problem ${i}`), i, 1_700_000_000_000 + i));
    const [first, second] = [out[9]!, out[10]!];
    if (first.type !== 'create' || second.type !== 'patch') return assert.fail(`${first.type}, ${second.type}`);
    assert.equal(first.message, `${COMBINED_PREFIX}problem 9`);
    assert.equal(second.message, `${COMBINED_PREFIX}problem 10`);
    assert.equal(second.name, first.name);
    assert.equal(second.firstWall, first.firstWall);
  });

  it('counts spam the filter refused in the next event that passes', () => {
    const k = new EventCorrelator({ component: 'x', host: 'h' }, { spam: { perSecond: 1 / 300, burst: 1 } });
    const r = [0, 1, 2, 300_000].map((t) => k.correlate(ev(a, 'Flap', 'same'), t, t));
    assert.deepEqual(r.map(brief), ['c', 'drop', 'drop', 'p4']);
  });

  it('names are unique even within one millisecond', () => {
    const k = new EventCorrelator({ component: 'x', host: 'h' });
    const names = new Set(Array.from({ length: 100 }, (_, i) => k.correlate(ev(svc(`s${i}`), 'IPAllocated', 'm', 'Normal'), 0, 1_700_000_000_000)).map((r) => (r.type === 'drop' ? '' : r.name)));
    assert.equal(names.size, 100);
    assert.ok([...names].every((n) => /^s\d+\.[0-9a-f]+$/.test(n)));
  });

  it('its caches are bounded (LRU): an evicted event is created anew', () => {
    const k = new EventCorrelator({ component: 'x', host: 'h' }, { cacheSize: 2 });
    const r = ['a', 'b', 'c', 'a'].map((n) => brief(k.correlate(ev(svc(n), 'R', 'm'), 0, 0)));
    assert.deepEqual(r, ['c', 'c', 'c', 'c']);
  });
});
