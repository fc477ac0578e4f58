// Property test: at least 10,000 random operations (create/update/delete Services, edit pools,
// restart = a fresh Allocator that re-learns every allocation in random order) against a simple
// model. After every operation: no IP is held by two incompatible Services, no IP lies outside
// its pool, and no valid assignment has moved.
import { deepStrictEqual, fail, ok } from 'node:assert/strict';
import fc from 'fast-check';
import { IP, type Family, type Pool } from '@herald/shared';
import { Allocator, type AllocService, type IPFamilyPolicy } from '../../src/allocator/index.js';
import { modelAdmits, modelCompatible, modelCovers, modelStillValid, type Holding } from './model.js';
import { pool, svc } from './helpers.js';

const POOL_VARIANTS: Record<string, (Pool | undefined)[]> = {
  A: [undefined, pool('A', ['192.0.2.0/29']), pool('A', ['192.0.2.0/29'], { avoidBuggyIPs: true }), pool('A', ['192.0.2.4-192.0.2.12'])],
  B: [undefined, pool('B', ['198.51.100.0/30', '2001:db8::/126']), pool('B', ['198.51.100.0/31', '2001:db8::/127']), pool('B', ['2001:db8::/126'])],
  C: [
    undefined,
    pool('C', ['203.0.113.0/30'], { pin: { priority: 1, namespaces: ['n1'] } }),
    pool('C', ['203.0.113.0/30', '2001:db8:1::/127'], { pin: { serviceSelectors: [{ tier: 'edge' }] } }),
    pool('C', ['203.0.113.0/30'], { autoAssign: false }),
  ],
  // Overlaps A's ranges in some combinations, so pools can be renamed and IPs re-homed.
  D: [undefined, undefined, pool('D', ['192.0.2.8/29']), pool('D', ['192.0.2.0/28'], { autoAssign: false })],
};
const NAMES = Object.keys(POOL_VARIANTS);
const ADDRS = ['192.0.2.0', '192.0.2.3', '192.0.2.8', '192.0.2.13', '198.51.100.1', '2001:db8::2', '203.0.113.1', '2001:db8:1::1', '192.0.2.200'];
const FAMILIES: [IPFamilyPolicy, Family[]][] = [
  ['SingleStack', [4]],
  ['SingleStack', [4]],
  ['SingleStack', [6]],
  ['SingleStack', []],
  ['PreferDualStack', [4, 6]],
  ['PreferDualStack', [6, 4]],
  ['PreferDualStack', [4]],
  ['RequireDualStack', [4, 6]],
];

const specArb = fc.record({
  i: fc.nat(7),
  ns: fc.constantFrom('n0', 'n1'),
  edge: fc.boolean(),
  req: fc.oneof({ weight: 6, arbitrary: fc.constant([] as string[]) }, { weight: 3, arbitrary: fc.subarray(ADDRS, { minLength: 1, maxLength: 2 }) }),
  pool: fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 3, arbitrary: fc.constantFrom('A', 'B', 'C', 'D', 'nope') }),
  share: fc.constantFrom(undefined, undefined, 'k1', 'k2'),
  ports: fc.subarray(['TCP/80', 'TCP/443', 'UDP/53'], { minLength: 1 }),
  local: fc.constantFrom(undefined, { app: 'x' }, { app: 'y' }),
  fam: fc.nat(FAMILIES.length - 1),
});
type Spec = typeof specArb extends fc.Arbitrary<infer T> ? T : never;

const opArb = fc.oneof(
  { weight: 12, arbitrary: fc.record({ op: fc.constant('upsert' as const), spec: specArb }) },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('delete' as const), i: fc.nat(7), ns: fc.constantFrom('n0', 'n1') }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('pools' as const), pick: fc.array(fc.nat(3), { minLength: 4, maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('restart' as const), seed: fc.nat() }) },
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

function toService(s: Spec): AllocService {
  const [policy, families] = FAMILIES[s.fam] ?? FAMILIES[0]!;
  return svc(`${s.ns}/s${s.i}`, {
    labels: s.edge ? { tier: 'edge' } : {},
    ips: s.req,
    pool: s.pool,
    share: s.share,
    ports: s.ports,
    local: s.local,
    policy,
    families,
  });
}

