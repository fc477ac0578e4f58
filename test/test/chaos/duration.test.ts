import assert from 'node:assert/strict';
import { parseDuration } from '../../src/chaos/duration.js';

describe('chaos --duration', () => {
  const cases: { input: string; want?: number; wantError?: RegExp }[] = [
    { input: '150s', want: 150_000 },
    { input: '5m', want: 300_000 },
    { input: '1h', want: 3_600_000 },
    { input: '90', want: 90_000 },
    { input: '2.5m', want: 150_000 },
    { input: '5 minutes', wantError: /--duration: want a number/ },
    { input: '1s', wantError: /between 10 s and 24 h/ },
    { input: '48h', wantError: /between 10 s and 24 h/ },
  ];
  for (const c of cases) {
    it(`${c.input} -> ${c.want ?? String(c.wantError)}`, () => {
      if (c.wantError) assert.throws(() => parseDuration(c.input), c.wantError);
      else assert.equal(parseDuration(c.input), c.want);
    });
  }
});
