// The chaos command's --duration: "150s", "5m", "1h", or plain seconds. Pure.

/** "150s", "5m", "90" (seconds) -> ms; throws naming the flag. */
export function parseDuration(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(s.trim());
  if (!m) throw new Error(`--duration: want a number with ms, s, m or h (e.g. 150s, 5m), not ${JSON.stringify(s)}`);
  const n = Number(m[1]);
  const ms = n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  if (ms < 10_000 || ms > 24 * 3_600_000) throw new Error(`--duration: between 10 s and 24 h, not ${s}`);
  return ms;
}

