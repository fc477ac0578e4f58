// Parsers for FRR vtysh JSON: `show bgp neighbors json`, `show bgp <afi> unicast json` (the
// prefix list) and `show bgp <afi> unicast <prefix> json` (full paths).
import type { RibRoute, RouterSession, SessionStateName } from './types.js';

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
