// What this node announces, kept up to date in proportion to what changed. Pure (no I/O, no
// clock): the reconcile shell feeds it Services, Nodes, the config and the live set, and calls
// step() to turn what is dirty into changes: L2 rankings for the packet thread, per-peer route
// changes for the BGP sessions, owner changes (for Events) and the Services whose status
// objects may have changed.
//
// It runs the very functions desiredAnnouncements() runs (rankL2, electL2, bgpForIP,
// mergeRoutes), per IP, only for the IPs a change touches:
//   - a Service or its EndpointSlices change: that Service's IPs (before and after);
//   - the config or a Node's facts change: every IP (the context every IP shares changed);
//   - the live set changes: no IP is re-ranked; each IP's owner is re-picked from its ranking.
// An update that changes nothing a node announces (a relist, an unrelated field) costs one
// comparison per touched IP and yields no change at all.
import type { Config } from '@herald/shared/config';
import type { IP } from '@herald/shared/net';
import type { Advertisement } from '../bgp/adj-rib-out.js';
import { GroupInterner, pickOwner, sameGroup, TOP_K } from '../election/index.js';
import { usableEndpoints, type NodeInfo } from '../eligibility/index.js';
import type { L2Slot } from '../layer2/owner-table.js';
import { bgpForIP, mergeRoutes, type PrefixRoute } from './bgp-routes.js';
import { announceContext, type AnnounceContext } from './context.js';
import { cmp, ipService, type IPEntry } from './ip-entries.js';
import { electL2, interfacesFor, rankL2, rankL2Top, type L2Election, type L2Rank } from './l2-rank.js';
import type { ServiceState } from './types.js';

export interface OwnerChange {
  readonly ip: IP;
  /** Services sharing the IP (sorted keys). */
  readonly services: readonly string[];
  readonly before: string | undefined;
  readonly after: string | undefined;
}

export interface AnnounceChanges {
  /** New or changed L2 rankings (for the packet thread) and IPs it must forget (canonical text). */
  readonly l2Upserts: L2Slot[];
  readonly l2Removes: string[];
  /** Per peer: prefix text -> the route now, or undefined (withdraw). */
  readonly routes: Map<string, Map<string, Advertisement | undefined>>;
  readonly owners: OwnerChange[];
  /** Services whose ServiceL2Status / ServiceBGPStatus may differ now. */
  readonly statuses: Set<string>;
  /** The peers this node has sessions with, after a config or Node change (else undefined). */
  readonly sessionPeers: readonly string[] | undefined;
  /** How many IPs this step recomputed. */
  processed: number;
  /** Per IP (canonical text) whose facts changed: the facts now, or undefined (gone). Metrics. */
  readonly ipFacts: Map<string, IPFacts | undefined>;
}

/** Why no node is expected to announce an IP (a legitimate "not announced"). */
export type Unannounceable =
  /** No L2Advertisement nor BGPAdvertisement covers it. */
  | 'no-advertisement'
  /** None of the Services sharing it has a ready (or serving) endpoint anywhere. */
  | 'no-endpoints';

/** What the metrics need to know of one IP, from this node's view. */
export interface IPFacts {
  /** Peers this node routes the IP to (empty: none); announced once one of them is Established. */
  readonly bgpPeers: readonly string[];
  readonly unannounceable: Unannounceable | undefined;
}

interface IPRecord {
  readonly ip: IP;
  readonly services: Set<string>;
  /** What the packet thread has for it (covered by an L2Advertisement). */
  slot: L2Slot | undefined;
  /** Services sharing it, as ranked (sorted). */
  l2Services: readonly string[];
  owner: string | undefined;
  /** Our BGP routes for it, by prefix text. */
  routes: ReadonlyMap<string, PrefixRoute>;
  /** The facts last reported in `ipFacts` (undefined: none yet). */
  facts: IPFacts | undefined;
}

interface PrefixAggregate {
  readonly contributors: Set<string>;
  merged: PrefixRoute | undefined;
}

function emptyChanges(): AnnounceChanges {
  return { l2Upserts: [], l2Removes: [], routes: new Map(), owners: [], statuses: new Set(), sessionPeers: undefined, processed: 0, ipFacts: new Map() };
}

