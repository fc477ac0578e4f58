// allocate(): requested IPs, the pool annotation, automatic allocation (pinned pools by priority,
// then unpinned autoAssign pools by name), avoidBuggyIPs, families, sharing.
import { deepStrictEqual } from 'node:assert/strict';
import type { Pool } from '@herald/shared';
import { Allocator, type AllocService } from '../../src/allocator/index.js';
import { plain, pool, run, strs, svc, type Op } from './helpers.js';

interface Case {
  desc: string;
  input: { pools: Pool[]; before?: Op[]; service: AllocService };
  want?: { ips: string[]; pool: string };
  wantError?: object;
}

const v4 = pool('v4', ['192.0.2.0/24']);
const one = pool('one', ['192.0.2.10']);
const dual = pool('dual', ['192.0.2.0/28', '2001:db8::/64']);
const v6 = pool('v6', ['2001:db8:1::/120']);

const cases: Case[] = [
  // automatic
  { desc: 'first address of the only pool', input: { pools: [v4], service: svc('a/s') }, want: { ips: ['192.0.2.0'], pool: 'v4' } },
  {
    desc: 'avoidBuggyIPs skips .0',
    input: { pools: [pool('p', ['192.0.2.0/24'], { avoidBuggyIPs: true })], service: svc('a/s') },
    want: { ips: ['192.0.2.1'], pool: 'p' },
  },
  {
    desc: 'avoidBuggyIPs skips .255 and .0 across a /24 boundary',
    input: { pools: [pool('p', ['192.0.2.255-192.0.3.2'], { avoidBuggyIPs: true })], service: svc('a/s') },
    want: { ips: ['192.0.3.1'], pool: 'p' },
  },
  {
    desc: 'the next service gets the next address',
    input: { pools: [v4], before: [{ allocate: svc('a/x') }], service: svc('a/s') },
    want: { ips: ['192.0.2.1'], pool: 'v4' },
  },
  {
    desc: 'ranges are used in the order the pool lists them',
    input: { pools: [pool('p', ['198.51.100.10-198.51.100.11', '192.0.2.5'])], service: svc('a/s') },
    want: { ips: ['198.51.100.10'], pool: 'p' },
  },
  {
    desc: 'a freed IP goes to the next pending service (lowest free first)',
    input: {
      pools: [v4],
      before: [{ allocate: svc('a/x') }, { allocate: svc('a/y') }, { allocate: svc('a/z') }, { release: 'a/y' }],
      service: svc('a/s'),
    },
    want: { ips: ['192.0.2.1'], pool: 'v4' },
  },
  {
    desc: 'an exhausted pool is a reason',
    input: { pools: [one], before: [{ allocate: svc('a/x') }], service: svc('a/s') },
    wantError: { type: 'pool-exhausted', pools: ['one'], families: [4] },
  },
  {
    desc: 'unpinned autoAssign pools are tried in name order',
    input: { pools: [pool('b', ['198.51.100.0/24']), pool('a', ['203.0.113.0/24'])], service: svc('a/s') },
    want: { ips: ['203.0.113.0'], pool: 'a' },
  },
  {
    desc: 'a full pool falls through to the next one',
    input: { pools: [one, pool('two', ['198.51.100.7'])], before: [{ allocate: svc('a/x') }], service: svc('a/s') },
    want: { ips: ['198.51.100.7'], pool: 'two' },
  },
  {
    desc: 'autoAssign=false pools are skipped by automatic allocation',
    input: { pools: [pool('a', ['203.0.113.0/24'], { autoAssign: false }), pool('b', ['198.51.100.0/24'])], service: svc('a/s') },
    want: { ips: ['198.51.100.0'], pool: 'b' },
  },
  {
    desc: 'only autoAssign=false pools: no pool matches',
    input: { pools: [pool('a', ['203.0.113.0/24'], { autoAssign: false })], service: svc('a/s') },
    wantError: { type: 'no-pool-matches' },
  },
  // the pool annotation
  {
    desc: 'the pool annotation picks the pool',
    input: { pools: [pool('a', ['203.0.113.0/24']), pool('b', ['198.51.100.0/24'])], service: svc('a/s', { pool: 'b' }) },
    want: { ips: ['198.51.100.0'], pool: 'b' },
  },
  {
    desc: 'the pool annotation reaches autoAssign=false pools',
    input: { pools: [pool('a', ['203.0.113.0/24'], { autoAssign: false })], service: svc('a/s', { pool: 'a' }) },
    want: { ips: ['203.0.113.0'], pool: 'a' },
  },
  { desc: 'an unknown annotated pool', input: { pools: [v4], service: svc('a/s', { pool: 'nope' }) }, wantError: { type: 'pool-not-found', pool: 'nope' } },
  {
    desc: 'an annotated pool that is full does not fall through',
    input: { pools: [one, v4], before: [{ allocate: svc('a/x', { pool: 'one' }) }], service: svc('a/s', { pool: 'one' }) },
    wantError: { type: 'pool-exhausted', pools: ['one'], families: [4] },
  },
  {
    desc: 'an annotated pool pinned to other namespaces refuses',
    input: { pools: [pool('p', ['192.0.2.0/24'], { pin: { namespaces: ['team'] } })], service: svc('other/s', { pool: 'p' }) },
    wantError: { type: 'pool-not-allowed', pool: 'p', why: 'namespace' },
  },
  // pinned pools
  {
    desc: 'a pool pinned to the namespace wins over unpinned pools',
    input: { pools: [pool('a', ['203.0.113.0/24']), pool('z', ['198.51.100.0/24'], { pin: { namespaces: ['team'] } })], service: svc('team/s') },
    want: { ips: ['198.51.100.0'], pool: 'z' },
  },
  {
    desc: 'a pool pinned to another namespace is not used',
    input: { pools: [pool('a', ['203.0.113.0/24']), pool('z', ['198.51.100.0/24'], { pin: { namespaces: ['team'] } })], service: svc('other/s') },
    want: { ips: ['203.0.113.0'], pool: 'a' },
  },
  {
    desc: 'pinned pools go by priority (1 before 2)',
    input: {
      pools: [
        pool('p2', ['198.51.100.0/24'], { pin: { priority: 2, namespaces: ['team'] } }),
        pool('p1', ['203.0.113.0/24'], { pin: { priority: 1, namespaces: ['team'] } }),
      ],
      service: svc('team/s'),
    },
    want: { ips: ['203.0.113.0'], pool: 'p1' },
  },
  {
    desc: 'pinned pools without a priority come after those with one',
    input: {
      pools: [pool('a', ['198.51.100.0/24'], { pin: { namespaces: ['team'] } }), pool('b', ['203.0.113.0/24'], { pin: { priority: 5, namespaces: ['team'] } })],
      service: svc('team/s'),
    },
    want: { ips: ['203.0.113.0'], pool: 'b' },
  },
  {
    desc: 'a pool pinned by namespaceSelector',
    input: {
      pools: [pool('a', ['203.0.113.0/24']), pool('z', ['198.51.100.0/24'], { pin: { namespaceSelectors: [{ env: 'prod' }] } })],
      service: svc('team/s', { namespaceLabels: { env: 'prod' } }),
    },
    want: { ips: ['198.51.100.0'], pool: 'z' },
  },
  {
    desc: 'a pool pinned by serviceSelector',
    input: {
      pools: [pool('a', ['203.0.113.0/24']), pool('z', ['198.51.100.0/24'], { pin: { serviceSelectors: [{ tier: 'edge' }] } })],
      service: svc('team/s', { labels: { tier: 'edge' } }),
    },
    want: { ips: ['198.51.100.0'], pool: 'z' },
  },
  {
    desc: 'a full pinned pool falls back to unpinned pools',
    input: {
      pools: [pool('a', ['203.0.113.0/24']), pool('z', ['198.51.100.1'], { pin: { namespaces: ['team'] } })],
      before: [{ allocate: svc('team/x') }],
      service: svc('team/s'),
    },
    want: { ips: ['203.0.113.0'], pool: 'a' },
  },
  {
    desc: 'pinned pools only, and the service matches none',
    input: { pools: [pool('z', ['198.51.100.0/24'], { pin: { namespaces: ['team'] } })], service: svc('other/s') },
    wantError: { type: 'no-pool-matches' },
  },
  // requested IPs
  { desc: 'a requested IP in a pool', input: { pools: [v4], service: svc('a/s', { ips: ['192.0.2.77'] }) }, want: { ips: ['192.0.2.77'], pool: 'v4' } },
  {
    desc: 'a requested IP in an autoAssign=false pool',
    input: { pools: [pool('m', ['192.0.2.0/24'], { autoAssign: false })], service: svc('a/s', { ips: ['192.0.2.77'] }) },
    want: { ips: ['192.0.2.77'], pool: 'm' },
  },
  {
    desc: 'a requested IP in no pool',
    input: { pools: [v4], service: svc('a/s', { ips: ['198.51.100.1'] }) },
    wantError: { type: 'requested-ip-not-in-pool', ips: ['198.51.100.1'], why: 'no-pool' },
  },
  {
    desc: 'a requested IP with the pool annotation, in that pool',
    input: { pools: [v4, pool('b', ['198.51.100.0/24'])], service: svc('a/s', { ips: ['198.51.100.3'], pool: 'b' }) },
    want: { ips: ['198.51.100.3'], pool: 'b' },
  },
  {
    desc: 'a requested IP outside the annotated pool',
    input: { pools: [v4, pool('b', ['198.51.100.0/24'])], service: svc('a/s', { ips: ['192.0.2.3'], pool: 'b' }) },
    wantError: { type: 'requested-ip-not-in-pool', ips: ['192.0.2.3'], pool: 'b', why: 'not-in-requested-pool' },
  },
  {
    desc: 'requested IPs in two different pools',
    input: { pools: [pool('a', ['192.0.2.0/24']), pool('b', ['2001:db8::/64'])], service: svc('a/s', { ips: ['192.0.2.1', '2001:db8::1'], policy: 'RequireDualStack' }) },
    wantError: { type: 'requested-ip-not-in-pool', ips: ['192.0.2.1', '2001:db8::1'], why: 'span-pools' },
  },
  {
    desc: 'a requested .0 in an avoidBuggyIPs pool',
    input: { pools: [pool('p', ['192.0.2.0/24'], { avoidBuggyIPs: true })], service: svc('a/s', { ips: ['192.0.2.0'] }) },
    wantError: { type: 'requested-ip-not-in-pool', ips: ['192.0.2.0'], pool: 'p', why: 'buggy-ip-avoided' },
  },
  {
    desc: 'a requested IP held by a service that does not share',
    input: { pools: [v4], before: [{ allocate: svc('a/x', { ips: ['192.0.2.9'] }) }], service: svc('a/s', { ips: ['192.0.2.9'], share: 'k', ports: ['TCP/443'] }) },
    wantError: { type: 'requested-ip-in-use', ip: '192.0.2.9', by: 'a/x' },
  },
  {
    desc: 'requested IPs: a v6 address for a SingleStack IPv4 service',
    input: { pools: [dual], service: svc('a/s', { ips: ['2001:db8::5'] }) },
    wantError: { type: 'requested-ips-invalid', ips: ['2001:db8::5'], why: 'family-mismatch' },
  },
  {
    desc: 'requested IPs: RequireDualStack with one address',
    input: { pools: [dual], service: svc('a/s', { ips: ['192.0.2.5'], policy: 'RequireDualStack' }) },
    wantError: { type: 'requested-ips-invalid', ips: ['192.0.2.5'], why: 'dual-stack-required' },
  },
  {
    desc: 'requested IPs: two of one family',
    input: { pools: [dual], service: svc('a/s', { ips: ['192.0.2.5', '192.0.2.6'], policy: 'PreferDualStack' }) },
    wantError: { type: 'requested-ips-invalid', ips: ['192.0.2.5', '192.0.2.6'], why: 'same-family' },
  },
  {
    desc: 'requested IPs: three addresses',
    input: { pools: [dual], service: svc('a/s', { ips: ['192.0.2.5', '2001:db8::1', '192.0.2.6'], policy: 'PreferDualStack' }) },
    wantError: { type: 'requested-ips-invalid', ips: ['192.0.2.5', '2001:db8::1', '192.0.2.6'], why: 'too-many' },
  },
  {
    desc: 'requested IPs: one of each family, RequireDualStack',
    input: { pools: [dual], service: svc('a/s', { ips: ['2001:db8::9', '192.0.2.9'], policy: 'RequireDualStack', families: [6, 4] }) },
    want: { ips: ['2001:db8::9', '192.0.2.9'], pool: 'dual' },
  },
  // families
  { desc: 'SingleStack IPv6 from a dual pool', input: { pools: [dual], service: svc('a/s', { families: [6] }) }, want: { ips: ['2001:db8::'], pool: 'dual' } },
  {
    desc: 'SingleStack IPv6 with only IPv4 pools',
    input: { pools: [v4], service: svc('a/s', { families: [6] }) },
    wantError: { type: 'family-unavailable', pools: ['v4'], families: [6] },
  },
  { desc: 'SingleStack with no ipFamilies takes any family', input: { pools: [v6], service: svc('a/s', { families: [] }) }, want: { ips: ['2001:db8:1::'], pool: 'v6' } },
  {
    desc: 'RequireDualStack: one of each from one pool, primary first',
    input: { pools: [dual], service: svc('a/s', { policy: 'RequireDualStack', families: [6, 4] }) },
    want: { ips: ['2001:db8::', '192.0.2.0'], pool: 'dual' },
  },
  {
    desc: 'RequireDualStack: two single-family pools do not make a dual-stack allocation',
    input: { pools: [v4, v6], service: svc('a/s', { policy: 'RequireDualStack' }) },
    wantError: { type: 'dual-stack-unavailable', pools: ['v4', 'v6'] },
  },
  {
    desc: 'RequireDualStack: the dual pool has no IPv4 left',
    input: { pools: [pool('d', ['192.0.2.1', '2001:db8::/64'])], before: [{ allocate: svc('a/x') }], service: svc('a/s', { policy: 'RequireDualStack' }) },
    wantError: { type: 'pool-exhausted', pools: ['d'], families: [4, 6] },
  },
  { desc: 'PreferDualStack: both from a dual pool', input: { pools: [dual], service: svc('a/s', { policy: 'PreferDualStack' }) }, want: { ips: ['192.0.2.0', '2001:db8::'], pool: 'dual' } },
  { desc: 'PreferDualStack: one family when that is all there is', input: { pools: [v4], service: svc('a/s', { policy: 'PreferDualStack' }) }, want: { ips: ['192.0.2.0'], pool: 'v4' } },
  {
    desc: 'PreferDualStack: a later dual pool beats an earlier single-family one',
    input: { pools: [pool('a', ['2001:db8:1::/120']), pool('b', ['192.0.2.0/28', '2001:db8::/64'])], service: svc('a/s', { policy: 'PreferDualStack' }) },
    want: { ips: ['192.0.2.0', '2001:db8::'], pool: 'b' },
  },
  {
    desc: 'PreferDualStack: without a dual pool, the primary family first',
    input: { pools: [pool('a', ['192.0.2.0/28']), pool('b', ['2001:db8::/64'])], service: svc('a/s', { policy: 'PreferDualStack', families: [6, 4] }) },
    want: { ips: ['2001:db8::'], pool: 'b' },
  },
  {
    desc: 'PreferDualStack with one family listed is single-stack',
    input: { pools: [dual], service: svc('a/s', { policy: 'PreferDualStack', families: [6] }) },
    want: { ips: ['2001:db8::'], pool: 'dual' },
  },
  // sharing
  {
    desc: 'sharing: same key, other port: the same IP',
    input: { pools: [v4], before: [{ allocate: svc('a/x', { share: 'k' }) }], service: svc('a/s', { share: 'k', ports: ['TCP/443'] }) },
    want: { ips: ['192.0.2.0'], pool: 'v4' },
  },
  {
    desc: 'sharing: same protocol/port: another IP',
    input: { pools: [v4], before: [{ allocate: svc('a/x', { share: 'k' }) }], service: svc('a/s', { share: 'k' }) },
    want: { ips: ['192.0.2.1'], pool: 'v4' },
  },
  {
    desc: 'sharing: same port, other protocol: the same IP',
    input: { pools: [v4], before: [{ allocate: svc('a/x', { share: 'k', ports: ['TCP/53'] }) }], service: svc('a/s', { share: 'k', ports: ['UDP/53'] }) },
    want: { ips: ['192.0.2.0'], pool: 'v4' },
  },
  {
    desc: 'sharing: a different key never shares',
    input: { pools: [v4], before: [{ allocate: svc('a/x', { share: 'k' }) }], service: svc('a/s', { share: 'j', ports: ['TCP/443'] }) },
    want: { ips: ['192.0.2.1'], pool: 'v4' },
  },
  {
    desc: 'sharing: the shared IP is preferred to a lower free one',
    input: {
      pools: [v4],
      before: [{ allocate: svc('a/x') }, { allocate: svc('a/y', { share: 'k' }) }, { release: 'a/x' }],
      service: svc('a/s', { share: 'k', ports: ['TCP/443'] }),
    },
    want: { ips: ['192.0.2.1'], pool: 'v4' },
  },
  {
    desc: 'sharing: ETP Local with identical selectors shares',
    input: { pools: [v4], before: [{ allocate: svc('a/x', { share: 'k', local: { app: 'w' } }) }], service: svc('a/s', { share: 'k', local: { app: 'w' }, ports: ['TCP/443'] }) },
    want: { ips: ['192.0.2.0'], pool: 'v4' },
  },
  {
    desc: 'sharing: ETP Local with other selectors gets its own IP',
    input: { pools: [v4], before: [{ allocate: svc('a/x', { share: 'k', local: { app: 'w' } }) }], service: svc('a/s', { share: 'k', local: { app: 'v' }, ports: ['TCP/443'] }) },
    want: { ips: ['192.0.2.1'], pool: 'v4' },
  },
  {
    desc: 'sharing a requested IP: port conflict',
    input: { pools: [v4], before: [{ allocate: svc('a/x', { share: 'k', ips: ['192.0.2.9'] }) }], service: svc('a/s', { share: 'k', ips: ['192.0.2.9'] }) },
    wantError: { type: 'sharing-incompatible', ip: '192.0.2.9', with: 'a/x', why: 'port-conflict' },
  },
  {
    desc: 'sharing a requested IP: different key',
    input: { pools: [v4], before: [{ allocate: svc('a/x', { share: 'k', ips: ['192.0.2.9'] }) }], service: svc('a/s', { share: 'j', ips: ['192.0.2.9'], ports: ['TCP/1'] }) },
    wantError: { type: 'sharing-incompatible', ip: '192.0.2.9', with: 'a/x', why: 'different-key' },
  },
  {
    desc: 'sharing a requested IP: Cluster and Local backends',
    input: { pools: [v4], before: [{ allocate: svc('a/x', { share: 'k', ips: ['192.0.2.9'] }) }], service: svc('a/s', { share: 'k', ips: ['192.0.2.9'], ports: ['TCP/1'], local: { app: 'x' } }) },
    wantError: { type: 'sharing-incompatible', ip: '192.0.2.9', with: 'a/x', why: 'backend-mismatch' },
  },
  {
    desc: 'sharing a requested IP: compatible',
    input: { pools: [v4], before: [{ allocate: svc('a/x', { share: 'k', ips: ['192.0.2.9'] }) }], service: svc('a/s', { share: 'k', ips: ['192.0.2.9'], ports: ['UDP/80'] }) },
    want: { ips: ['192.0.2.9'], pool: 'v4' },
  },
  {
    desc: 'an IPv6 /64 pool hands out its first address without materialising it',
    input: { pools: [pool('big', ['2001:db8::/64'])], before: [{ allocate: svc('a/x', { families: [6] }) }], service: svc('a/s', { families: [6] }) },
    want: { ips: ['2001:db8::1'], pool: 'big' },
  },
];

