// Parsers for birdc output (BIRD 2.0): `show protocols`, `show protocols all <name>` (the
// neighbour's capabilities) and `show route all`.
import { capabilitySet, kebab, type RibRoute, type RouterSession, type SessionStateName } from './types.js';

const bgpStates: Record<string, SessionStateName> = {
  idle: 'idle',
  connect: 'connect',
  active: 'active',
  opensent: 'opensent',
  openconfirm: 'openconfirm',
  established: 'established',
};

/** BGP protocols only: name and the BGP state from the Info column. */
export function parseBirdProtocols(out: string): RouterSession[] {
  const res: RouterSession[] = [];
  for (const line of out.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 5 || f[1] !== 'BGP') continue;
    const info = f.slice(5).find((w) => bgpStates[w.toLowerCase()] !== undefined) ?? f.slice(5).join(' ');
    res.push({ peer: f[0]!, state: bgpStates[info.toLowerCase()] ?? 'other', raw: info || f[3]! });
  }
  return res;
}

interface Draft {
  prefix: string;
  from: string | undefined;
  best: boolean;
  via: string[];
  bgp: boolean;
  nextHop: string[];
  asPath: number[];
  origin: RibRoute['origin'];
  localPref: number | undefined;
  med: number | undefined;
  communities: string[];
  large: string[];
}

const origins: Record<string, RibRoute['origin']> = { IGP: 'igp', EGP: 'egp', Incomplete: 'incomplete' };

/** One RibRoute per BGP path in `show route all` output. */
export function parseBirdRoutes(out: string): RibRoute[] {
  const res: RibRoute[] = [];
  let prefix = '';
  let cur: Draft | undefined;
  const flush = (): void => {
    if (cur?.bgp) {
      res.push({
        prefix: cur.prefix,
        nextHops: cur.nextHop.length ? cur.nextHop : cur.via,
        asPath: cur.asPath,
        origin: cur.origin,
        localPref: cur.localPref,
        med: cur.med,
        communities: cur.communities,
        largeCommunities: cur.large,
        from: cur.from,
        best: cur.best,
      });
    }
    cur = undefined;
  };
  for (const line of out.split('\n')) {
    const head = /^(\S+)?\s+(unicast|unreachable|blackhole|prohibit)\s+\[(\S+)[^\]]*\]\s*(\*)?/.exec(line);
    if (head && !line.startsWith('\t')) {
      flush();
      if (head[1]) prefix = head[1];
      cur = { prefix, from: head[3], best: head[4] === '*', via: [], bgp: false, nextHop: [], asPath: [], origin: undefined, localPref: undefined, med: undefined, communities: [], large: [] };
      continue;
    }
    if (!cur) continue;
    const t = line.trim();
    let m: RegExpExecArray | null;
    if ((m = /^via (\S+)/.exec(t))) cur.via.push(m[1]!);
    else if (t.startsWith('Type: BGP')) cur.bgp = true;
    else if ((m = /^BGP\.origin: (\S+)/.exec(t))) cur.origin = origins[m[1]!];
    else if ((m = /^BGP\.as_path:(.*)$/.exec(t))) cur.asPath = m[1]!.trim().split(/\s+/).filter(Boolean).map(Number);
    else if ((m = /^BGP\.next_hop: (.*)$/.exec(t))) cur.nextHop = m[1]!.trim().split(/\s+/);
    else if ((m = /^BGP\.local_pref: (\d+)/.exec(t))) cur.localPref = Number(m[1]);
    else if ((m = /^BGP\.med: (\d+)/.exec(t))) cur.med = Number(m[1]);
    else if ((m = /^BGP\.community: (.*)$/.exec(t))) cur.communities = [...m[1]!.matchAll(/\((\d+),\s*(\d+)\)/g)].map((x) => `${x[1]}:${x[2]}`);
    else if ((m = /^BGP\.large_community: (.*)$/.exec(t))) cur.large = [...m[1]!.matchAll(/\((\d+),\s*(\d+),\s*(\d+)\)/g)].map((x) => `${x[1]}:${x[2]}:${x[3]}`);
  }
  flush();
  return res;
}

const birdCapabilities: Record<string, string> = {
  '4-octet AS numbers': '4-octet-as',
  'Enhanced refresh': 'enhanced-route-refresh',
  'Extended next hop': 'extended-nexthop',
  Hostname: 'fqdn',
};

const birdFamilies: Record<string, string> = { ipv4: 'ipv4-unicast', ipv6: 'ipv6-unicast', 'ipv4-mc': 'ipv4-multicast', 'ipv6-mc': 'ipv6-multicast' };

/**
 * The "Neighbor capabilities" block of `show protocols all <name>` (BIRD 2.0: one capability
 * per line, details indented below it; "Multiprotocol" lists its families on "AF announced:").
 * BIRD prints no block before the neighbour's OPEN has arrived: then [].
 */
export function parseBirdNeighborCapabilities(out: string): string[] {
  const lines = out.split('\n');
  const indent = (l: string): number => l.length - l.trimStart().length;
  const start = lines.findIndex((l) => l.trim() === 'Neighbor capabilities');
  if (start < 0) return [];
  const caps: string[] = [];
  let capIndent: number | undefined;
  let cap = '';
  for (const line of lines.slice(start + 1)) {
    if (!line.trim() || indent(line) <= indent(lines[start]!)) break;
    capIndent ??= indent(line);
    const t = line.trim();
    if (indent(line) === capIndent) {
      cap = t.replace(/:.*$/, '');
      if (cap !== 'Multiprotocol') caps.push(birdCapabilities[cap] ?? kebab(cap));
    } else if (cap === 'Multiprotocol' && t.startsWith('AF announced:')) {
      for (const af of t.slice('AF announced:'.length).trim().split(/\s+/).filter(Boolean)) caps.push(`mp-${birdFamilies[af] ?? kebab(af)}`);
    }
  }
  return capabilitySet(caps);
}

/** Route updates and withdraws a BGP protocol's channels received (`show protocols all`). */
export interface BirdImportStats {
  readonly updates: number;
  readonly withdraws: number;
}

/**
 * Per BGP protocol, the "received" column of its channels' "Import updates" and "Import
 * withdraws" lines, summed over the channels (ipv4, ipv6). Protocols of other kinds (device,
 * kernel, bfd) are left out: they are not what a peer sent.
 */
export function parseBirdImportStats(out: string): Map<string, BirdImportStats> {
  const res = new Map<string, BirdImportStats>();
  let cur: string | undefined;
  for (const line of out.split('\n')) {
    const head = /^(\S+)\s+(\S+)\s/.exec(line);
    if (head) {
      cur = head[2] === 'BGP' ? head[1] : undefined;
      if (cur !== undefined && !res.has(cur)) res.set(cur, { updates: 0, withdraws: 0 });
      continue;
    }
    if (cur === undefined) continue;
    const m = /^\s+Import (updates|withdraws):\s+(\d+)/.exec(line);
    if (!m) continue;
    const s = res.get(cur)!;
    const n = Number(m[2]);
    res.set(cur, m[1] === 'updates' ? { ...s, updates: s.updates + n } : { ...s, withdraws: s.withdraws + n });
  }
  return res;
}