export class AnnounceState {
  private config: Config | undefined;
  private nodes: readonly NodeInfo[] = [];
  private ctx: AnnounceContext | undefined;
  private ctxDirty = true;
  private live: ReadonlySet<string> = new Set();
  private fenced = true;
  private liveDirty = false;
  private readonly services = new Map<string, ServiceState>();
  private readonly ips = new Map<string, IPRecord>();
  private readonly prefixes = new Map<string, PrefixAggregate>();
  /** Per service: the prefixes whose merged route names it. */
  private readonly svcPrefixes = new Map<string, Set<string>>();
  private readonly dirty = new Set<string>();
  /** Candidate groups, shared by the slots of IPs with the same eligible nodes. */
  private readonly groups = new GroupInterner();
  /** A node may own: live, and not ourselves while fenced (the packet thread's rule, too). */
  private readonly ok = (n: string): boolean => this.live.has(n) && !(n === this.self && this.fenced);
  private readonly topK: number;

  /** `topK`: how many of each IP's best nodes a slot carries (tests vary it; default TOP_K). */
  constructor(
    readonly self: string,
    o: { readonly topK?: number } = {},
  ) {
    this.topK = o.topK ?? TOP_K;
  }

  /** undefined: no valid config yet (nothing is announced). */
  setConfig(config: Config | undefined): void {
    if (config === this.config) return;
    this.config = config;
    this.ctxDirty = true;
  }

  /** The Nodes' facts. Equal facts (a Node status heartbeat) change nothing. */
  setNodes(nodes: readonly NodeInfo[]): void {
    const sorted = [...nodes].sort((a, b) => cmp(a.name, b.name));
    if (sameNodes(sorted, this.nodes)) return;
    this.nodes = sorted;
    this.ctxDirty = true;
  }

  setLiveness(live: ReadonlySet<string>, fenced: boolean): void {
    this.live = live;
    this.fenced = fenced;
    this.liveDirty = true;
  }

  /** A Service as it is now (undefined: gone, or no longer ours, or without an IP). */
  setService(key: string, st: ServiceState | undefined): void {
    const old = this.services.get(key);
    if (old === undefined && st === undefined) return;
    for (const ip of old?.ips ?? []) {
      this.ips.get(ip.key)?.services.delete(key);
      this.dirty.add(ip.key);
    }
    for (const ip of st?.ips ?? []) {
      let r = this.ips.get(ip.key);
      if (!r) this.ips.set(ip.key, (r = { ip, services: new Set(), slot: undefined, l2Services: [], owner: undefined, routes: new Map(), facts: undefined }));
      r.services.add(key);
      this.dirty.add(ip.key);
    }
    if (st) this.services.set(key, st);
    else this.services.delete(key);
  }

  /** Something is left for step(). */
  get pending(): boolean {
    return this.ctxDirty || this.liveDirty || this.dirty.size > 0;
  }

  get serviceCount(): number {
    return this.services.size;
  }

  get ipCount(): number {
    return this.ips.size;
  }

  /** Sizes of the internal indexes (tests: nothing may linger once its Services are gone). */
  get sizes(): { services: number; ips: number; prefixes: number; servicePrefixes: number } {
    return { services: this.services.size, ips: this.ips.size, prefixes: this.prefixes.size, servicePrefixes: this.svcPrefixes.size };
  }

  /**
   * Processes at most `maxIPs` dirty IPs (a context change first marks every IP dirty), then,
   * once none is left, re-picks owners for a new live set. Call again while `pending`.
   */
  step(maxIPs = Infinity): AnnounceChanges {
    const out = emptyChanges();
    if (this.ctxDirty) {
      this.ctxDirty = false;
      this.ctx = this.config ? announceContext(this.config, this.nodes, this.self) : undefined;
      // Every rebuild (a config change may change a peer's settings, not only the set of peers:
      // the sessions compare each peer's fingerprint).
      (out as { sessionPeers: readonly string[] }).sessionPeers = this.ctx ? this.ctx.sessionPeers.map((p) => p.name) : [];
      for (const k of this.ips.keys()) this.dirty.add(k);
    }
    let n = 0;
    for (const k of this.dirty) {
      if (n++ >= maxIPs) break;
      this.dirty.delete(k);
      this.processIP(k, out);
      out.processed++;
    }
    if (this.dirty.size === 0 && this.liveDirty) {
      this.liveDirty = false;
      for (const r of this.ips.values()) if (r.slot) this.setOwner(r, this.ownerFrom(r.ip, r.slot), out);
    }
    return out;
  }

  /** The first node of the IP's full ranking that may own it, from its slot (as the packet thread picks). */
  private ownerFrom(ip: IP, slot: L2Slot): string | undefined {
    return pickOwner(ip, slot.top, slot.group, this.ok);
  }

  private entry(r: IPRecord): IPEntry | undefined {
    if (!this.config) return undefined;
    const config = this.config;
    const services = [...r.services].sort(cmp).flatMap((k) => {
      const s = this.services.get(k);
      return s ? [ipService(s, r.ip, config)] : [];
    });
    return services.length ? { ip: r.ip, services } : undefined;
  }