describe('allocator: allocate', () => {
  for (const c of cases) {
    it(c.desc, () => {
      const a = new Allocator(c.input.pools);
      run(a, c.input.before ?? []);
      const r = a.allocate(c.input.service);
      if (c.wantError) {
        deepStrictEqual(r.ok ? { ok: true, ips: strs(r.ips) } : plain(r.reason), plain(c.wantError));
      } else {
        deepStrictEqual(r.ok ? { ips: strs(r.ips), pool: r.pool } : plain(r.reason), c.want);
        deepStrictEqual(strs(a.get(c.input.service.key)?.ips ?? []), c.want?.ips, 'recorded');
      }
    });
  }

  it('is deterministic: the same operations give the same IPs', () => {
    const runOnce = (): string[] => {
      const a = new Allocator([pool('p', ['192.0.2.0/26', '2001:db8::/120'])]);
      const out: string[] = [];
      for (let i = 0; i < 40; i++) {
        const s = svc(`ns/s${i}`, { share: i % 3 === 0 ? 'k' : undefined, ports: [`TCP/${i % 5}`], policy: i % 4 === 0 ? 'RequireDualStack' : 'SingleStack' });
        const r = a.allocate(s);
        out.push(r.ok ? strs(r.ips).join(',') : r.reason.type);
        if (i % 7 === 0) a.release(`ns/s${i - 3}`);
      }
      return out;
    };
    deepStrictEqual(runOnce(), runOnce());
  });
});
