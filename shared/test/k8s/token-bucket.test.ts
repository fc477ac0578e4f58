import assert from 'node:assert/strict';
import { BadRateError, checkRate, fullBucket, refill, take, type BucketRate } from '../../src/k8s/token-bucket.js';

describe('token bucket', () => {
  const rate: BucketRate = { perSecond: 10, burst: 3 };
  const cases: { desc: string; takesAt: number[]; want: (true | number)[] }[] = [
    { desc: 'a fresh bucket gives its burst at once, then makes the next wait 1/qps', takesAt: [0, 0, 0, 0], want: [true, true, true, 100] },
    { desc: 'tokens come back at qps', takesAt: [0, 0, 0, 100, 100], want: [true, true, true, true, 100] },
    { desc: 'never more than burst, however long it was quiet', takesAt: [0, 0, 0, 60_000, 60_000, 60_000, 60_000], want: [true, true, true, true, true, true, 100] },
    { desc: 'a partial token shortens the wait', takesAt: [0, 0, 0, 40], want: [true, true, true, 60] },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      let b = fullBucket(rate, 0);
      const got: (true | number)[] = [];
      for (const at of c.takesAt) {
        const r = take(b, rate, at);
        b = r.bucket;
        got.push(r.ok ? true : r.waitMs);
      }
      assert.deepEqual(got, c.want);
    });
  }

  it('whoever waits exactly waitMs gets the token (no float shortfall), at awkward rates too', () => {
    for (const perSecond of [1 / 300, 0.7, 3, 7.3, 1000]) {
      const r: BucketRate = { perSecond, burst: 1 };
      let b = fullBucket(r, 0);
      let t = 0;
      b = (take(b, r, t) as { bucket: typeof b }).bucket;
      for (let i = 0; i < 50; i++) {
        const miss = take(b, r, t);
        assert.equal(miss.ok, false);
        if (miss.ok) return;
        t += miss.waitMs;
        const hit = take(miss.bucket, r, t);
        assert.equal(hit.ok, true, `rate ${perSecond}, round ${i}`);
        b = hit.bucket;
      }
    }
  });

  it('time going backwards does not add tokens', () => {
    const b = { tokens: 0.5, at: 1000 };
    assert.deepEqual(refill(b, rate, 500), b);
  });

  const bad: { desc: string; rate: BucketRate }[] = [
    { desc: 'qps 0', rate: { perSecond: 0, burst: 1 } },
    { desc: 'qps NaN', rate: { perSecond: NaN, burst: 1 } },
    { desc: 'qps infinite', rate: { perSecond: Infinity, burst: 1 } },
    { desc: 'burst 0', rate: { perSecond: 1, burst: 0 } },
    { desc: 'burst 1.5', rate: { perSecond: 1, burst: 1.5 } },
  ];
  for (const c of bad) it(`refuses ${c.desc}`, () => assert.throws(() => checkRate(c.rate), BadRateError));
});
