// assign(): re-learning existing status on restart. It refuses only what would break an
// invariant, and what it accepts is never handed to anyone else.
import { deepStrictEqual } from 'node:assert/strict';
import { IP, type Pool } from '@herald/shared';
import { Allocator, type AllocService } from '../../src/allocator/index.js';
import { plain, pool, run, strs, svc, type Op } from './helpers.js';

interface Case {
  desc: string;
  input: { pools: Pool[]; before?: Op[]; service: AllocService; ips: string[] };
  want?: { pool: string };
  wantError?: object;
}

const v4 = pool('v4', ['192.0.2.0/24']);

const cases: Case[] = [
  { desc: 'an IP in a pool', input: { pools: [v4], service: svc('n/s'), ips: ['192.0.2.44'] }, want: { pool: 'v4' } },
  {
    desc: 'an IP in a pool the service would not get automatically (autoAssign=false, pinned elsewhere)',
    input: { pools: [pool('m', ['192.0.2.0/24'], { autoAssign: false, pin: { namespaces: ['x'] } })], service: svc('n/s'), ips: ['192.0.2.44'] },
    want: { pool: 'm' },
  },
  { desc: 'an IP in no pool', input: { pools: [v4], service: svc('n/s'), ips: ['203.0.113.1'] }, wantError: { type: 'requested-ip-not-in-pool', ips: ['203.0.113.1'], why: 'no-pool' } },
  {
    desc: 'a .255 in an avoidBuggyIPs pool',
    input: { pools: [pool('p', ['192.0.2.0/24'], { avoidBuggyIPs: true })], service: svc('n/s'), ips: ['192.0.2.255'] },
    wantError: { type: 'requested-ip-not-in-pool', ips: ['192.0.2.255'], pool: 'p', why: 'buggy-ip-avoided' },
  },
  {
    desc: 'two IPs from two pools',
    input: { pools: [v4, pool('six', ['2001:db8::/64'])], service: svc('n/s', { policy: 'RequireDualStack' }), ips: ['192.0.2.1', '2001:db8::1'] },
    wantError: { type: 'requested-ip-not-in-pool', ips: ['192.0.2.1', '2001:db8::1'], why: 'span-pools' },
  },
  {
    desc: 'one IP per family from one pool',
    input: { pools: [pool('d', ['192.0.2.0/24', '2001:db8::/64'])], service: svc('n/s', { policy: 'RequireDualStack' }), ips: ['192.0.2.1', '2001:db8::1'] },
    want: { pool: 'd' },
  },
  { desc: 'two IPs of one family', input: { pools: [v4], service: svc('n/s'), ips: ['192.0.2.1', '192.0.2.2'] }, wantError: { type: 'requested-ips-invalid', ips: ['192.0.2.1', '192.0.2.2'], why: 'same-family' } },
  { desc: 'no IP', input: { pools: [v4], service: svc('n/s'), ips: [] }, wantError: { type: 'requested-ips-invalid', ips: [], why: 'too-many' } },
  {
    desc: 'an IP already re-learned for a service that does not share',
    input: { pools: [v4], before: [{ assign: svc('n/x'), ips: ['192.0.2.5'] }], service: svc('n/s', { ports: ['TCP/9'] }), ips: ['192.0.2.5'] },
    wantError: { type: 'requested-ip-in-use', ip: '192.0.2.5', by: 'n/x' },
  },
  {
    desc: 'an IP already re-learned for a compatible sharer',
    input: { pools: [v4], before: [{ assign: svc('n/x', { share: 'k' }), ips: ['192.0.2.5'] }], service: svc('n/s', { share: 'k', ports: ['TCP/9'] }), ips: ['192.0.2.5'] },
    want: { pool: 'v4' },
  },
  {
    desc: 'an IP already re-learned for a sharer on the same port',
    input: { pools: [v4], before: [{ assign: svc('n/x', { share: 'k' }), ips: ['192.0.2.5'] }], service: svc('n/s', { share: 'k' }), ips: ['192.0.2.5'] },
    wantError: { type: 'sharing-incompatible', ip: '192.0.2.5', with: 'n/x', why: 'port-conflict' },
  },
  {
    desc: 'assigning again replaces the service own allocation',
    input: { pools: [v4], before: [{ assign: svc('n/s'), ips: ['192.0.2.5'] }], service: svc('n/s'), ips: ['192.0.2.6'] },
    want: { pool: 'v4' },
  },
];

describe('allocator: assign (re-learn)', () => {
  for (const c of cases) {
    it(c.desc, () => {
      const a = new Allocator(c.input.pools);
      run(a, c.input.before ?? []);
      const r = a.assign(c.input.service, c.input.ips.map((s) => IP.parse(s)));
      if (c.wantError) {
        deepStrictEqual(r.ok ? r : plain(r.reason), plain(c.wantError));
      } else {
        deepStrictEqual(r.ok ? { pool: r.pool } : plain(r.reason), c.want);
        deepStrictEqual(strs(a.get(c.input.service.key)?.ips ?? []), c.input.ips);
      }
    });
  }

  it('re-learned IPs are never handed out, and their holders keep them on allocate', () => {
    const a = new Allocator([pool('p', ['192.0.2.0/29'])]);
    run(a, [
      { assign: svc('n/old1'), ips: ['192.0.2.0'] },
      { assign: svc('n/old2'), ips: ['192.0.2.2'] },
    ]);
    const fresh = [0, 1, 2].map((i) => a.allocate(svc(`n/new${i}`))).map((r) => (r.ok ? strs(r.ips)[0] : r.reason.type));
    const kept = ['n/old1', 'n/old2'].map((k) => a.allocate(svc(k))).map((r) => (r.ok ? [strs(r.ips)[0], r.changed] : r.reason.type));
    deepStrictEqual({ fresh, kept }, { fresh: ['192.0.2.1', '192.0.2.3', '192.0.2.4'], kept: [['192.0.2.0', false], ['192.0.2.2', false]] });
  });

  it('a freed re-learned IP below the cursor is handed out again', () => {
    const a = new Allocator([pool('p', ['192.0.2.0/30'])]);
    run(a, [{ assign: svc('n/old'), ips: ['192.0.2.0'] }, { allocate: svc('n/a') }, { allocate: svc('n/b') }, { release: 'n/old' }]);
    const r = a.allocate(svc('n/c'));
    deepStrictEqual(r.ok && strs(r.ips), ['192.0.2.0']);
  });
});
