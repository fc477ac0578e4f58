// The allocator: pure and indexed. It holds which Service has which IPs, per pool a cursor that
// finds the lowest free address without walking the used ones, an IP -> holders index, and a
// sharing-key index. No Kubernetes client, clock, logging or metrics: the reconciler turns its
// results into status writes, Events and counters.
//
// Safety rules (DESIGN §4): an IP is never held by two incompatible Services; an IP is never
// outside the pool its holder is recorded against; a Service keeps its IPs for as long as they
// are valid for it (allocate() re-checks, setPools() re-homes), and only loses them with a reason.
import type { Pool } from '@herald/shared/config';
import { IP, type Family } from '@herald/shared/net';
import { checkFamilies, comparePinned, familyPlan, planFamilies, poolRefuses, type FamilyPlan } from './policy.js';
import { PoolIndex } from './pool-index.js';
import type { AllocationReason } from './reasons.js';
import { backendKey, portKey, sharingConflict, type IPEntry } from './sharing.js';
import { saturate, type AllocService, type Allocation, type PoolStats } from './types.js';

/** An allocation that was taken away, and why. */
export interface Cleared {
  readonly key: string;
  readonly ips: readonly IP[];
  readonly pool: string;
  readonly reason: AllocationReason;
}

export type AllocateResult =
  | {
      readonly ok: true;
      readonly ips: readonly IP[];
      readonly pool: string;
      /** False when the Service kept exactly what it had. */
      readonly changed: boolean;
      /** The previous allocation, if it was no longer valid for the Service and was replaced. */
      readonly cleared?: Cleared;
    }
  | { readonly ok: false; readonly reason: AllocationReason; readonly cleared?: Cleared };

export type AssignResult = { readonly ok: true; readonly pool: string } | { readonly ok: false; readonly reason: AllocationReason };

export interface SetPoolsResult {
  /** Allocations whose pool changed because another pool now holds their IPs. */
  readonly rehomed: readonly { readonly key: string; readonly ips: readonly IP[]; readonly from: string; readonly to: string }[];
  /** Allocations that no pool covers any more; they are released. */
  readonly cleared: readonly Cleared[];
}

interface Held {
  service: AllocService;
  ips: readonly IP[];
  pool: string;
  backend: string;
  ports: readonly string[];
}

/** A Service's sharing identity, computed once per call. */
interface Ctx {
  readonly svc: AllocService;
  readonly plan: FamilyPlan;
  readonly backend: string;
  readonly ports: readonly string[];
}

const sameSet = (a: readonly IP[], b: readonly IP[]): boolean =>
  a.length === b.length && a.every((x) => b.some((y) => x.equals(y)));

export class Allocator {
  private pools = new Map<string, PoolIndex>();
  private pinned: PoolIndex[] = [];
  private unpinned: PoolIndex[] = [];
  private readonly byService = new Map<string, Held>();
  private readonly byIP: { readonly 4: Map<bigint, IPEntry>; readonly 6: Map<bigint, IPEntry> } = { 4: new Map(), 6: new Map() };
  private readonly bySharingKey = new Map<string, Set<IPEntry>>();
  private readonly isUsed = (f: Family, v: bigint): boolean => this.byIP[f].has(v);

  /** Pass `config.pools.values()`. */
  constructor(pools: Iterable<Pool> = []) {
    this.setPools(pools);
  }

  /**
   * Replaces the pools. An allocation whose pool still covers its IPs stays; one that another
   * pool now covers is re-homed there; one that no pool covers is released and reported.
   */
  setPools(pools: Iterable<Pool>): SetPoolsResult {
    const list = [...pools].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    this.pools = new Map(list.map((p) => [p.name, new PoolIndex(p, this.isUsed)]));
    const all = [...this.pools.values()];
    this.pinned = all.filter((p) => p.pool.autoAssign && p.pool.serviceAllocation !== undefined).sort((a, b) => comparePinned(a.pool, b.pool));
    this.unpinned = all.filter((p) => p.pool.autoAssign && p.pool.serviceAllocation === undefined);

    const rehomed: { key: string; ips: readonly IP[]; from: string; to: string }[] = [];
    const cleared: Cleared[] = [];
    for (const key of [...this.byService.keys()].sort()) {
      const held = this.byService.get(key);
      if (held === undefined) continue;
      const cur = this.pools.get(held.pool);
      if (cur !== undefined && held.ips.every((ip) => cur.covers(ip))) continue;
      const to = this.poolFor(held.ips);
      if (to !== undefined) {
        rehomed.push({ key, ips: held.ips, from: held.pool, to: to.name });
        held.pool = to.name;
      } else {
        cleared.push({ key, ips: held.ips, pool: held.pool, reason: { type: 'no-longer-in-pool', ips: held.ips, pool: held.pool } });
        this.remove(key);
      }
    }
    for (const p of this.pools.values()) {
      for (const f of [4, 6] as const) {
        let n = 0n;
        if (p.hasFamily(f)) for (const e of this.byIP[f].values()) if (p.covers(e.ip)) n++;
        p.assigned[f] = n;
      }
    }
    return { rehomed, cleared };
  }

