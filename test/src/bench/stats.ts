// Small summary statistics for benchmark rows (nearest-rank percentiles).

export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/** "median 612 ms, p95 801 ms, max 840 ms (n=20)", or `none` when xs is empty. */
export function summary(xs: readonly number[], none = 'no samples'): string {
  if (xs.length === 0) return none;
  const f = (x: number): string => (x >= 10 ? x.toFixed(0) : x.toFixed(1));
  return `median ${f(percentile(xs, 50))} ms, p95 ${f(percentile(xs, 95))} ms, max ${f(Math.max(...xs))} ms (n=${xs.length})`;
}
