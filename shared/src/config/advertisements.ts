// L2Advertisement and BGPAdvertisement -> models: pool resolution (names and selectors),
// selectors, interfaces, communities, peers, and the aggregation-length rule.
import type { IPRange, Prefix } from '../net/index.js';
import { resolveCommunity, formatCommunity } from './community.js';
import type { Scope } from './issues.js';
import type { BGPAdvertisement, Community, L2Advertisement, Pool, Selector } from './model.js';
import type { RawObject } from './names.js';
import { isObject, optArray, optBool, optInt, optStringList, show, type JSONObject } from './read.js';
import { parseSelectorInto, selectorList } from './selector-list.js';

const U32 = 4294967295;
const ifaceRe = /^[^\s/:]{1,15}$/;

export interface AdContext {
  /** Every IPAddressPool in the input, valid or not (references to an invalid pool are not "missing"). */
  readonly poolObjects: readonly RawObject[];
  /** The valid pools. */
  readonly pools: ReadonlyMap<string, Pool>;
  readonly aliases: ReadonlyMap<string, Community>;
  readonly peerNames: ReadonlySet<string>;
}

function resolvePools(spec: JSONObject, scope: Scope, ctx: AdContext): Set<string> {
  const names = optStringList(spec, 'ipAddressPools', 'spec.ipAddressPools', scope, 'pool');
  const known = new Set(ctx.poolObjects.map((p) => p.name));
  names.forEach((n, i) => {
    if (!known.has(n)) scope.error(`spec.ipAddressPools[${i}]`, `IPAddressPool ${JSON.stringify(n)} does not exist`);
  });
  const sels = selectorList(spec, 'ipAddressPoolSelectors', 'spec.ipAddressPoolSelectors', scope);
  const rawSels = spec['ipAddressPoolSelectors'];
  if (names.length === 0 && !(Array.isArray(rawSels) && rawSels.length > 0)) return new Set([...known].sort());
  const out = new Set(names.filter((n) => known.has(n)));
  for (const p of ctx.poolObjects) if (sels.some((s) => s.matches(p.labels))) out.add(p.name);
  return new Set([...out].sort());
}

export function parseL2Advertisement(o: RawObject, ctx: AdContext): L2Advertisement | undefined {
  const { spec, scope } = o;
  const before = scope.count;
  const pools = resolvePools(spec, scope, ctx);
  const nodeSelectors = selectorList(spec, 'nodeSelectors', 'spec.nodeSelectors', scope);
  const serviceSelectors = selectorList(spec, 'serviceSelectors', 'spec.serviceSelectors', scope);
  const interfaces = optStringList(spec, 'interfaces', 'spec.interfaces', scope, 'interface');
  interfaces.forEach((n, i) => {
    if (!ifaceRe.test(n)) scope.error(`spec.interfaces[${i}]`, `invalid interface name ${JSON.stringify(n)}`);
  });
  const preferred: Selector[] = [];
  const weights: number[] = [];
  optArray(spec, 'preferredNodeSelectors', 'spec.preferredNodeSelectors', scope).forEach((p, i) => {
    const f = `spec.preferredNodeSelectors[${i}]`;
    if (!isObject(p)) return scope.error(f, `must be an object {weight, preference}, not ${show(p)}`);
    const weight = optInt(p, 'weight', `${f}.weight`, scope, 1, 100);
    if (p['weight'] === undefined) scope.error(`${f}.weight`, 'required');
    const sel = parseSelectorInto(p['preference'] ?? {}, `${f}.preference`, scope);
    if (sel && weight !== undefined) {
      preferred.push(sel);
      weights.push(weight);
    }
    return undefined;
  });
  if (scope.count !== before) return undefined;
  return Object.freeze({
    name: o.name,
    pools,
    nodeSelectors: Object.freeze(nodeSelectors),
    interfaces: Object.freeze(interfaces),
    serviceSelectors: Object.freeze(serviceSelectors),
    preferredNodeSelectors: Object.freeze(preferred),
    preferredNodeWeights: Object.freeze(weights),
  });
}

export interface ParsedBGPAdvertisement {
  readonly ad: BGPAdvertisement;
  readonly scope: Scope;
}

const widest = new WeakMap<IPRange, Prefix>();

/** The largest CIDR block of a range (its own prefix for a CIDR). */
function widestPrefix(r: IPRange): Prefix {
  let p = widest.get(r);
  if (!p) {
    p = r.prefix ?? r.toPrefixes().reduce((a, b) => (b.length < a.length ? b : a));
    widest.set(r, p);
  }
  return p;
}

function parseCommunities(spec: JSONObject, scope: Scope, aliases: ReadonlyMap<string, Community>): Community[] {
  const out: Community[] = [];
  const seen = new Map<string, number>();
  optStringList(spec, 'communities', 'spec.communities', scope, 'community').forEach((s, i) => {
    const f = `spec.communities[${i}]`;
    const r = resolveCommunity(s, aliases);
    if (!r.ok) return scope.error(f, r.message);
    const key = formatCommunity(r.community);
    const first = seen.get(key);
    if (first !== undefined) return scope.error(f, `duplicate community ${key} (also spec.communities[${first}])`);
    seen.set(key, i);
    out.push(r.community);
    return undefined;
  });
  return out;
}

