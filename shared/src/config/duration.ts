// Go-style durations, as metav1.Duration writes them: "90s", "1m30s", "500ms", "1.5h", "0".

const unitMs: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, μs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const partRe = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/y;

/** Milliseconds, or undefined if s is not a non-negative Go duration. */
export function parseDuration(s: string): number | undefined {
  if (typeof s !== 'string' || s.length === 0 || s.length > 64) return undefined;
  if (s === '0') return 0;
  let total = 0;
  partRe.lastIndex = 0;
  while (partRe.lastIndex < s.length) {
    const m = partRe.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * unitMs[m[2]!]!;
  }
  return Number.isFinite(total) ? total : undefined;
}

/** "90s", "1m30s", "500ms": the shortest Go-like text for a number of milliseconds. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
