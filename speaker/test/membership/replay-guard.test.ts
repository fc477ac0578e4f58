import { strict as assert } from 'node:assert';
import { newIncarnation, ReplayGuard, type ReplayVerdict } from '../../src/membership/replay-guard.js';

type Step = { from: string; incarnation: bigint; seq: number; at?: number };

describe('membership/replay-guard', () => {
  const cases: { desc: string; input: Step[]; want: (ReplayVerdict['ok'] | string)[] }[] = [
    { desc: 'increasing sequence is accepted', input: [{ from: 'a', incarnation: 5n, seq: 1 }, { from: 'a', incarnation: 5n, seq: 2 }], want: [true, true] },
    { desc: 'a replayed sequence is refused', input: [{ from: 'a', incarnation: 5n, seq: 2 }, { from: 'a', incarnation: 5n, seq: 2 }], want: [true, 'replayed'] },
    { desc: 'an older sequence is refused', input: [{ from: 'a', incarnation: 5n, seq: 9 }, { from: 'a', incarnation: 5n, seq: 3 }], want: [true, 'replayed'] },
    { desc: 'a new (larger) incarnation restarts the sequence', input: [{ from: 'a', incarnation: 5n, seq: 9 }, { from: 'a', incarnation: 6n, seq: 0 }], want: [true, true] },
    {
      desc: 'an old incarnation is refused after a restart',
      input: [{ from: 'a', incarnation: 6n, seq: 0 }, { from: 'a', incarnation: 5n, seq: 100 }],
      want: [true, 'stale-incarnation'],
    },
    {
      desc: 'an old incarnation is accepted once the current one was silent for the forget time (clock stepped back)',
      input: [{ from: 'a', incarnation: 6n, seq: 0, at: 0 }, { from: 'a', incarnation: 5n, seq: 0, at: 5001 }],
      want: [true, true],
    },
    { desc: 'senders are independent', input: [{ from: 'a', incarnation: 5n, seq: 9 }, { from: 'b', incarnation: 1n, seq: 0 }], want: [true, true] },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const g = new ReplayGuard();
      const got = c.input.map((s) => {
        const v = g.accept(s.from, s.incarnation, s.seq, s.at ?? 0);
        return v.ok ? true : v.error.type;
      });
      assert.deepEqual(got, c.want);
    });
  }

  it('reports a new incarnation', () => {
    const g = new ReplayGuard();
    assert.deepEqual(g.accept('a', 1n, 0, 0), { ok: true, newIncarnation: true });
    assert.deepEqual(g.accept('a', 1n, 1, 0), { ok: true, newIncarnation: false });
  });

  it('a later start gives a larger incarnation, whatever the random bits', () => {
    assert.ok(newIncarnation(1_000_001, 0) > newIncarnation(1_000_000, 0xffff));
  });

  it('remembers a bounded number of senders (the least recently heard goes first)', () => {
    const g = new ReplayGuard(5000, 2);
    g.accept('a', 1n, 5, 0);
    g.accept('b', 1n, 5, 0);
    g.accept('a', 1n, 6, 0);
    g.accept('c', 1n, 5, 0);
    assert.equal(g.size, 2);
    assert.deepEqual(g.accept('a', 1n, 6, 0), { ok: false, error: { type: 'replayed', seq: 6, last: 6 } });
    assert.equal(g.accept('b', 1n, 5, 0).ok, true, 'b was evicted, so it is new again');
  });

  it('retain() forgets non-members', () => {
    const g = new ReplayGuard();
    g.accept('a', 1n, 0, 0);
    g.accept('b', 1n, 0, 0);
    g.retain(new Set(['a']));
    assert.equal(g.size, 1);
  });
});
