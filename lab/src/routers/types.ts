// Real routers (BIRD 2, FRR, GoBGP) in a network namespace, driven from a generated config and
// read back through their own CLIs, parsed into typed values that tests assert on.

import type { RouterBfdSession } from './bfd.js';

export type RouterKind = 'bird' | 'frr' | 'gobgp';

export interface RouterPeerSpec {
  /** Short identifier (letters, digits): the protocol / neighbor name. */
  readonly name: string;
  readonly address: string;
  readonly asn: number;
  readonly password?: string;
  /** eBGP multihop (TTL 255). */
  readonly multihop?: boolean;
  /** Address the router uses for this session (default: chosen by the kernel). */
  readonly localAddress?: string;
  /** GTSM (RFC 5082) for a directly connected peer. */
  readonly ttlSecurity?: boolean;
  /** Address families carried (MP-BGP); default: the family of `address`. */
  readonly families?: readonly (4 | 6)[];
  /**
   * Only accept the session, never connect (BIRD only). With `neighborPort`, this is how one BIRD
   * keeps several sessions with the same neighbour address: BIRD 2.0 locks a session on (neighbour
   * address, neighbour port), so a second protocol with the same pair waits Idle for the lock, and
   * a passive protocol never uses its neighbour port.
   */
  readonly passive?: boolean;
  /** The neighbour's TCP port (BIRD only; default 179). */
  readonly neighborPort?: number;
  /** Ask BFD to watch this BGP session (FRR `neighbor X bfd`, BIRD `bfd on`); needs spec.bfd. */
  readonly bfd?: boolean;
}

/** A BFD session the router runs on its own (FRR `bfd peer`, BIRD `protocol bfd` neighbor). */
export interface RouterBfdPeerSpec {
  readonly address: string;
  readonly localAddress?: string;
  /** RFC 5883 multihop (UDP 4784). */
  readonly multihop?: boolean;
  /** Single hop: the router's interface towards the peer. */
  readonly interface?: string;
  /** Multihop: the lowest TTL the router accepts (FRR only). */
  readonly minimumTtl?: number;
  /** FRR only: wait for the peer to speak first. */
  readonly passive?: boolean;
}

export interface RouterBfdSpec {
  /** Receive and transmit interval, ms. */
  readonly intervalMs: number;
  readonly multiplier: number;
  readonly peers: readonly RouterBfdPeerSpec[];
}

/** The spec's peer of that name; throws for a name the spec does not have. */
export function peerNamed(spec: { readonly peers: readonly RouterPeerSpec[] }, name: string): RouterPeerSpec {
  const p = spec.peers.find((x) => x.name === name);
  if (!p) throw new Error(`no peer named ${JSON.stringify(name)} (have ${spec.peers.map((x) => x.name).join(', ')})`);
  return p;
}

export function peerFamilies(p: RouterPeerSpec): readonly (4 | 6)[] {
  return p.families ?? [p.address.includes(':') ? 6 : 4];
}

/**
 * A capability name in the drivers' shared vocabulary (`neighborCapabilities`): lower-case words
 * joined by '-' ("Route refresh", "routeRefresh" and "RouteRefresh" all give "route-refresh").
 */
export function kebab(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
}

/** Sorted, without duplicates: capability lists compare with deepEqual. */
export function capabilitySet(names: Iterable<string>): string[] {
  return [...new Set(names)].sort();
}

export interface RouterSpec {
  /** Network namespace to run in. */
  readonly ns: string;
  readonly routerId: string;
  readonly asn: number;
  readonly peers: readonly RouterPeerSpec[];
  /** Seconds (default 3 / 1: quick tests). */
  readonly holdTime?: number;
  readonly keepaliveTime?: number;
  /** Install BGP routes in the namespace's kernel table, ECMP merged (BIRD, FRR). */
  readonly kernel?: boolean;
  /**
   * Prefixes the router itself announces to every peer, with community ASN:1 and large
   * community ASN:1:2 (ASN = the router's, which must fit 16 bits for the community).
   */
  readonly originate?: readonly string[];
  /** FRR only: more `set` lines for the originated routes' route-map (e.g. `set extcommunity bandwidth 1 non-transitive`). */
  readonly frrOriginateSet?: readonly string[];
  /** Run BFD (FRR bfdd, BIRD protocol bfd): the timers, and the sessions configured by hand. */
  readonly bfd?: RouterBfdSpec;
  /**
   * BIRD only: filter definitions placed before the protocols. A filter named `herald_import`
   * there becomes every BGP channel's import filter (instead of `import all`).
   */
  readonly birdFilters?: string;
}

export type SessionStateName = 'idle' | 'connect' | 'active' | 'opensent' | 'openconfirm' | 'established' | 'other';

export interface RouterSession {
  readonly peer: string;
  readonly state: SessionStateName;
  /** The router's own text for the state. */
  readonly raw: string;
}

export interface RibRoute {
  readonly prefix: string;
  /** Next hop addresses as the router shows them (IPv6: global, and link-local if shown). */
  readonly nextHops: readonly string[];
  readonly asPath: readonly number[];
  readonly origin: 'igp' | 'egp' | 'incomplete' | undefined;
  readonly localPref: number | undefined;
  readonly med: number | undefined;
  /** "ASN:VALUE". */
  readonly communities: readonly string[];
  /** "GLOBAL:LOCAL1:LOCAL2". */
  readonly largeCommunities: readonly string[];
  /** The neighbor address the path came from, when shown. */
  readonly from: string | undefined;
  /** Chosen as best (or multipath) by the router. */
  readonly best: boolean;
}

export interface RouterDriver {
  readonly kind: RouterKind;
  readonly spec: RouterSpec;
  start(): Promise<void>;
  /** Stops the daemon (reaped) and removes its work directory. Safe to call twice. */
  stop(): Promise<void>;
  sessions(): Promise<RouterSession[]>;
  /** Every path in the RIB for a family (one entry per path, not per prefix). */
  routes(family: 4 | 6): Promise<RibRoute[]>;
  /**
   * The capabilities the router says it RECEIVED in this peer's OPEN (by RouterPeerSpec name),
   * sorted, in one vocabulary across routers: 'mp-ipv4-unicast', 'mp-ipv6-unicast',
   * 'route-refresh', '4-octet-as', 'graceful-restart', and any other the router names, in
   * kebab-case (e.g. 'enhanced-route-refresh', 'add-path'). Empty until the session has
   * exchanged OPENs.
   */
  neighborCapabilities(peerName: string): Promise<string[]>;
  /** The daemon's log so far (for failure messages). */
  log(): string;
  /** The router's BFD sessions as its own CLI shows them (FRR and BIRD; needs spec.bfd). */
  bfdSessions?(): Promise<RouterBfdSession[]>;
}