  /**
   * Re-learns an allocation that already exists (status.loadBalancer.ingress) on start. Call it
   * for every Service before allocating anything new. It refuses only what would break an
   * invariant (an IP outside every pool, or held by an incompatible Service); whether the IPs
   * still match the Service's wishes is checked by allocate() on its next reconcile.
   */
  assign(svc: AllocService, ips: readonly IP[]): AssignResult {
    const ctx = this.ctx(svc);
    if (ips.length === 0 || ips.length > 2) return { ok: false, reason: { type: 'requested-ips-invalid', ips, why: 'too-many' } };
    if (ips.length === 2 && ips[0]?.family === ips[1]?.family) {
      return { ok: false, reason: { type: 'requested-ips-invalid', ips, why: 'same-family' } };
    }
    const pool = this.poolFor(ips, this.byService.get(svc.key)?.pool);
    if (pool === undefined) return { ok: false, reason: this.whyNoPool(ips) };
    const conflict = this.conflict(ctx, ips);
    if (conflict !== undefined) return { ok: false, reason: conflict };
    this.commit(ctx, ips, pool.name);
    return { ok: true, pool: pool.name };
  }

  /**
   * Gives the Service its IPs: the ones it holds if they are still valid for it, else its
   * requested IPs, else from its requested pool, else automatically (pinned pools by priority,
   * then unpinned autoAssign pools by name).
   */
  allocate(svc: AllocService): AllocateResult {
    const ctx = this.ctx(svc);
    const held = this.byService.get(svc.key);
    let cleared: Cleared | undefined;
    if (held !== undefined) {
      const why = this.invalidity(held, ctx);
      if (why === undefined) return this.keep(held, ctx);
      cleared = { key: svc.key, ips: held.ips, pool: held.pool, reason: why };
      this.remove(svc.key);
    }
    const res = this.allocateNew(ctx);
    if (!res.ok) return cleared ? { ok: false, reason: res.reason, cleared } : res;
    this.commit(ctx, res.ips, res.pool);
    return cleared ? { ok: true, ips: res.ips, pool: res.pool, changed: true, cleared } : { ok: true, ips: res.ips, pool: res.pool, changed: true };
  }

  /** Frees the Service's IPs (deleted, no longer type LoadBalancer, or another class). */
  release(key: string): Allocation | undefined {
    const held = this.remove(key);
    return held && { key, ips: held.ips, pool: held.pool };
  }

  get(key: string): Allocation | undefined {
    const held = this.byService.get(key);
    return held && { key, ips: held.ips, pool: held.pool };
  }

  /** Every current allocation, in no particular order. */
  *allocations(): Generator<Allocation> {
    for (const [key, h] of this.byService) yield { key, ips: h.ips, pool: h.pool };
  }

  /** The Services holding an IP (more than one when shared). */
  holders(ip: IP): readonly string[] {
    const e = this.byIP[ip.family].get(ip.value);
    return e ? [...e.holders] : [];
  }

  poolStats(name: string): PoolStats | undefined {
    const p = this.pools.get(name);
    if (p === undefined) return undefined;
    const c = {
      assignedIPv4: p.assigned[4],
      assignedIPv6: p.assigned[6],
      availableIPv4: p.total[4] > p.assigned[4] ? p.total[4] - p.assigned[4] : 0n,
      availableIPv6: p.total[6] > p.assigned[6] ? p.total[6] - p.assigned[6] : 0n,
    };
    return {
      ...c,
      numbers: {
        assignedIPv4: saturate(c.assignedIPv4),
        assignedIPv6: saturate(c.assignedIPv6),
        availableIPv4: saturate(c.availableIPv4),
        availableIPv6: saturate(c.availableIPv6),
      },
    };
  }

