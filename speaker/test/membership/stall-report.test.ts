// Which stalls of our own loop are warned about (stall-report.ts): one heartbeat or more, at most
// once per 10 s, with what was folded in since the last warning.
import { strict as assert } from 'node:assert';
import { StallReport, type StallWarning } from '../../src/membership/stall-report.js';

describe('membership/stall-report', () => {
  // Each step: a stall of `ms` noticed at `at`; want: the warning each step gives (undefined: debug only).
  const cases: { desc: string; input: { at: number; ms: number }[]; want: (StallWarning | undefined)[] }[] = [
    { desc: 'short stalls (under a heartbeat) are not warned', input: [{ at: 0, ms: 60 }, { at: 1000, ms: 99 }], want: [undefined, undefined] },
    { desc: 'a stall of a heartbeat or more is warned', input: [{ at: 500, ms: 460.4 }], want: [{ stalledMs: 460, suppressed: 0, suppressedLongestMs: 0 }] },
    {
      desc: 'a second one within 10 s is folded into the next warning',
      input: [{ at: 0, ms: 150 }, { at: 2000, ms: 300 }, { at: 5000, ms: 120 }, { at: 10_000, ms: 200 }],
      want: [
        { stalledMs: 150, suppressed: 0, suppressedLongestMs: 0 },
        undefined,
        undefined,
        { stalledMs: 200, suppressed: 2, suppressedLongestMs: 300 },
      ],
    },
    {
      desc: 'short stalls are not counted as suppressed',
      input: [{ at: 0, ms: 150 }, { at: 100, ms: 50 }, { at: 20_000, ms: 100 }],
      want: [{ stalledMs: 150, suppressed: 0, suppressedLongestMs: 0 }, undefined, { stalledMs: 100, suppressed: 0, suppressedLongestMs: 0 }],
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const r = new StallReport();
      assert.deepEqual(c.input.map((s) => r.stalled(s.at, s.ms)), c.want);
    });
  }
});
