// allocate() on a Service that already holds IPs: it keeps them while they are valid for it, and
// only when its own spec makes them invalid are they cleared, with a reason, and replaced.
import { deepStrictEqual } from 'node:assert/strict';
import type { Pool } from '@herald/shared';
import { Allocator, type AllocService } from '../../src/allocator/index.js';
import { plain, pool, run, strs, svc, type Op } from './helpers.js';

interface Case {
  desc: string;
  input: { pools: Pool[]; before: Op[]; service: AllocService };
  want: { ips: string[] | { error: object }; changed?: boolean; cleared?: object; others?: Record<string, string[]> };
}

const v4 = pool('v4', ['192.0.2.0/24']);
const two = [pool('a', ['192.0.2.0/24']), pool('b', ['198.51.100.0/24'])];

const cases: Case[] = [
  { desc: 'the same service again keeps its IP', input: { pools: [v4], before: [{ allocate: svc('n/s') }], service: svc('n/s') }, want: { ips: ['192.0.2.0'], changed: false } },
  {
    desc: 'compatible port change keeps the IP',
    input: { pools: [v4], before: [{ allocate: svc('n/s') }], service: svc('n/s', { ports: ['TCP/8080'] }) },
    want: { ips: ['192.0.2.0'], changed: false },
  },
  {
    desc: 'requested IP changed: cleared and moved',
    input: { pools: [v4], before: [{ allocate: svc('n/s') }], service: svc('n/s', { ips: ['192.0.2.50'] }) },
    want: { ips: ['192.0.2.50'], changed: true, cleared: { type: 'requested-ips-changed', ips: ['192.0.2.50'] } },
  },
  {
    desc: 'requested IP equal to the held one: kept',
    input: { pools: [v4], before: [{ allocate: svc('n/s') }], service: svc('n/s', { ips: ['192.0.2.0'] }) },
    want: { ips: ['192.0.2.0'], changed: false },
  },
  {
    desc: 'requested IPs removed: kept',
    input: { pools: [v4], before: [{ allocate: svc('n/s', { ips: ['192.0.2.7'] }) }], service: svc('n/s') },
    want: { ips: ['192.0.2.7'], changed: false },
  },
  {
    desc: 'requested IP changed to one in use: old cleared, reason given',
    input: { pools: [v4], before: [{ allocate: svc('n/x') }, { allocate: svc('n/s') }], service: svc('n/s', { ips: ['192.0.2.0'] }) },
    want: { ips: { error: { type: 'requested-ip-in-use', ip: '192.0.2.0', by: 'n/x' } }, cleared: { type: 'requested-ips-changed', ips: ['192.0.2.0'] }, others: { 'n/x': ['192.0.2.0'] } },
  },
  {
    desc: 'pool annotation changed: moved to the new pool',
    input: { pools: two, before: [{ allocate: svc('n/s') }], service: svc('n/s', { pool: 'b' }) },
    want: { ips: ['198.51.100.0'], changed: true, cleared: { type: 'requested-pool-changed', pool: 'b', from: 'a' } },
  },
  {
    desc: 'pool annotation naming the pool it has: kept',
    input: { pools: two, before: [{ allocate: svc('n/s') }], service: svc('n/s', { pool: 'a' }) },
    want: { ips: ['192.0.2.0'], changed: false },
  },
  {
    desc: 'labels no longer match the pinned pool: moved',
    input: {
      pools: [pool('a', ['192.0.2.0/24']), pool('z', ['198.51.100.0/24'], { pin: { serviceSelectors: [{ tier: 'edge' }] } })],
      before: [{ allocate: svc('n/s', { labels: { tier: 'edge' } }) }],
      service: svc('n/s'),
    },
    want: { ips: ['192.0.2.0'], changed: true, cleared: { type: 'pool-not-allowed', pool: 'z', why: 'service-selector' } },
  },
  {
    desc: 'a better pinned pool appearing later does not move anyone',
    input: {
      pools: [pool('a', ['192.0.2.0/24']), pool('z', ['198.51.100.0/24'], { pin: { serviceSelectors: [{ tier: 'edge' }] } })],
      before: [{ allocate: svc('n/s') }],
      service: svc('n/s', { labels: { tier: 'edge' } }),
    },
    want: { ips: ['192.0.2.0'], changed: false },
  },
  {
    desc: 'family changed: cleared and reallocated',
    input: { pools: [pool('d', ['192.0.2.0/24', '2001:db8::/64'])], before: [{ allocate: svc('n/s') }], service: svc('n/s', { families: [6] }) },
    want: { ips: ['2001:db8::'], changed: true, cleared: { type: 'ip-family-changed', families: [6] } },
  },
  {
    desc: 'SingleStack to RequireDualStack: cleared, both allocated',
    input: { pools: [pool('d', ['192.0.2.0/24', '2001:db8::/64'])], before: [{ allocate: svc('n/x') }, { allocate: svc('n/s') }], service: svc('n/s', { policy: 'RequireDualStack' }) },
    want: { ips: ['192.0.2.1', '2001:db8::'], changed: true, cleared: { type: 'ip-family-changed', families: [4, 6] } },
  },
  {
    desc: 'PreferDualStack holding one family gains the other when it frees up, keeping the first',
    input: {
      pools: [pool('d', ['192.0.2.0/24', '2001:db8::5'])],
      before: [{ allocate: svc('n/x', { families: [6] }) }, { allocate: svc('n/s', { policy: 'PreferDualStack' }) }, { release: 'n/x' }],
      service: svc('n/s', { policy: 'PreferDualStack' }),
    },
    want: { ips: ['192.0.2.0', '2001:db8::5'], changed: true },
  },
  {
    desc: 'sharing key changed while shared: the changer moves, the other keeps',
    input: { pools: [v4], before: [{ allocate: svc('n/x', { share: 'k' }) }, { allocate: svc('n/s', { share: 'k', ports: ['TCP/1'] }) }], service: svc('n/s', { share: 'j', ports: ['TCP/1'] }) },
    want: { ips: ['192.0.2.1'], changed: true, cleared: { type: 'sharing-incompatible', ip: '192.0.2.0', with: 'n/x', why: 'different-key' }, others: { 'n/x': ['192.0.2.0'] } },
  },
  {
    desc: 'ports changed to collide on a shared IP: the changer moves',
    input: { pools: [v4], before: [{ allocate: svc('n/x', { share: 'k' }) }, { allocate: svc('n/s', { share: 'k', ports: ['TCP/1'] }) }], service: svc('n/s', { share: 'k' }) },
    want: { ips: ['192.0.2.1'], changed: true, cleared: { type: 'sharing-incompatible', ip: '192.0.2.0', with: 'n/x', why: 'port-conflict' }, others: { 'n/x': ['192.0.2.0'] } },
  },
  {
    desc: 'sharing key changed while alone on the IP: kept',
    input: { pools: [v4], before: [{ allocate: svc('n/s', { share: 'k' }) }], service: svc('n/s', { share: 'j' }) },
    want: { ips: ['192.0.2.0'], changed: false },
  },
];

