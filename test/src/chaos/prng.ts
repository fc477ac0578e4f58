// A small seeded PRNG for the chaos schedule: xorshift32 (Marsaglia 2003). Pure: the same seed
// gives the same sequence on every machine, so a chaos run is replayed by its seed alone.

export interface Rng {
  /** The next number in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  /** An integer in [lo, hi] (both included). */
  between(lo: number, hi: number): number;
  /** One element of a non-empty list. */
  pick<T>(xs: readonly T[]): T;
}

export class RngError extends Error {
  override readonly name = 'RngError';
}

/** A generator seeded with any integer (0 is mapped to a fixed non-zero state). */
export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new RngError(`seed must be an integer, not ${String(seed)}`);
  // Spread the seed (splitmix-style multiply) so nearby seeds start far apart; never 0.
  let s = Math.imul((seed | 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0 || 0x6d2b79f5;
  const u32 = (): number => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  const rng: Rng = {
    next: () => u32() / 0x1_0000_0000,
    int: (n) => {
      if (!Number.isInteger(n) || n <= 0) throw new RngError(`int(n) needs a positive integer, not ${String(n)}`);
      return Math.floor(rng.next() * n);
    },
    between: (lo, hi) => lo + rng.int(hi - lo + 1),
    pick: (xs) => {
      if (xs.length === 0) throw new RngError('pick from an empty list');
      return xs[rng.int(xs.length)]!;
    },
  };
  return rng;
}
