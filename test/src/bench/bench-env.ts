// Knobs of the load benches, from the environment (run-bench.mjs calls each module with no
// arguments). HERALD_BENCH_QUICK=1 is the small-N mode for a quick check of every load bench;
// the other variables pick a subset of a long bench. A malformed value is an error that names
// the variable, never a silent default.

export class BenchEnvError extends Error {
  override readonly name = 'BenchEnvError';
}

export function quickMode(env: NodeJS.ProcessEnv = process.env): boolean {
  const v = env['HERALD_BENCH_QUICK'];
  if (v === undefined || v === '' || v === '0') return false;
  if (v === '1') return true;
  throw new BenchEnvError(`HERALD_BENCH_QUICK must be 0 or 1, not ${JSON.stringify(v)}`);
}

/** A comma-separated list of positive integers ("1000,10000"), or `dflt` when unset. */
export function intList(name: string, dflt: readonly number[], env: NodeJS.ProcessEnv = process.env): number[] {
  const v = env[name];
  if (v === undefined || v.trim() === '') return [...dflt];
  const xs = v.split(',').map((x) => x.trim());
  const bad = xs.filter((x) => !/^[1-9]\d{0,6}$/.test(x));
  if (bad.length) throw new BenchEnvError(`${name} must be positive integers separated by commas, not ${JSON.stringify(v)} (bad: ${bad.join(', ')})`);
  return xs.map(Number);
}

/** A comma-separated subset of `allowed` ("idle,hog"), or `dflt` when unset. */
export function wordList<T extends string>(name: string, allowed: readonly T[], dflt: readonly T[], env: NodeJS.ProcessEnv = process.env): T[] {
  const v = env[name];
  if (v === undefined || v.trim() === '') return [...dflt];
  const xs = v.split(',').map((x) => x.trim());
  const bad = xs.filter((x) => !(allowed as readonly string[]).includes(x));
  if (bad.length) throw new BenchEnvError(`${name} must be some of ${allowed.join(', ')}, not ${JSON.stringify(v)} (bad: ${bad.join(', ')})`);
  return xs as T[];
}
