// Parsers for FRR vtysh JSON: `show bgp neighbors json`, `show bgp neighbors <address> json`
// (the neighbour's capabilities), `show bgp <afi> unicast json` (the prefix list) and
// `show bgp <afi> unicast <prefix> json` (full paths).
import { capabilitySet, kebab, type RibRoute, type RouterSession, type SessionStateName } from './types.js';

function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function parseFrrNeighbors(json: string): RouterSession[] {
  return Object.entries(obj(JSON.parse(json))).map(([addr, v]) => {
    const raw = str(obj(v)['bgpState']) ?? 'unknown';
    const k = raw.toLowerCase();
    const state: SessionStateName = ['idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'].includes(k) ? (k as SessionStateName) : 'other';
    return { peer: addr, state, raw };
  });
}

export function parseFrrTablePrefixes(json: string): string[] {
  return Object.keys(obj(obj(JSON.parse(json))['routes']));
}

const origins: Record<string, RibRoute['origin']> = { IGP: 'igp', EGP: 'egp', incomplete: 'incomplete', Incomplete: 'incomplete', '?': 'incomplete' };

export function parseFrrPrefixDetail(prefix: string, json: string): RibRoute[] {
  const d = obj(JSON.parse(json));
  return arr(d['paths']).map((pv) => {
    const p = obj(pv);
    const asPath = arr(obj(p['aspath'])['segments']).flatMap((s) => arr(obj(s)['list']).flatMap((a) => (typeof a === 'number' ? [a] : [])));
    return {
      prefix: str(d['prefix']) ?? prefix,
      nextHops: arr(p['nexthops']).flatMap((n) => str(obj(n)['ip']) ?? []),
      asPath,
      origin: origins[str(p['origin']) ?? ''],
      localPref: num(p['locPrf']) ?? num(p['localpref']),
      med: num(p['metric']) ?? num(p['med']),
      communities: arr(obj(p['community'])['list']).flatMap((c) => str(c) ?? []),
      largeCommunities: arr(obj(p['largeCommunity'])['list']).flatMap((c) => str(c) ?? []),
      from: str(obj(p['peer'])['peerId']),
      best: obj(p['bestpath'])['overall'] === true || p['multipath'] === true,
    };
  });
}

/** FRR's JSON keys in neighborCapabilities, where kebab-case of the key is not our name. */
const frrCapabilities: Record<string, string> = {
  '4byteAs': '4-octet-as',
  // FRR names the key by what happened: "gracefulRestartCapability" when only advertised,
  // "gracefulRestart" once the neighbour's OPEN carried it.
  gracefulRestartCapability: 'graceful-restart',
  hostName: 'fqdn',
};

/** Keys in neighborCapabilities that describe a capability rather than name one. */
const frrDetails = new Set(['gracefulRestartRemoteTimerMsecs', 'addressFamiliesByPeer', 'extendedNexthopFamililesByPeer', 'extendedNexthopFamiliesByPeer']);

/** "received", "advertisedAndReceived", "advertisedAndReceivedNew", ...; not "advertised". */
function frrReceived(v: unknown): boolean {
  if (typeof v === 'string') return /received/i.test(v);
  if (v === true) return false;
  // Per-family objects (addPath: {ipv4Unicast: {rxReceived: true}}) and hostName ({rcvHostName}).
  return Object.entries(obj(v)).some(([k, x]) => ((/received/i.test(k) || /^rcv/.test(k)) && x !== false) || (typeof x === 'object' && frrReceived(x)));
}

/**
 * `show bgp neighbors <address> json` → neighborCapabilities: a capability counts when FRR says
 * it was received ("received", "advertisedAndReceived*"); "advertised" alone does not.
 * multiprotocolExtensions lists families ({ipv6Unicast: {received: true}}). No
 * neighborCapabilities (session not yet up) gives [].
 */
export function parseFrrNeighborCapabilities(json: string): string[] {
  const caps: string[] = [];
  for (const n of Object.values(obj(JSON.parse(json)))) {
    for (const [k, v] of Object.entries(obj(obj(n)['neighborCapabilities']))) {
      if (frrDetails.has(k)) continue;
      if (k === 'multiprotocolExtensions') {
        for (const [fam, st] of Object.entries(obj(v))) if (frrReceived(st)) caps.push(`mp-${kebab(fam)}`);
      } else if (frrReceived(v)) caps.push(frrCapabilities[k] ?? kebab(k));
    }
  }
  return capabilitySet(caps);
}