function shuffled<T>(xs: T[], seed: number): T[] {
  const out = [...xs];
  let x = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const ipsKey = (ips: readonly IP[]): string => ips.map((i) => i.toString()).sort().join(',');

class World {
  pools = new Map<string, Pool>();
  a: Allocator;
  /** What the controller last wrote: key -> holding (the model of status). */
  held = new Map<string, Holding>();
  specs = new Map<string, AllocService>();
  ops = 0;

  constructor() {
    this.setPoolsModel([1, 1, 1, 0]);
    this.a = new Allocator(this.pools.values());
  }

  setPoolsModel(pick: number[]): void {
    this.pools = new Map();
    NAMES.forEach((n, i) => {
      const p = POOL_VARIANTS[n]?.[pick[i] ?? 0];
      if (p) this.pools.set(n, p);
    });
  }

  apply(op: Op): void {
    this.ops++;
    const before = new Map(this.held);
    const touched = new Set<string>();
    switch (op.op) {
      case 'upsert': {
        const s = toService(op.spec);
        touched.add(s.key);
        this.specs.set(s.key, s);
        const prev = this.held.get(s.key);
        const stillValid = prev !== undefined && modelStillValid(prev, s, this.pools, this.held.values());
        const r = this.a.allocate(s);
        if (r.ok) this.held.set(s.key, { spec: s, ips: r.ips, pool: r.pool });
        else this.held.delete(s.key);
        if (stillValid) {
          ok(r.ok, `${s.key} held a valid ${ipsKey(prev.ips)} but allocate failed: ${JSON.stringify(r)}`);
          ok(prev.ips.every((ip) => r.ips.some((x) => x.equals(ip))), `${s.key} moved from ${ipsKey(prev.ips)} to ${ipsKey(r.ips)}`);
          ok(r.cleared === undefined, `${s.key} cleared though valid`);
        } else if (prev !== undefined) {
          ok(r.cleared !== undefined, `${s.key} lost ${ipsKey(prev.ips)} without a reason`);
        }
        if (!r.ok && r.reason.type === 'pool-exhausted') this.checkExhausted(s);
        break;
      }
      case 'delete': {
        const key = `${op.ns}/s${op.i}`;
        touched.add(key);
        this.a.release(key);
        this.held.delete(key);
        this.specs.delete(key);
        break;
      }
      case 'pools': {
        this.setPoolsModel(op.pick);
        const r = this.a.setPools(this.pools.values());
        const clearedKeys = new Set(r.cleared.map((c) => c.key));
        for (const [key, h] of before) {
          const coveredSomewhere = [...this.pools.values()].some((p) => h.ips.every((ip) => modelCovers(p, ip)));
          if (clearedKeys.has(key)) {
            ok(!coveredSomewhere, `${key} cleared though a pool still covers ${ipsKey(h.ips)}`);
            this.held.delete(key);
          } else {
            ok(coveredSomewhere, `${key} kept ${ipsKey(h.ips)} though no pool covers it`);
            this.held.set(key, { ...h, pool: this.a.get(key)?.pool ?? 'missing' });
          }
        }
        break;
      }
      case 'restart': {
        this.a = new Allocator(this.pools.values());
        for (const [key, h] of shuffled([...this.held.entries()], op.seed)) {
          const spec = this.specs.get(key) ?? fail(`no spec for ${key}`);
          const r = this.a.assign(spec, h.ips);
          ok(r.ok, `restart: re-learning ${key} ${ipsKey(h.ips)} failed: ${JSON.stringify(r)}`);
          this.held.set(key, { ...h, pool: r.pool });
        }
        break;
      }
    }
    // Nothing the operation did not touch has moved.
    for (const [key, h] of before) {
      if (touched.has(key) || op.op === 'pools') continue;
      deepStrictEqual(ipsKey(this.held.get(key)?.ips ?? []), ipsKey(h.ips), `${key} moved during ${op.op}`);
    }
    this.checkInvariants();
  }

  /** An automatic pool-exhausted for a plain IPv4 service: every candidate address is held. */
  private checkExhausted(s: AllocService): void {
    if (s.requestedPool !== undefined || s.sharingKey !== undefined || s.ipFamilyPolicy !== 'SingleStack' || s.ipFamilies[0] !== 4) return;
    const used = new Set([...this.held.values()].flatMap((h) => h.ips.map((i) => i.toString())));
    for (const p of this.pools.values()) {
      if (!p.autoAssign || !modelAdmits(p, s)) continue;
      for (const r of p.ranges) {
        if (r.family !== 4) continue;
        for (const ip of r.addresses()) {
          ok(!modelCovers(p, ip) || used.has(ip.toString()), `pool-exhausted for ${s.key}, but ${ip.toString()} in ${p.name} is free`);
        }
      }
    }
  }

  checkInvariants(): void {
    const real = new Map([...this.a.allocations()].map((x) => [x.key, x]));
    deepStrictEqual(
      new Map([...real].map(([k, v]) => [k, `${ipsKey(v.ips)}@${v.pool}`])),
      new Map([...this.held].map(([k, v]) => [k, `${ipsKey(v.ips)}@${v.pool}`])),
      'allocator state equals what was reported',
    );
    const byIP = new Map<string, Holding[]>();
    for (const h of this.held.values()) {
      const p = this.pools.get(h.pool);
      ok(p !== undefined, `${h.spec.key} recorded against missing pool ${h.pool}`);
      for (const ip of h.ips) {
        ok(modelCovers(p, ip), `${ip.toString()} of ${h.spec.key} is outside pool ${h.pool}`);
        const list = byIP.get(ip.toString()) ?? [];
        list.push(h);
        byIP.set(ip.toString(), list);
      }
      ok(h.ips.length >= 1 && h.ips.length <= 2 && new Set(h.ips.map((i) => i.family)).size === h.ips.length, `${h.spec.key} holds ${ipsKey(h.ips)}`);
    }
    for (const [ip, hs] of byIP) {
      for (let i = 0; i < hs.length; i++) {
        for (let j = i + 1; j < hs.length; j++) {
          ok(modelCompatible(hs[i]!.spec, hs[j]!.spec), `${ip} held by incompatible ${hs[i]!.spec.key} and ${hs[j]!.spec.key}`);
        }
      }
      deepStrictEqual(new Set(this.a.holders(IP.parse(ip))), new Set(hs.map((h) => h.spec.key)), `holders of ${ip}`);
    }
  }
}

describe('allocator: property (random operations against a model)', () => {
  it('keeps its invariants over at least 10,000 operations', () => {
    let total = 0;
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 100, maxLength: 100 }), (ops) => {
        const w = new World();
        for (const op of ops) w.apply(op);
        total += w.ops;
      }),
      { numRuns: 110 },
    );
    ok(total >= 10_000, `only ${total} operations ran`);
  });
});