  private processIP(key: string, out: AnnounceChanges): void {
    const r = this.ips.get(key);
    if (!r) return;
    const entry = this.ctx ? this.entry(r) : undefined;
    const rank = entry && this.ctx ? rankL2Top(entry, this.ctx, this.groups, this.topK) : undefined;
    // L2: the ranking the packet thread picks the owner from (the best K and their group).
    let slot: L2Slot | undefined;
    if (rank?.covered) {
      slot = { ip: r.ip.toString(), top: rank.top, group: rank.group, interfaces: rank.group.names.includes(this.self) ? interfacesFor(rank, this.self) : [] };
    }
    const l2Services = rank?.covered ? rank.services : [];
    const wasOurs = r.owner === this.self;
    const changed = !sameSlot(r.slot, slot) || l2Services.join(',') !== r.l2Services.join(',');
    if (!sameSlot(r.slot, slot)) {
      if (slot) out.l2Upserts.push(slot);
      else out.l2Removes.push(r.ip.toString());
    }
    const before = r.l2Services;
    r.slot = slot;
    r.l2Services = l2Services;
    this.setOwner(r, slot ? this.ownerFrom(r.ip, slot) : undefined, out);
    if (changed && (wasOurs || r.owner === this.self)) for (const s of [...before, ...l2Services]) out.statuses.add(s);
    // BGP: our routes for it, merged per prefix with the other IPs of the same aggregate.
    const bgp = entry && this.ctx ? bgpForIP(entry, this.ctx) : undefined;
    const routes = bgp?.routes ?? new Map<string, PrefixRoute>();
    const touched = [...new Set([...r.routes.keys(), ...routes.keys()])].filter((p) => {
      const a = r.routes.get(p);
      const b = routes.get(p);
      return !(a && b && sameRoute(a, b));
    });
    r.routes = routes;
    this.reportFacts(r, entry, rank?.covered === true, bgp !== undefined, out);
    for (const p of touched) {
      let agg = this.prefixes.get(p);
      if (!agg) this.prefixes.set(p, (agg = { contributors: new Set(), merged: undefined }));
      if (routes.has(p)) agg.contributors.add(key);
      else agg.contributors.delete(key);
      this.remerge(p, agg, out);
    }
    if (r.services.size === 0) {
      this.ips.delete(key);
    }
  }

  /** The IP's facts for the metrics, reported only when they change (undefined once it is gone). */
  private reportFacts(r: IPRecord, entry: IPEntry | undefined, l2: boolean, bgp: boolean, out: AnnounceChanges): void {
    let facts: IPFacts | undefined;
    if (entry && r.services.size > 0) {
      const peers = new Set<string>();
      for (const route of r.routes.values()) for (const p of route.peers.keys()) peers.add(p);
      const unannounceable: Unannounceable | undefined = !l2 && !bgp ? 'no-advertisement' : entry.services.every((s) => usableEndpoints(s.svc.endpoints).length === 0) ? 'no-endpoints' : undefined;
      facts = { bgpPeers: [...peers].sort(cmp), unannounceable };
    }
    const was = r.facts;
    if (was === facts || (was && facts && was.unannounceable === facts.unannounceable && was.bgpPeers.join(',') === facts.bgpPeers.join(','))) return;
    r.facts = facts;
    out.ipFacts.set(r.ip.toString(), facts);
  }

  private setOwner(r: IPRecord, owner: string | undefined, out: AnnounceChanges): void {
    if (owner === r.owner) return;
    out.owners.push({ ip: r.ip, services: r.l2Services, before: r.owner, after: owner });
    if (owner === this.self || r.owner === this.self) for (const s of r.l2Services) out.statuses.add(s);
    r.owner = owner;
  }

  private remerge(p: string, agg: PrefixAggregate, out: AnnounceChanges): void {
    const before = agg.merged;
    const after = mergeRoutes([...agg.contributors].flatMap((k) => {
      const x = this.ips.get(k)?.routes.get(p);
      return x ? [x] : [];
    }));
    agg.merged = after;
    if (agg.contributors.size === 0) this.prefixes.delete(p);
    for (const s of before?.services ?? []) {
      this.svcPrefixes.get(s)?.delete(p);
      out.statuses.add(s);
    }
    for (const s of after?.services ?? []) {
      let set = this.svcPrefixes.get(s);
      if (!set) this.svcPrefixes.set(s, (set = new Set()));
      set.add(p);
      out.statuses.add(s);
    }
    for (const s of before?.services ?? []) if (this.svcPrefixes.get(s)?.size === 0) this.svcPrefixes.delete(s);
    const peers = new Set([...(before?.peers.keys() ?? []), ...(after?.peers.keys() ?? [])]);
    for (const peer of peers) {
      const a = before?.peers.get(peer);
      const b = after?.peers.get(peer);
      if (a && b && sameAdvertisement(a, b)) continue;
      let m = out.routes.get(peer);
      if (!m) out.routes.set(peer, (m = new Map<string, Advertisement | undefined>()));
      m.set(p, b);
    }
  }