  private ctx(svc: AllocService): Ctx {
    return { svc, plan: familyPlan(svc), backend: backendKey(svc), ports: svc.ports.map(portKey) };
  }

  /** Why the Service's current allocation is no longer valid for it, or undefined. */
  private invalidity(held: Held, ctx: Ctx): AllocationReason | undefined {
    const { svc } = ctx;
    const pool = this.pools.get(held.pool);
    if (pool === undefined || !held.ips.every((ip) => pool.covers(ip))) {
      return { type: 'no-longer-in-pool', ips: held.ips, pool: held.pool };
    }
    if (svc.requestedIPs.length > 0 && !sameSet(svc.requestedIPs, held.ips)) return { type: 'requested-ips-changed', ips: svc.requestedIPs };
    if (svc.requestedPool !== undefined && svc.requestedPool !== held.pool) {
      return { type: 'requested-pool-changed', pool: svc.requestedPool, from: held.pool };
    }
    const refused = poolRefuses(pool.pool, svc);
    if (refused !== undefined) return { type: 'pool-not-allowed', pool: held.pool, why: refused };
    if (checkFamilies(held.ips, ctx.plan) !== undefined) return { type: 'ip-family-changed', families: planFamilies(ctx.plan) };
    return this.conflict(ctx, held.ips);
  }

  /** The Service keeps its IPs; its ports or sharing key may have changed (compatibly). */
  private keep(held: Held, ctx: Ctx): AllocateResult {
    const { plan, svc } = ctx;
    let ips = held.ips;
    const first = ips[0];
    // PreferDualStack holding one family: add the other from the same pool if it can, keeping
    // the address it has (MetalLB's AllocateFromPoolForAdditionalFamily).
    if (plan.type === 'dual' && !plan.required && ips.length === 1 && first !== undefined && svc.requestedIPs.length === 0) {
      const pool = this.pools.get(held.pool);
      const missing: Family = first.family === 4 ? 6 : 4;
      const extra = pool?.hasFamily(missing) ? this.pick(pool, missing, ctx) : undefined;
      if (extra !== undefined) ips = missing === plan.primary ? [extra, first] : [first, extra];
    }
    const same = ips === held.ips;
    if (!same || held.backend !== ctx.backend || held.service.sharingKey !== svc.sharingKey || held.ports.join() !== ctx.ports.join()) {
      this.commit(ctx, ips, held.pool);
    } else {
      held.service = svc;
    }
    return { ok: true, ips, pool: held.pool, changed: !same };
  }

  private allocateNew(ctx: Ctx): { ok: true; ips: readonly IP[]; pool: string } | { ok: false; reason: AllocationReason } {
    const { svc } = ctx;
    if (svc.requestedIPs.length > 0) return this.allocateRequested(ctx);
    if (svc.requestedPool !== undefined) {
      const pool = this.pools.get(svc.requestedPool);
      if (pool === undefined) return { ok: false, reason: { type: 'pool-not-found', pool: svc.requestedPool } };
      const refused = poolRefuses(pool.pool, svc);
      if (refused !== undefined) return { ok: false, reason: { type: 'pool-not-allowed', pool: pool.name, why: refused } };
      return this.fromPools([pool], ctx) ?? { ok: false, reason: this.whyNone([pool], ctx.plan) };
    }
    const pinned = this.pinned.filter((p) => poolRefuses(p.pool, svc) === undefined);
    const candidates = [...pinned, ...this.unpinned];
    if (candidates.length === 0) return { ok: false, reason: { type: 'no-pool-matches' } };
    return this.fromPools(pinned, ctx) ?? this.fromPools(this.unpinned, ctx) ?? { ok: false, reason: this.whyNone(candidates, ctx.plan) };
  }