export function parseBGPAdvertisement(o: RawObject, ctx: AdContext): ParsedBGPAdvertisement | undefined {
  const { spec, scope } = o;
  const before = scope.count;
  const pools = resolvePools(spec, scope, ctx);
  const aggregationLength = optInt(spec, 'aggregationLength', 'spec.aggregationLength', scope, 0, 32) ?? 32;
  const aggregationLengthV6 = optInt(spec, 'aggregationLengthV6', 'spec.aggregationLengthV6', scope, 0, 128) ?? 128;
  const localPref = optInt(spec, 'localPref', 'spec.localPref', scope, 0, U32);
  const communities = parseCommunities(spec, scope, ctx.aliases);
  const peers = optStringList(spec, 'peers', 'spec.peers', scope, 'peer');
  peers.forEach((p, i) => {
    if (!ctx.peerNames.has(p)) scope.error(`spec.peers[${i}]`, `BGPPeer ${JSON.stringify(p)} does not exist`);
  });
  const nodeSelectors = selectorList(spec, 'nodeSelectors', 'spec.nodeSelectors', scope);
  const serviceSelectors = selectorList(spec, 'serviceSelectors', 'spec.serviceSelectors', scope);
  const weightByLocalEndpoints = optBool(spec, 'weightByLocalEndpoints', 'spec.weightByLocalEndpoints', scope) ?? false;
  if (weightByLocalEndpoints) {
    // One route carries one bandwidth: an aggregate would weigh many Services by one count.
    if (aggregationLength !== 32) scope.error('spec.aggregationLength', 'must be 32 (no aggregation) when weightByLocalEndpoints is true');
    if (aggregationLengthV6 !== 128) scope.error('spec.aggregationLengthV6', 'must be 128 (no aggregation) when weightByLocalEndpoints is true');
  }
  if (serviceSelectors.length > 0) {
    if (aggregationLength !== 32) scope.error('spec.aggregationLength', 'must be 32 (no aggregation) when serviceSelectors are set');
    if (aggregationLengthV6 !== 128) scope.error('spec.aggregationLengthV6', 'must be 128 (no aggregation) when serviceSelectors are set');
  }
  for (const name of pools) {
    const pool = ctx.pools.get(name);
    if (!pool) continue;
    for (const [i, r] of pool.ranges.entries()) {
      const len = r.family === 4 ? aggregationLength : aggregationLengthV6;
      const p = widestPrefix(r);
      if (len < p.length) {
        const field = r.family === 4 ? 'spec.aggregationLength' : 'spec.aggregationLengthV6';
        scope.error(field, `${len} is shorter than the prefix ${p.toString()} of IPAddressPool ${JSON.stringify(name)} spec.addresses[${i}]: it would advertise addresses outside the pool`);
        break;
      }
    }
  }
  if (scope.count !== before) return undefined;
  const ad: BGPAdvertisement = Object.freeze({
    name: o.name,
    pools,
    aggregationLength,
    aggregationLengthV6,
    localPref,
    communities: Object.freeze(communities),
    peers: Object.freeze(peers),
    nodeSelectors: Object.freeze(nodeSelectors),
    serviceSelectors: Object.freeze(serviceSelectors),
    weightByLocalEndpoints,
  });
  return { ad, scope };
}

/**
 * MetalLB's localPref rule: two advertisements of one pool that would produce the same kind of
 * update (same aggregation for the pool's families, overlapping peers and nodes, no service
 * selectors) must not disagree on localPref.
 */
export function checkLocalPrefs(ads: readonly ParsedBGPAdvertisement[], pools: ReadonlyMap<string, Pool>): void {
  const reported = new Set<ParsedBGPAdvertisement>();
  for (const [j, b] of ads.entries()) {
    for (const a of ads.slice(0, j)) {
      if (reported.has(b) || a.ad.localPref === b.ad.localPref) continue;
      if (a.ad.serviceSelectors.length > 0 || b.ad.serviceSelectors.length > 0) continue;
      if (!mayOverlap(a.ad.peers, b.ad.peers) || !nodesMayOverlap(a.ad.nodeSelectors, b.ad.nodeSelectors)) continue;
      const shared = [...b.ad.pools].find((p) => a.ad.pools.has(p) && sameAggregation(a.ad, b.ad, pools.get(p)));
      if (shared === undefined) continue;
      reported.add(b);
      b.scope.error(
        'spec.localPref',
        `localPref ${b.ad.localPref ?? 'unset'} conflicts with localPref ${a.ad.localPref ?? 'unset'} of BGPAdvertisement ${JSON.stringify(a.ad.name)} for IPAddressPool ${JSON.stringify(shared)}`,
      );
    }
  }
}

function mayOverlap(a: readonly string[], b: readonly string[]): boolean {
  return a.length === 0 || b.length === 0 || a.some((x) => b.includes(x));
}

function nodesMayOverlap(a: readonly Selector[], b: readonly Selector[]): boolean {
  const all = (s: readonly Selector[]): boolean => s.length === 0 || s.some((x) => x.text === '');
  return all(a) || all(b) || a.some((x) => b.some((y) => y.text === x.text));
}

function sameAggregation(a: BGPAdvertisement, b: BGPAdvertisement, pool: Pool | undefined): boolean {
  if (!pool) return false;
  const v4 = pool.families.has(4);
  const v6 = pool.families.has(6);
  if (v4 && v6) return a.aggregationLength === b.aggregationLength || a.aggregationLengthV6 === b.aggregationLengthV6;
  if (v4) return a.aggregationLength === b.aggregationLength;
  return a.aggregationLengthV6 === b.aggregationLengthV6;
}
