// IPAddressPool -> Pool, and the overlap check within and across pools.
import { IPRange, NetParseError, type Family } from '../net/index.js';
import type { Scope } from './issues.js';
import type { Pool, ServiceAllocation } from './model.js';
import type { RawObject } from './names.js';
import { optArray, optBool, optInt, optObject, optStringList, wantType } from './read.js';
import { selectorList } from './selector-list.js';

const dnsLabelRe = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export interface ParsedPool {
  readonly pool: Pool;
  readonly labels: Readonly<Record<string, string>>;
  readonly scope: Scope;
  /** The spec.addresses index of each of pool.ranges (they differ when some failed to parse). */
  readonly indexes: readonly number[];
  /** False if the pool had errors; its ranges that parsed still take part in the overlap check. */
  readonly valid: boolean;
}

export function parsePool(o: RawObject): ParsedPool {
  const { spec, scope } = o;
  const before = scope.count;
  const ranges: IPRange[] = [];
  const indexes: number[] = [];
  const addrs = optArray(spec, 'addresses', 'spec.addresses', scope);
  if (addrs.length === 0 && before === scope.count) scope.error('spec.addresses', 'must list at least one CIDR or range');
  addrs.forEach((a, i) => {
    const f = `spec.addresses[${i}]`;
    if (typeof a !== 'string') return wantType(scope, f, 'a string', a);
    try {
      ranges.push(IPRange.parse(a));
      indexes.push(i);
    } catch (err) {
      if (!(err instanceof NetParseError)) throw err;
      scope.error(f, err.message);
    }
    return undefined;
  });
  const autoAssign = optBool(spec, 'autoAssign', 'spec.autoAssign', scope) ?? true;
  const avoidBuggyIPs = optBool(spec, 'avoidBuggyIPs', 'spec.avoidBuggyIPs', scope) ?? false;
  const serviceAllocation = parseServiceAllocation(o);
  const families = new Set<Family>(ranges.map((r) => r.family));
  const pool: Pool = Object.freeze({
    name: o.name,
    ranges: Object.freeze(ranges),
    autoAssign,
    avoidBuggyIPs,
    serviceAllocation,
    families,
  });
  return { pool, labels: o.labels, scope, indexes, valid: scope.count === before };
}

function parseServiceAllocation(o: RawObject): ServiceAllocation | undefined {
  const { scope } = o;
  const sa = optObject(o.spec, 'serviceAllocation', 'spec.serviceAllocation', scope);
  if (!sa) return undefined;
  const f = 'spec.serviceAllocation';
  const priority = optInt(sa, 'priority', `${f}.priority`, scope, 0, 2 ** 31 - 1);
  const namespaces = optStringList(sa, 'namespaces', `${f}.namespaces`, scope, 'namespace');
  namespaces.forEach((ns, i) => {
    if (!dnsLabelRe.test(ns) || ns.length > 63) scope.error(`${f}.namespaces[${i}]`, `invalid namespace name ${JSON.stringify(ns)}`);
  });
  return Object.freeze({
    priority,
    namespaces: Object.freeze(namespaces.sort()),
    namespaceSelectors: Object.freeze(selectorList(sa, 'namespaceSelectors', `${f}.namespaceSelectors`, scope)),
    serviceSelectors: Object.freeze(selectorList(sa, 'serviceSelectors', `${f}.serviceSelectors`, scope)),
  });
}

interface Placed {
  readonly range: IPRange;
  readonly pool: string;
  readonly index: number;
  readonly scope: Scope;
}

/**
 * Reports every range that overlaps an earlier one (earlier: by pool name, then index), naming
 * both. A sweep over the ranges sorted by start: O(n log n), nothing materialised.
 */
export function checkOverlaps(pools: readonly ParsedPool[]): void {
  const all: Placed[] = [];
  for (const p of pools) {
    p.pool.ranges.forEach((range, i) => all.push({ range, pool: p.pool.name, index: p.indexes[i]!, scope: p.scope }));
  }
  const order = (a: Placed, b: Placed): number => (a.pool < b.pool ? -1 : a.pool > b.pool ? 1 : a.index - b.index);
  all.sort((a, b) => a.range.first.compare(b.range.first) || order(a, b));
  let reach: Placed | undefined;
  const reported = new Set<Placed>();
  for (const cur of all) {
    if (reach && reach.range.family === cur.range.family && cur.range.first.value <= reach.range.last.value) {
      const [later, earlier] = order(cur, reach) > 0 ? [cur, reach] : [reach, cur];
      if (!reported.has(later)) {
        reported.add(later);
        const where = earlier.pool === later.pool ? `spec.addresses[${earlier.index}] of this pool` : `IPAddressPool ${JSON.stringify(earlier.pool)} spec.addresses[${earlier.index}]`;
        later.scope.error(`spec.addresses[${later.index}]`, `${later.range.toString()} overlaps ${earlier.range.toString()} in ${where}`);
      }
    }
    if (!reach || reach.range.family !== cur.range.family || cur.range.last.value > reach.range.last.value) reach = cur;
  }
}
