// The free-address cursor and its heap, against a brute-force model.
import { deepStrictEqual } from 'node:assert/strict';
import fc from 'fast-check';
import { IPRange } from '@herald/shared';
import { BigIntMinHeap } from '../../src/allocator/min-heap.js';
import { RangeCursor, usableCount } from '../../src/allocator/range-cursor.js';

describe('allocator: range cursor', () => {
  const cases: { desc: string; input: { range: string; avoid: boolean }; want: bigint }[] = [
    { desc: 'one address', input: { range: '192.0.2.7', avoid: true }, want: 1n },
    { desc: 'a lone .0 avoided', input: { range: '192.0.2.0', avoid: true }, want: 0n },
    { desc: 'a /31 at .254 avoided', input: { range: '192.0.2.254/31', avoid: true }, want: 1n },
    { desc: 'all of IPv4 avoided', input: { range: '0.0.0.0/0', avoid: true }, want: (1n << 32n) - (1n << 25n) },
    { desc: 'a /64 is 2^64', input: { range: '2001:db8::/64', avoid: true }, want: 1n << 64n },
  ];
  for (const c of cases) {
    it(`usableCount: ${c.desc}`, () => deepStrictEqual(usableCount(IPRange.parse(c.input.range), c.input.avoid), c.want));
  }

  it('the heap pops in sorted order', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 0n, max: 1000n }), { maxLength: 200 }), (xs) => {
        const h = new BigIntMinHeap();
        for (const x of xs) h.push(x);
        const out: bigint[] = [];
        for (let v = h.pop(); v !== undefined; v = h.pop()) out.push(v);
        deepStrictEqual(out, [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
      }),
    );
  });

  it('always names the lowest free address (take, take-by-request, free)', () => {
    const range = IPRange.parse('192.0.2.250-192.0.3.10');
    const first = range.first.value;
    const size = Number(range.size);
    fc.assert(
      fc.property(fc.boolean(), fc.array(fc.tuple(fc.constantFrom('take', 'request', 'free'), fc.nat(size - 1)), { maxLength: 120 }), (avoid, ops) => {
        const used = new Set<bigint>();
        const cur = new RangeCursor(range, avoid, (v) => used.has(v));
        const buggy = (v: bigint): boolean => avoid && ((v & 0xffn) === 0n || (v & 0xffn) === 0xffn);
        for (const [op, n] of ops) {
          const v = first + BigInt(n);
          if (op === 'take') {
            const got = cur.lowestFree();
            if (got !== undefined) used.add(got);
          } else if (op === 'request') {
            if (!buggy(v)) used.add(v);
          } else if (used.delete(v)) {
            cur.freed(v);
          }
          let want: bigint | undefined;
          for (let i = 0n; i < range.size; i++) {
            if (!used.has(first + i) && !buggy(first + i)) {
              want = first + i;
              break;
            }
          }
          deepStrictEqual(cur.lowestFree(), want);
        }
      }),
      { numRuns: 200 },
    );
  });
});
