// poolStats(): assigned and available per family, bigint-exact, with saturated numbers.
import { deepStrictEqual } from 'node:assert/strict';
import type { Pool } from '@herald/shared';
import { Allocator } from '../../src/allocator/index.js';
import { pool, run, svc, type Op } from './helpers.js';

interface Case {
  desc: string;
  input: { pools: Pool[]; before?: Op[]; pool: string };
  want: { assignedIPv4: bigint; assignedIPv6: bigint; availableIPv4: bigint; availableIPv6: bigint; numbers?: Record<string, number> };
}

const cases: Case[] = [
  { desc: 'an empty /24', input: { pools: [pool('p', ['192.0.2.0/24'])], pool: 'p' }, want: { assignedIPv4: 0n, assignedIPv6: 0n, availableIPv4: 256n, availableIPv6: 0n } },
  {
    desc: 'a /24 with avoidBuggyIPs has 254',
    input: { pools: [pool('p', ['192.0.2.0/24'], { avoidBuggyIPs: true })], pool: 'p' },
    want: { assignedIPv4: 0n, assignedIPv6: 0n, availableIPv4: 254n, availableIPv6: 0n },
  },
  {
    desc: 'two /24s with avoidBuggyIPs lose two each',
    input: { pools: [pool('p', ['198.51.100.0/24', '203.0.113.0/24'], { avoidBuggyIPs: true })], pool: 'p' },
    want: { assignedIPv4: 0n, assignedIPv6: 0n, availableIPv4: 512n - 4n, availableIPv6: 0n },
  },
  {
    desc: 'a range across a /24 boundary with avoidBuggyIPs',
    input: { pools: [pool('p', ['192.0.2.250-192.0.3.5'], { avoidBuggyIPs: true })], pool: 'p' },
    want: { assignedIPv4: 0n, assignedIPv6: 0n, availableIPv4: 10n, availableIPv6: 0n },
  },
  {
    desc: 'avoidBuggyIPs does not touch IPv6',
    input: { pools: [pool('p', ['2001:db8::/120'], { avoidBuggyIPs: true })], pool: 'p' },
    want: { assignedIPv4: 0n, assignedIPv6: 0n, availableIPv4: 0n, availableIPv6: 256n },
  },
  {
    desc: 'a /64: exact bigint, saturated number',
    input: { pools: [pool('p', ['2001:db8::/64'])], before: [{ allocate: svc('n/s', { families: [6] }) }], pool: 'p' },
    want: {
      assignedIPv4: 0n,
      assignedIPv6: 1n,
      availableIPv4: 0n,
      availableIPv6: (1n << 64n) - 1n,
      numbers: { assignedIPv4: 0, assignedIPv6: 1, availableIPv4: 0, availableIPv6: Number.MAX_SAFE_INTEGER },
    },
  },
  {
    desc: 'a shared IP counts once; dual-stack counts one per family',
    input: {
      pools: [pool('p', ['192.0.2.0/28', '2001:db8::/120'])],
      before: [{ allocate: svc('n/a', { share: 'k' }) }, { allocate: svc('n/b', { share: 'k', ports: ['TCP/1'] }) }, { allocate: svc('n/c', { policy: 'RequireDualStack' }) }],
      pool: 'p',
    },
    want: { assignedIPv4: 2n, assignedIPv6: 1n, availableIPv4: 14n, availableIPv6: 255n },
  },
  {
    desc: 'released and cleared addresses are available again',
    input: {
      pools: [pool('p', ['192.0.2.0/28'])],
      before: [{ allocate: svc('n/a') }, { allocate: svc('n/b') }, { allocate: svc('n/c') }, { release: 'n/b' }, { setPools: [pool('p', ['192.0.2.2-192.0.2.15'])] }],
      pool: 'p',
    },
    want: { assignedIPv4: 1n, assignedIPv6: 0n, availableIPv4: 13n, availableIPv6: 0n },
  },
];

describe('allocator: poolStats', () => {
  for (const c of cases) {
    it(c.desc, () => {
      const a = new Allocator(c.input.pools);
      run(a, c.input.before ?? []);
      const s = a.poolStats(c.input.pool);
      const { numbers, ...exact } = s ?? { numbers: undefined };
      const { numbers: wantNumbers, ...wantExact } = c.want;
      deepStrictEqual(exact, wantExact);
      if (wantNumbers) deepStrictEqual(numbers, wantNumbers);
    });
  }

  it('an unknown pool has no stats', () => {
    deepStrictEqual(new Allocator([]).poolStats('nope'), undefined);
  });
});
