// Measuring our own stalls (loop-watch.ts) and the listening time they leave (deaf-time.ts).
import { strict as assert } from 'node:assert';
import { DeafTime } from '../../src/membership/deaf-time.js';
import { LoopWatch, type Stall } from '../../src/membership/loop-watch.js';

type Step = { at: number; arm?: number };

describe('membership/loop-watch', () => {
  // Each step is an entry point at `at` (a tick re-arms the timer for `arm`); want: the stalls seen.
  const cases: { desc: string; input: Step[]; want: Stall[] }[] = [
    { desc: 'ticks on time: nothing', input: [{ at: 0, arm: 20 }, { at: 20, arm: 40 }, { at: 41, arm: 61 }], want: [] },
    { desc: 'a tick 40 ms late (threshold 50): nothing', input: [{ at: 0, arm: 20 }, { at: 60, arm: 80 }], want: [] },
    { desc: 'a tick 200 ms late: one stall, from the last time we ran', input: [{ at: 0, arm: 20 }, { at: 220, arm: 240 }], want: [{ from: 0, to: 220 }] },
    {
      desc: 'a datagram is the first thing we see after the stall, then the late tick: reported once',
      input: [{ at: 0, arm: 20 }, { at: 5 }, { at: 300 }, { at: 300, arm: 320 }],
      want: [{ from: 5, to: 300 }],
    },
    {
      desc: 'datagrams keep arriving while the tick is late: we were listening, not stalled',
      input: [{ at: 0, arm: 20 }, ...Array.from({ length: 20 }, (_, i) => ({ at: 10 + i * 10 })), { at: 210, arm: 230 }],
      want: [],
    },
    {
      desc: 'two stalls in a row',
      input: [{ at: 0, arm: 20 }, { at: 400, arm: 420 }, { at: 420, arm: 440 }, { at: 1000, arm: 1020 }],
      want: [{ from: 0, to: 400 }, { from: 420, to: 1000 }],
    },
    { desc: 'never armed: nothing', input: [{ at: 0 }, { at: 5000 }], want: [] },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const w = new LoopWatch(50);
      const got: Stall[] = [];
      for (const s of c.input) {
        const st = w.check(s.at);
        if (st) got.push(st);
        if (s.arm !== undefined) w.armed(s.arm);
      }
      assert.deepEqual(got, c.want);
    });
  }
});

describe('membership/deaf-time', () => {
  const cases: { desc: string; input: { stalls: [number, number][]; since: number; now: number }; want: number }[] = [
    { desc: 'no stall: wall time', input: { stalls: [], since: 100, now: 400 }, want: 300 },
    { desc: 'a stall after `since` is not listening time', input: { stalls: [[200, 350]], since: 100, now: 400 }, want: 150 },
    { desc: 'overlapping stall reports count once', input: { stalls: [[200, 350], [300, 380]], since: 100, now: 400 }, want: 120 },
    { desc: 'a stall before `since` does not count', input: { stalls: [[10, 90]], since: 100, now: 400 }, want: 300 },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const d = new DeafTime();
      const before = c.input.stalls.filter(([, to]) => to <= c.input.since);
      for (const [f, t] of before) d.add(f, t);
      const marker = d.total;
      for (const [f, t] of c.input.stalls.filter(([, to]) => to > c.input.since)) d.add(f, t);
      assert.equal(d.listening(c.input.since, marker, c.input.now), c.want);
    });
  }

  it('remembers the latest stall (witnesses count only once they sent after it)', () => {
    const d = new DeafTime();
    assert.equal(d.last, undefined);
    d.add(10, 50);
    d.add(40, 70);
    assert.deepEqual(d.last, { from: 50, to: 70 });
  });
});
