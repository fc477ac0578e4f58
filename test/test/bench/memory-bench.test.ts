// The memory bench's knobs, the settings it reports, and its rows (issue 17's targets, the figures
// before, the growth per 1,000): pure parts, no lab.
import assert from 'node:assert/strict';
import { memoryEnv, memoryKnobs, rowsFor } from '../../src/bench/memory.js';

describe('memory bench', () => {
  const knobs: { desc: string; env: NodeJS.ProcessEnv; want?: { counts: number[]; budgetMs: number }; wantError?: RegExp }[] = [
    { desc: 'defaults', env: {}, want: { counts: [1000, 5000], budgetMs: 360_000 } },
    { desc: 'counts and budget', env: { HERALD_BENCH_MEMORY_COUNTS: '1000, 10000', HERALD_BENCH_MEMORY_BUDGET_S: '900' }, want: { counts: [1000, 10000], budgetMs: 900_000 } },
    { desc: 'counts not increasing', env: { HERALD_BENCH_MEMORY_COUNTS: '5000,1000' }, wantError: /HERALD_BENCH_MEMORY_COUNTS.*increasing/ },
    { desc: 'a count that is not a number', env: { HERALD_BENCH_MEMORY_COUNTS: '1k' }, wantError: /HERALD_BENCH_MEMORY_COUNTS.*"1k"/ },
    { desc: 'a budget of zero', env: { HERALD_BENCH_MEMORY_BUDGET_S: '0' }, wantError: /HERALD_BENCH_MEMORY_BUDGET_S/ },
  ];
  for (const c of knobs)
    it(`knobs: ${c.desc}`, () => {
      if (c.wantError) assert.throws(() => memoryKnobs(c.env), c.wantError);
      else assert.deepEqual(memoryKnobs(c.env), c.want);
    });

  it('reports NODE_OPTIONS and MALLOC_ARENA_MAX from an environ block', () => {
    assert.equal(memoryEnv('PATH=/bin\0NODE_OPTIONS=--max-semi-space-size=1\0MALLOC_ARENA_MAX=1\0'), 'NODE_OPTIONS="--max-semi-space-size=1" MALLOC_ARENA_MAX=1');
    assert.equal(memoryEnv('PATH=/bin\0'), 'NODE_OPTIONS="" MALLOC_ARENA_MAX=(unset)');
  });

  it('rows: RssAnon beside VmRSS, the targets with the figures before, growth per 1,000 between the first and last count', () => {
    const r = (vm: number, anon: number) => ({ vmRssMb: vm, rssAnonMb: anon });
    const rib = { routes: 0, networks: 0 };
    const rows = rowsFor(
      [
        { services: 0, reachedMs: undefined, speakers: [r(120, 67), r(118, 66)], controller: r(100, 47), rib },
        { services: 1000, reachedMs: 8000, speakers: [r(135, 80), r(130, 79)], controller: r(121, 65), rib },
        { services: 10000, reachedMs: 80000, speakers: [r(214, 159), r(210, 150)], controller: r(194, 139), rib },
      ],
      '',
    );
    assert.equal(rows.length, 8);
    assert.match(rows[0]!.value, /^120 MB \(anon 67 MB\) \(120 MB, 118 MB\)$/);
    assert.match(rows[0]!.target, /^<= 90 MB; before issue 17: 164 MB/);
    assert.match(rows[5]!.target, /<= 160 MB at 10,000.*before issue 17: 248 MB/);
    assert.equal(rows[6]!.value, '8.8 MB (anon 8.8 MB)');
    assert.equal(rows[7]!.value, '8.1 MB (anon 8.2 MB)');
  });
});
