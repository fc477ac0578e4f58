// The one statistics module behind every figure in BENCHMARKS.md (issue 17 item 2).
//
// Definition: nearest rank, no interpolation. The p-th percentile of n samples is the sample at
// rank ceil(p/100 * n) in ascending order (1-based), i.e. the smallest sample that at least p% of
// the samples are at or below. So every figure is a value that was measured. The median is the
// 50th percentile: for an even n, the lower of the two middle samples (never their average).
// Every function returns NaN for no samples; callers print that as "n/a" or skip the row.

/** The p-th percentile (0 < p <= 100) by nearest rank; p = 0 gives the minimum. */
export function percentile(xs: readonly number[], p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile: p must be in [0, 100], got ${p}`);
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** The median by nearest rank: the 50th percentile (for an even count, the lower middle sample). */
export function median(xs: readonly number[]): number {
  return percentile(xs, 50);
}

export function p95(xs: readonly number[]): number {
  return percentile(xs, 95);
}

export function p99(xs: readonly number[]): number {
  return percentile(xs, 99);
}

export function max(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, x) => (x > a ? x : a), -Infinity);
}

export function min(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, x) => (x < a ? x : a), Infinity);
}

/** The arithmetic mean. */
export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, x) => a + x, 0) / xs.length;
}

/** "median 612 ms, p95 801 ms, max 840 ms (n=20)", or `none` when xs is empty. */
export function summary(xs: readonly number[], none = 'no samples'): string {
  if (xs.length === 0) return none;
  const f = (x: number): string => (x >= 10 ? x.toFixed(0) : x.toFixed(1));
  return `median ${f(median(xs))} ms, p95 ${f(p95(xs))} ms, max ${f(max(xs))} ms (n=${xs.length})`;
}
