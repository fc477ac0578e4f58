// Runs the real command line in-process and collects what it prints.
import { run } from '../src/main.js';

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Fixed wall clock for golden output: 2026-12-04T12:00:00Z. */
export const FIXED_NOW = Date.parse('2026-12-04T12:00:00Z');

export async function cli(args: readonly string[], o: { now?: number; signal?: AbortSignal } = {}): Promise<CliRun> {
  let out = '';
  let err = '';
  const code = await run(
    args,
    {
      out: (t) => (out += t),
      err: (t) => (err += t),
      now: () => o.now ?? FIXED_NOW,
      sleep: () => Promise.resolve(),
    },
    o.signal,
  );
  return { code, out, err };
}
