import assert from 'node:assert/strict';
import { createRng } from '../../src/chaos/prng.js';

const take = (seed: number, n: number): number[] => {
  const r = createRng(seed);
  return Array.from({ length: n }, () => r.next());
};

describe('chaos prng (xorshift32)', () => {
  const cases: { desc: string; check: () => void }[] = [
    { desc: 'the same seed gives the same sequence', check: () => assert.deepEqual(take(42, 100), take(42, 100)) },
    { desc: 'different seeds give different sequences', check: () => assert.notDeepEqual(take(1, 10), take(2, 10)) },
    { desc: 'seed 0 works (not stuck at 0)', check: () => assert.ok(take(0, 10).some((x) => x > 0)) },
    { desc: 'next() stays in [0, 1)', check: () => assert.ok(take(7, 10_000).every((x) => x >= 0 && x < 1)) },
    {
      desc: 'int(n) covers 0..n-1 and nothing else',
      check: () => {
        const r = createRng(3);
        const seen = new Set(Array.from({ length: 1000 }, () => r.int(5)));
        assert.deepEqual([...seen].sort(), [0, 1, 2, 3, 4]);
      },
    },
    {
      desc: 'between(lo, hi) includes both ends',
      check: () => {
        const r = createRng(9);
        const xs = Array.from({ length: 2000 }, () => r.between(10, 12));
        assert.deepEqual([...new Set(xs)].sort(), [10, 11, 12]);
      },
    },
    { desc: 'a non-integer seed is refused', check: () => assert.throws(() => createRng(1.5), /seed must be an integer/) },
    { desc: 'pick from an empty list is refused', check: () => assert.throws(() => createRng(1).pick([]), /empty list/) },
    {
      desc: 'golden: seed 1 starts with the same numbers on every machine',
      check: () => assert.deepEqual(take(1, 3).map((x) => Math.floor(x * 1e6)), GOLDEN),
    },
  ];
  for (const c of cases) it(c.desc, c.check);
});

// Written from the first run of this generator; a change of algorithm must change this on purpose.
const GOLDEN = [4309, 646485, 145295];