  // Reads (status objects, tests, the explain path)

  /** The L2 owner of an IP (canonical text or key) by this node's view. */
  ownerOf(ip: IP): string | undefined {
    return this.ips.get(ip.key)?.owner;
  }

  /** Every IP some L2Advertisement covers, with its owner. */
  *l2Owners(): Generator<{ ip: IP; owner: string | undefined; services: readonly string[] }> {
    for (const r of this.ips.values()) if (r.slot) yield { ip: r.ip, owner: r.owner, services: r.l2Services };
  }

  /** ServiceL2Status content for a service: the interfaces it is announced on here (none: not owned here). */
  l2Interfaces(svc: string, open: readonly string[]): string[] | undefined {
    const st = this.services.get(svc);
    if (!st) return undefined;
    const out = new Set<string>();
    let owned = false;
    for (const ip of st.ips) {
      const r = this.ips.get(ip.key);
      if (!r?.slot || r.owner !== this.self || !r.l2Services.includes(svc)) continue;
      owned = true;
      for (const i of r.slot.interfaces.length ? r.slot.interfaces : open) out.add(i);
    }
    return owned ? [...out].sort() : undefined;
  }

  /** ServiceBGPStatus content for a service: the peers it is advertised to from here (none: undefined). */
  bgpPeers(svc: string): string[] | undefined {
    const out = new Set<string>();
    for (const p of this.svcPrefixes.get(svc) ?? []) for (const peer of this.prefixes.get(p)?.merged?.peers.keys() ?? []) out.add(peer);
    return out.size ? [...out].sort() : undefined;
  }

  /** Every route this node advertises to a peer now (a session that starts gets these). */
  routesFor(peer: string): Map<string, Advertisement> {
    const out = new Map<string, Advertisement>();
    for (const [p, agg] of this.prefixes) {
      const a = agg.merged?.peers.get(peer);
      if (a) out.set(p, a);
    }
    return out;
  }

  /** The full L2 election of one IP now, with every node's verdicts (Events, explain). */
  explainL2(ip: IP): { rank: L2Rank; election: L2Election } | undefined {
    const r = this.ips.get(ip.key);
    const entry = r ? this.entry(r) : undefined;
    const rank = entry && this.ctx ? rankL2(entry, this.ctx) : undefined;
    return rank ? { rank, election: electL2(rank, this.fenced ? new Set([...this.live].filter((n) => n !== this.self)) : this.live) } : undefined;
  }

  /** Every L2 ranking (a packet thread that restarts, or a resync, gets the whole table). */
  slots(): L2Slot[] {
    const out: L2Slot[] = [];
    for (const r of this.ips.values()) if (r.slot) out.push(r.slot);
    return out;
  }
}

function sameNodes(a: readonly NodeInfo[], b: readonly NodeInfo[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((x, i) => {
    const y = b[i]!;
    return x.name === y.name && x.ready === y.ready && x.networkUnavailable === y.networkUnavailable && sameLabels(x.labels, y.labels);
  });
}

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => a[k] === b[k]);
}

function sameSlot(a: L2Slot | undefined, b: L2Slot | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.ip !== b.ip || a.top.length !== b.top.length || !sameGroup(a.group, b.group) || a.interfaces.join(',') !== b.interfaces.join(',')) return false;
  for (let i = 0; i < a.top.length; i++) if (a.top[i] !== b.top[i]) return false;
  return true;
}

export function sameAdvertisement(a: Advertisement, b: Advertisement): boolean {
  if (a.localPref !== b.localPref || a.weight !== b.weight || !a.prefix.equals(b.prefix)) return false;
  const ca = a.communities ?? [];
  const cb = b.communities ?? [];
  return ca.length === cb.length && ca.every((c, i) => JSON.stringify(c) === JSON.stringify(cb[i]));
}

function sameRoute(a: PrefixRoute, b: PrefixRoute): boolean {
  if (a.peers.size !== b.peers.size || a.services.size !== b.services.size) return false;
  for (const s of a.services) if (!b.services.has(s)) return false;
  for (const [p, x] of a.peers) {
    const y = b.peers.get(p);
    if (!y || !sameAdvertisement(x, y)) return false;
  }
  return true;
}
