// Bounded polling for tests: every loop has a count and a time limit.

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, opts: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const timeout = opts.timeoutMs ?? 10_000;
  const interval = opts.intervalMs ?? 50;
  const deadline = Date.now() + timeout;
  let last: unknown;
  for (let i = 0; i < Math.ceil(timeout / interval) + 1; i++) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
