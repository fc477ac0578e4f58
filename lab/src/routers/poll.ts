// Bounded polling: tests wait for a router to reach a state with a fixed number of tries, never
// an open-ended sleep.

export class PollTimeout extends Error {
  override readonly name = 'PollTimeout';
}

/** Calls fn until it returns a value that is not undefined, at most `tries` times. */
export async function poll<T>(what: string, fn: () => Promise<T | undefined>, opts: { tries?: number; intervalMs?: number } = {}): Promise<T> {
  const tries = opts.tries ?? 100;
  const interval = opts.intervalMs ?? 100;
  let lastErr: unknown;
  for (let i = 0; i < tries; i++) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new PollTimeout(`timed out after ${tries} tries waiting for ${what}`, { cause: lastErr });
}
