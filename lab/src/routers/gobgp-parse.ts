// Parsers for GoBGP 3 CLI JSON: `gobgp neighbor -j`, `gobgp neighbor <address> -j` (the
// neighbour's capabilities) and `gobgp global rib -a ipvN -j`.
import { capabilitySet, kebab, type RibRoute, type RouterSession, type SessionStateName } from './types.js';

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

/** Protobuf fields of a tiny message: varints by field number, length-delimited as bytes. */
function protoFields(b: Uint8Array): Map<number, number | Uint8Array> {
  const out = new Map<number, number | Uint8Array>();
  let i = 0;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; i < b.length && shift < 35; shift += 7) {
      const x = b[i++]!;
      v += (x & 0x7f) * 2 ** shift;
      if (x < 0x80) return v;
    }
    throw new Error('protobuf: truncated varint');
  };
  while (i < b.length) {
    const tag = varint();
    if ((tag & 7) === 0) out.set(tag >>> 3, varint());
    else if ((tag & 7) === 2) {
      const len = varint();
      if (i + len > b.length) throw new Error('protobuf: truncated field');
      out.set(tag >>> 3, b.subarray(i, i + len));
      i += len;
    } else throw new Error(`protobuf: wire type ${tag & 7} not expected here`);
  }
  return out;
}

const afis: Record<number, string> = { 1: 'ipv4', 2: 'ipv6' };
const safis: Record<number, string> = { 1: 'unicast', 2: 'multicast' };

/** apipb.MultiProtocolCapability {family: {afi, safi}} (base64 protobuf) → "mp-ipv6-unicast". */
function gobgpFamily(value: unknown): string {
  const fam = protoFields(Buffer.from(typeof value === 'string' ? value : '', 'base64')).get(1);
  const f = protoFields(fam instanceof Uint8Array ? fam : new Uint8Array());
  const afi = Number(f.get(1) ?? 0);
  const safi = Number(f.get(2) ?? 0);
  return `mp-${afis[afi] ?? `afi${afi}`}-${safis[safi] ?? `safi${safi}`}`;
}

const gobgpCapabilities: Record<string, string> = { FourOctetASN: '4-octet-as' };

/**
 * `gobgp neighbor <address> -j` → state.remote_cap: what the neighbour's OPEN carried, as
 * protobuf Any values ("type.googleapis.com/apipb.GracefulRestartCapability"). No remote_cap
 * (session not yet up) gives [].
 */
export function parseGobgpNeighborCapabilities(json: string): string[] {
  const parsed: unknown = JSON.parse(json);
  const neighbors = Array.isArray(parsed) ? parsed : [parsed];
  const caps: string[] = [];
  for (const n of neighbors) {
    for (const cv of arr(obj(obj(n)['state'])['remote_cap'])) {
      const c = obj(cv);
      const url = c['type_url'];
      const name = (typeof url === 'string' ? url : '').replace(/^.*\./, '').replace(/Capability$/, '');
      if (!name) continue;
      caps.push(name === 'MultiProtocol' ? gobgpFamily(c['value']) : (gobgpCapabilities[name] ?? kebab(name)));
    }
  }
  return capabilitySet(caps);
}
