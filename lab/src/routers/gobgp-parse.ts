// Parsers for GoBGP 3 CLI JSON: `gobgp neighbor -j` and `gobgp global rib -a ipvN -j`.
import type { RibRoute, RouterSession, SessionStateName } from './types.js';

function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

const states: SessionStateName[] = ['other', 'idle', 'connect', 'active', 'opensent', 'openconfirm', 'established'];

export function parseGobgpNeighbors(json: string): RouterSession[] {
  return arr(JSON.parse(json)).map((n) => {
    const conf = obj(obj(n)['conf']);
    const st = obj(obj(n)['state'])['session_state'];
    let state: SessionStateName = 'other';
    if (typeof st === 'number') state = states[st] ?? 'other';
    else if (typeof st === 'string') state = states.find((s) => s === st.toLowerCase().replace(/^session_state_/, '')) ?? 'other';
    return { peer: String(conf['neighbor_address']), state, raw: typeof st === 'number' || typeof st === 'string' ? String(st) : 'idle' };
  });
}

const origins: RibRoute['origin'][] = ['igp', 'egp', 'incomplete'];

export function parseGobgpRib(json: string): RibRoute[] {
  const out: RibRoute[] = [];
  for (const [prefix, paths] of Object.entries(obj(JSON.parse(json)))) {
    for (const pv of arr(paths)) {
      const p = obj(pv);
      const r: { -readonly [K in keyof RibRoute]: RibRoute[K] } = {
        prefix,
        nextHops: [],
        asPath: [],
        origin: undefined,
        localPref: undefined,
        med: undefined,
        communities: [],
        largeCommunities: [],
        from: typeof p['neighbor-ip'] === 'string' ? p['neighbor-ip'] : undefined,
        best: p['best'] === true,
      };
      for (const av of arr(p['attrs'])) {
        const a = obj(av);
        switch (a['type']) {
          case 1:
            r.origin = origins[Number(a['value'])];
            break;
          case 2:
            r.asPath = arr(a['as_paths']).flatMap((s) => arr(obj(s)['asns']).map(Number));
            break;
          case 3:
          case 14:
            r.nextHops = [String(a['nexthop'])];
            break;
          case 4:
            r.med = Number(a['metric']);
            break;
          case 5:
            r.localPref = Number(a['value']);
            break;
          case 8:
            r.communities = arr(a['communities']).map((c) => `${Math.floor(Number(c) / 65536)}:${Number(c) % 65536}`);
            break;
          case 32:
            r.largeCommunities = arr(a['value']).map((c) => {
              const o = obj(c);
              return `${Number(o['ASN'])}:${Number(o['LocalData1'])}:${Number(o['LocalData2'])}`;
            });
            break;
          default:
            break;
        }
      }
      out.push(r);
    }
  }
  return out;
}
