import assert from 'node:assert/strict';
import { max, mean, median, min, p95, p99, percentile, summary } from '../src/stats.js';

const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose

describe('stats (nearest rank)', () => {
  const cases: { desc: string; input: { xs: number[]; p: number }; want: number }[] = [
    { desc: 'median of an odd count is the middle', input: { xs: [3, 1, 2], p: 50 }, want: 2 },
    { desc: 'median of an even count is the lower middle, not the average', input: { xs: [4, 1, 3, 2], p: 50 }, want: 2 },
    { desc: 'median of two is the smaller', input: { xs: [10, 20], p: 50 }, want: 10 },
    { desc: 'one sample is every percentile', input: { xs: [7], p: 99 }, want: 7 },
    { desc: 'p95 of 1..100 is 95', input: { xs: hundred, p: 95 }, want: 95 },
    { desc: 'p99 of 1..100 is 99', input: { xs: hundred, p: 99 }, want: 99 },
    { desc: 'p95 of 10 samples is the largest (rank ceil(9.5) = 10)', input: { xs: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], p: 95 }, want: 10 },
    { desc: 'p90 of 10 samples is the 9th', input: { xs: [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], p: 90 }, want: 9 },
    { desc: 'p100 is the maximum', input: { xs: [5, 9, 1], p: 100 }, want: 9 },
    { desc: 'p0 is the minimum', input: { xs: [5, 9, 1], p: 0 }, want: 1 },
    { desc: 'ties are values that were measured', input: { xs: [2, 2, 2, 9], p: 75 }, want: 2 },
  ];
  for (const c of cases) it(c.desc, () => assert.equal(percentile(c.input.xs, c.input.p), c.want));

  it('does not reorder its input', () => {
    const xs = [3, 1, 2];
    percentile(xs, 50);
    assert.deepEqual(xs, [3, 1, 2]);
  });

  const named: { desc: string; input: number[]; want: { median: number; p95: number; p99: number; max: number; min: number; mean: number } }[] = [
    { desc: '1..100', input: hundred, want: { median: 50, p95: 95, p99: 99, max: 100, min: 1, mean: 50.5 } },
    { desc: 'negative and fractional', input: [-1.5, 0, 2.5], want: { median: 0, p95: 2.5, p99: 2.5, max: 2.5, min: -1.5, mean: 1 / 3 } },
  ];
  for (const c of named) {
    it(`median/p95/p99/max/min/mean of ${c.desc}`, () => {
      assert.deepEqual(
        { median: median(c.input), p95: p95(c.input), p99: p99(c.input), max: max(c.input), min: min(c.input), mean: mean(c.input) },
        c.want,
      );
    });
  }

  it('every function is NaN for no samples', () => {
    for (const f of [median, p95, p99, max, min, mean]) assert.ok(Number.isNaN(f([])), f.name);
  });

  it('max of many samples does not overflow the call stack (no Math.max(...xs))', () => {
    assert.equal(max(Array.from({ length: 300_000 }, (_, i) => i)), 299_999);
  });

  const bad: { desc: string; input: number; wantError: RegExp }[] = [
    { desc: 'p above 100', input: 101, wantError: /p must be in \[0, 100\], got 101/ },
    { desc: 'negative p', input: -1, wantError: /got -1/ },
    { desc: 'NaN p', input: NaN, wantError: /got NaN/ },
  ];
  for (const c of bad) it(`rejects ${c.desc}`, () => assert.throws(() => percentile([1], c.input), c.wantError));

  it('summary prints median, p95, max and n', () => {
    assert.equal(summary([612, 801, 840]), 'median 801 ms, p95 840 ms, max 840 ms (n=3)');
    assert.equal(summary([], 'none'), 'none');
  });
});