describe('allocator: allocate on a service that holds IPs', () => {
  for (const c of cases) {
    it(c.desc, () => {
      const a = new Allocator(c.input.pools);
      run(a, c.input.before);
      const r = a.allocate(c.input.service);
      const got: Record<string, unknown> = { ips: r.ok ? strs(r.ips) : { error: plain(r.reason) } };
      if (r.ok) got['changed'] = r.changed;
      if (r.cleared) got['cleared'] = plain(r.cleared.reason);
      if (c.want.others) got['others'] = Object.fromEntries(Object.keys(c.want.others).map((k) => [k, strs(a.get(k)?.ips ?? [])]));
      deepStrictEqual(got, plain(c.want));
    });
  }

  it('a changed sharing key is used for later sharers', () => {
    const a = new Allocator([v4]);
    run(a, [{ allocate: svc('n/s', { share: 'k' }) }, { allocate: svc('n/s', { share: 'j' }) }]);
    const joined = a.allocate(svc('n/t', { share: 'j', ports: ['UDP/1'] }));
    const refused = a.allocate(svc('n/u', { share: 'k', ports: ['UDP/2'] }));
    deepStrictEqual([joined.ok && strs(joined.ips), refused.ok && strs(refused.ips)], [['192.0.2.0'], ['192.0.2.1']]);
  });
});