  private allocateRequested(ctx: Ctx): { ok: true; ips: readonly IP[]; pool: string } | { ok: false; reason: AllocationReason } {
    const { svc } = ctx;
    const ips = svc.requestedIPs;
    const bad = checkFamilies(ips, ctx.plan);
    if (bad !== undefined) return { ok: false, reason: { type: 'requested-ips-invalid', ips, why: bad } };
    let pool: PoolIndex | undefined;
    if (svc.requestedPool !== undefined) {
      pool = this.pools.get(svc.requestedPool);
      if (pool === undefined) return { ok: false, reason: { type: 'pool-not-found', pool: svc.requestedPool } };
      const p = pool;
      const outside = ips.filter((ip) => !p.covers(ip));
      if (outside.length > 0) {
        const buggy = outside.every((ip) => p.coverage(ip) === 'buggy-ip-avoided');
        return { ok: false, reason: { type: 'requested-ip-not-in-pool', ips: outside, pool: p.name, why: buggy ? 'buggy-ip-avoided' : 'not-in-requested-pool' } };
      }
    } else {
      pool = this.poolFor(ips);
      if (pool === undefined) return { ok: false, reason: this.whyNoPool(ips) };
    }
    const refused = poolRefuses(pool.pool, svc);
    if (refused !== undefined) return { ok: false, reason: { type: 'pool-not-allowed', pool: pool.name, why: refused } };
    const conflict = this.conflict(ctx, ips);
    if (conflict !== undefined) return { ok: false, reason: conflict };
    return { ok: true, ips, pool: pool.name };
  }

  /** MetalLB's findBestPoolForService, over pools in order; undefined if none can serve. */
  private fromPools(pools: readonly PoolIndex[], ctx: Ctx): { ok: true; ips: readonly IP[]; pool: string } | undefined {
    const { plan } = ctx;
    if (plan.type === 'single') {
      const families: readonly Family[] = plan.family === undefined ? [4, 6] : [plan.family];
      for (const p of pools) {
        for (const f of families) {
          const ip = p.hasFamily(f) ? this.pick(p, f, ctx) : undefined;
          if (ip !== undefined) return { ok: true, ips: [ip], pool: p.name };
        }
      }
      return undefined;
    }
    let primaryOnly: { ok: true; ips: readonly IP[]; pool: string } | undefined;
    let secondaryOnly: { ok: true; ips: readonly IP[]; pool: string } | undefined;
    for (const p of pools) {
      const a = p.hasFamily(plan.primary) ? this.pick(p, plan.primary, ctx) : undefined;
      const b = p.hasFamily(plan.secondary) ? this.pick(p, plan.secondary, ctx) : undefined;
      if (a !== undefined && b !== undefined) return { ok: true, ips: [a, b], pool: p.name };
      if (plan.required) continue;
      if (a !== undefined) primaryOnly ??= { ok: true, ips: [a], pool: p.name };
      if (b !== undefined) secondaryOnly ??= { ok: true, ips: [b], pool: p.name };
    }
    return primaryOnly ?? secondaryOnly;
  }

  /** The address of family f in pool p this Service should get: a compatible shared one, else the lowest free. */
  private pick(p: PoolIndex, f: Family, ctx: Ctx): IP | undefined {
    const key = ctx.svc.sharingKey;
    if (key !== undefined) {
      let best: IP | undefined;
      for (const e of this.bySharingKey.get(key) ?? []) {
        if (e.ip.family !== f || (best !== undefined && e.ip.value >= best.value) || !p.covers(e.ip)) continue;
        if (sharingConflict(e, ctx.svc.key, key, ctx.backend, ctx.ports) === undefined) best = e.ip;
      }
      if (best !== undefined) return best;
    }
    const v = p.lowestFree(f);
    return v === undefined ? undefined : IP.fromBigInt(f, v);
  }

  /** Why no address could be found in these candidate pools. */
  private whyNone(pools: readonly PoolIndex[], plan: FamilyPlan): AllocationReason {
    const names = (ps: readonly PoolIndex[]): string[] => ps.map((p) => p.name);
    const families = planFamilies(plan);
    if (plan.type === 'dual' && plan.required) {
      const both = pools.filter((p) => p.hasFamily(plan.primary) && p.hasFamily(plan.secondary));
      if (both.length === 0) return { type: 'dual-stack-unavailable', pools: names(pools) };
      return { type: 'pool-exhausted', pools: names(both), families };
    }
    const withFamily = pools.filter((p) => families.some((f) => p.hasFamily(f)));
    if (withFamily.length === 0) return { type: 'family-unavailable', pools: names(pools), families };
    return { type: 'pool-exhausted', pools: names(withFamily), families };
  }

