// setPools(): pool edits re-home allocations; one that no pool covers is cleared with a reason.
import { deepStrictEqual } from 'node:assert/strict';
import type { Pool } from '@herald/shared';
import { Allocator } from '../../src/allocator/index.js';
import { plain, pool, run, strs, svc, type Op } from './helpers.js';

interface Case {
  desc: string;
  input: { pools: Pool[]; before: Op[]; next: Pool[] };
  want: { rehomed: object[]; cleared: object[]; held: Record<string, { ips: string[]; pool: string } | undefined> };
}

const a24 = pool('a', ['192.0.2.0/24']);

const cases: Case[] = [
  {
    desc: 'the same pools: nothing moves',
    input: { pools: [a24], before: [{ allocate: svc('n/s') }], next: [pool('a', ['192.0.2.0/24'])] },
    want: { rehomed: [], cleared: [], held: { 'n/s': { ips: ['192.0.2.0'], pool: 'a' } } },
  },
  {
    desc: 'a range shrunk but still covering: kept',
    input: { pools: [a24], before: [{ allocate: svc('n/s') }], next: [pool('a', ['192.0.2.0/28'])] },
    want: { rehomed: [], cleared: [], held: { 'n/s': { ips: ['192.0.2.0'], pool: 'a' } } },
  },
  {
    desc: 'a pool renamed: re-homed to the pool that now holds the IP',
    input: { pools: [a24], before: [{ allocate: svc('n/s') }], next: [pool('b', ['192.0.2.0/24'])] },
    want: { rehomed: [{ key: 'n/s', ips: ['192.0.2.0'], from: 'a', to: 'b' }], cleared: [], held: { 'n/s': { ips: ['192.0.2.0'], pool: 'b' } } },
  },
  {
    desc: 'the address removed from every pool: cleared with a reason',
    input: { pools: [a24], before: [{ allocate: svc('n/s') }, { allocate: svc('n/t') }], next: [pool('a', ['192.0.2.1-192.0.2.9'])] },
    want: {
      rehomed: [],
      cleared: [{ key: 'n/s', ips: ['192.0.2.0'], pool: 'a', reason: { type: 'no-longer-in-pool', ips: ['192.0.2.0'], pool: 'a' } }],
      held: { 'n/s': undefined, 'n/t': { ips: ['192.0.2.1'], pool: 'a' } },
    },
  },
  {
    desc: 'avoidBuggyIPs turned on: a .0 holder is cleared',
    input: { pools: [a24], before: [{ allocate: svc('n/s') }], next: [pool('a', ['192.0.2.0/24'], { avoidBuggyIPs: true })] },
    want: { rehomed: [], cleared: [{ key: 'n/s', ips: ['192.0.2.0'], pool: 'a', reason: { type: 'no-longer-in-pool', ips: ['192.0.2.0'], pool: 'a' } }], held: { 'n/s': undefined } },
  },
  {
    desc: 'a dual-stack allocation half outside the new pool is cleared whole',
    input: {
      pools: [pool('d', ['192.0.2.0/24', '2001:db8::/64'])],
      before: [{ allocate: svc('n/s', { policy: 'RequireDualStack' }) }],
      next: [pool('d', ['192.0.2.0/24'])],
    },
    want: {
      rehomed: [],
      cleared: [{ key: 'n/s', ips: ['192.0.2.0', '2001:db8::'], pool: 'd', reason: { type: 'no-longer-in-pool', ips: ['192.0.2.0', '2001:db8::'], pool: 'd' } }],
      held: { 'n/s': undefined },
    },
  },
  {
    desc: 'a pinned pool change does not clear (allocate decides, per service)',
    input: { pools: [pool('z', ['192.0.2.0/24'], { pin: { namespaces: ['n'] } })], before: [{ allocate: svc('n/s') }], next: [pool('z', ['192.0.2.0/24'], { pin: { namespaces: ['m'] } })] },
    want: { rehomed: [], cleared: [], held: { 'n/s': { ips: ['192.0.2.0'], pool: 'z' } } },
  },
];

describe('allocator: setPools', () => {
  for (const c of cases) {
    it(c.desc, () => {
      const a = new Allocator(c.input.pools);
      run(a, c.input.before);
      const r = a.setPools(c.input.next);
      const held = Object.fromEntries(
        Object.keys(c.want.held).map((k) => {
          const h = a.get(k);
          return [k, h && { ips: strs(h.ips), pool: h.pool }];
        }),
      );
      deepStrictEqual(plain({ rehomed: r.rehomed, cleared: r.cleared, held }), plain(c.want));
    });
  }

  it('a cleared IP is free again, and new addresses are used', () => {
    const a = new Allocator([pool('a', ['192.0.2.0/30'])]);
    run(a, [{ allocate: svc('n/s') }, { allocate: svc('n/t') }, { allocate: svc('n/u') }, { allocate: svc('n/v') }]);
    a.setPools([pool('a', ['192.0.2.1-192.0.2.2', '198.51.100.0/31'])]);
    const got = ['n/w', 'n/x', 'n/y'].map((k) => a.allocate(svc(k))).map((r) => (r.ok ? strs(r.ips)[0] : r.reason.type));
    deepStrictEqual(got, ['198.51.100.0', '198.51.100.1', 'pool-exhausted']);
  });

  it('after clearing the pool annotation target, allocate reports pool-not-found', () => {
    const a = new Allocator([pool('a', ['192.0.2.0/24']), pool('b', ['198.51.100.0/24'])]);
    run(a, [{ allocate: svc('n/s', { pool: 'b' }) }]);
    const r1 = a.setPools([pool('a', ['192.0.2.0/24'])]);
    const r2 = a.allocate(svc('n/s', { pool: 'b' }));
    deepStrictEqual(plain([r1.cleared.map((c) => c.key), r2.ok ? r2 : r2.reason]), [['n/s'], { type: 'pool-not-found', pool: 'b' }]);
  });
});
