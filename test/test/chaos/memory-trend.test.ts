import assert from 'node:assert/strict';
import { memoryTrends, memoryViolations, type MemoryRule } from '../../src/chaos/memory-trend.js';
import type { RssSample } from '../../src/chaos/observations.js';

const RULE: MemoryRule = { warmupShare: 0.2, maxSlopeMbPerMin: 2, minRiseMb: 10, minSpanMs: 60_000 };

/** A sample every 5 s for `minutes`, VmRSS = f(minutes since start). */
function series(role: string, pid: number, minutes: number, f: (m: number) => number): RssSample[] {
  return Array.from({ length: Math.floor((minutes * 60) / 5) + 1 }, (_, i) => ({ t: i * 5000, role, pid, mb: f((i * 5) / 60) }));
}

describe('chaos memory trend (g)', () => {
  const cases: { desc: string; samples: RssSample[]; want: { judged: boolean; rising: boolean } }[] = [
    { desc: 'flat: not rising', samples: series('speaker-node1', 1, 10, () => 150), want: { judged: true, rising: false } },
    { desc: 'warm-up then flat (a V8 heap settling): not rising', samples: series('speaker-node1', 1, 10, (m) => (m < 1.5 ? 100 + 30 * m : 145)), want: { judged: true, rising: false } },
    { desc: 'a steady leak of 5 MB/min: rising', samples: series('controller', 2, 10, (m) => 120 + 5 * m), want: { judged: true, rising: true } },
    { desc: 'a slope of 1 MB/min (under the rule): not rising', samples: series('controller', 2, 10, (m) => 120 + m), want: { judged: true, rising: false } },
    { desc: 'sawtooth GC without trend: not rising', samples: series('controller', 2, 10, (m) => 130 + 10 * (m % 1)), want: { judged: true, rising: false } },
    { desc: 'a slope over the rule but under 10 MB from first to last third (3 min at 3 MB/min): not rising', samples: series('controller', 2, 3, (m) => 120 + 3 * m), want: { judged: true, rising: false } },
    { desc: 'a 40 s series is too short to judge', samples: series('speaker-node2', 3, 40 / 60, (m) => 100 + 60 * m), want: { judged: false, rising: false } },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const [m] = memoryTrends(c.samples, RULE);
      assert.deepEqual({ judged: m!.judged, rising: m!.rising }, c.want);
    });
  }

  it("a lab stand-in's growth is shown but not judged", () => {
    const [m] = memoryTrends(series('backend-node1', 4, 10, (x) => 120 + 5 * x), RULE, (role) => !role.startsWith('backend-'));
    assert.deepEqual({ judged: m!.judged, rising: m!.rising, slope: Math.round(m!.slopeMbPerMin) }, { judged: false, rising: false, slope: 5 });
  });

  it('a restarted process (new pid) is a new series, and only the rising one is a violation', () => {
    const samples = [...series('speaker-node1', 10, 5, () => 150), ...series('speaker-node1', 11, 5, (m) => 150 + 8 * m).map((s) => ({ ...s, t: s.t + 400_000 }))];
    const trends = memoryTrends(samples, RULE);
    assert.deepEqual(trends.map((t) => [t.pid, t.rising]), [[10, false], [11, true]]);
    const vs = memoryViolations(trends, samples, [], RULE);
    assert.equal(vs.length, 1);
    assert.equal(vs[0]!.invariant, 'g');
    assert.match(vs[0]!.detail, /speaker-node1 \(pid 11\)/);
  });
});