  /** The pool that covers all the IPs: `preferred` if it does, else the first by name. */
  private poolFor(ips: readonly IP[], preferred?: string): PoolIndex | undefined {
    const pref = preferred === undefined ? undefined : this.pools.get(preferred);
    if (pref !== undefined && ips.every((ip) => pref.covers(ip))) return pref;
    for (const p of this.pools.values()) if (ips.every((ip) => p.covers(ip))) return p;
    return undefined;
  }

  private whyNoPool(ips: readonly IP[]): AllocationReason {
    const pools = [...this.pools.values()];
    const nowhere = ips.filter((ip) => pools.every((p) => p.coverage(ip) === 'no'));
    if (nowhere.length > 0) return { type: 'requested-ip-not-in-pool', ips: nowhere, pool: undefined, why: 'no-pool' };
    const buggy = ips.filter((ip) => !pools.some((p) => p.covers(ip)));
    const buggyPool = buggy[0] && pools.find((p) => p.coverage(buggy[0] as IP) === 'buggy-ip-avoided');
    if (buggyPool) return { type: 'requested-ip-not-in-pool', ips: buggy, pool: buggyPool.name, why: 'buggy-ip-avoided' };
    return { type: 'requested-ip-not-in-pool', ips, pool: undefined, why: 'span-pools' };
  }

  /** The first IP another holder refuses to share with this Service. */
  private conflict(ctx: Ctx, ips: readonly IP[]): AllocationReason | undefined {
    for (const ip of ips) {
      const e = this.byIP[ip.family].get(ip.value);
      const c = e && sharingConflict(e, ctx.svc.key, ctx.svc.sharingKey, ctx.backend, ctx.ports);
      if (c === undefined) continue;
      if (c.why === 'not-shared') return { type: 'requested-ip-in-use', ip, by: c.with };
      return { type: 'sharing-incompatible', ip, with: c.with, why: c.why };
    }
    return undefined;
  }

  /** Records the allocation (replacing the Service's previous one). The caller checked it. */
  private commit(ctx: Ctx, ips: readonly IP[], pool: string): void {
    const { svc } = ctx;
    this.remove(svc.key);
    for (const ip of ips) {
      const byIP = this.byIP[ip.family];
      let e = byIP.get(ip.value);
      if (e === undefined) {
        e = { ip, sharingKey: svc.sharingKey, backendKey: ctx.backend, holders: [], holderPorts: [] };
        byIP.set(ip.value, e);
        for (const p of this.pools.values()) if (p.covers(ip)) p.assigned[ip.family]++;
        if (svc.sharingKey !== undefined) {
          let set = this.bySharingKey.get(svc.sharingKey);
          if (set === undefined) this.bySharingKey.set(svc.sharingKey, (set = new Set()));
          set.add(e);
        }
      }
      e.holders.push(svc.key);
      e.holderPorts.push(ctx.ports);
    }
    this.byService.set(svc.key, { service: svc, ips, pool, backend: ctx.backend, ports: ctx.ports });
  }

  private remove(key: string): Held | undefined {
    const held = this.byService.get(key);
    if (held === undefined) return undefined;
    this.byService.delete(key);
    for (const ip of held.ips) {
      const e = this.byIP[ip.family].get(ip.value);
      if (e === undefined) continue;
      const i = e.holders.indexOf(key);
      if (i >= 0) {
        e.holders.splice(i, 1);
        e.holderPorts.splice(i, 1);
      }
      if (e.holders.length > 0) continue;
      this.byIP[ip.family].delete(ip.value);
      if (e.sharingKey !== undefined) {
        const set = this.bySharingKey.get(e.sharingKey);
        set?.delete(e);
        if (set?.size === 0) this.bySharingKey.delete(e.sharingKey);
      }
      for (const p of this.pools.values()) {
        if (p.coverage(ip) === 'no') continue;
        if (p.covers(ip)) p.assigned[ip.family]--;
        p.freed(ip);
      }
    }
    return held;
  }
}
