// BFD on the lab's routers: FRR bfdd and BIRD `protocol bfd`, from a RouterSpec's `bfd` part,
// and their own CLIs (`show bfd peers json`, `birdc show bfd sessions`) parsed into typed rows.
import type { RouterSpec } from './types.js';

export type RouterBfdState = 'up' | 'down' | 'init' | 'admin-down' | 'other';

export interface RouterBfdSession {
  readonly peer: string;
  readonly multihop: boolean;
  readonly state: RouterBfdState;
  /** The router's own text for the state. */
  readonly raw: string;
}

function stateOf(raw: string): RouterBfdState {
  const s = raw.toLowerCase();
  if (s === 'up' || s === 'down' || s === 'init') return s;
  if (s === 'admindown' || s === 'shutdown' || s === 'admin-down') return 'admin-down';
  return 'other';
}

/** bfdd.conf: one `peer` per spec.bfd peer, with the spec's timers. */
export function frrBfddConfig(spec: RouterSpec): string {
  const b = spec.bfd;
  const l = ['hostname herald-router', 'log stdout informational', 'bfd'];
  for (const p of b?.peers ?? []) {
    const where = [p.multihop ? 'multihop' : '', p.localAddress ? `local-address ${p.localAddress}` : '', !p.multihop && p.interface ? `interface ${p.interface}` : ''].filter(Boolean).join(' ');
    l.push(` peer ${p.address}${where ? ' ' + where : ''}`);
    l.push(`  receive-interval ${b!.intervalMs}`, `  transmit-interval ${b!.intervalMs}`, `  detect-multiplier ${b!.multiplier}`);
    if (p.multihop && p.minimumTtl !== undefined) l.push(`  minimum-ttl ${p.minimumTtl}`);
    if (p.passive) l.push('  passive-mode');
    l.push(' exit');
  }
  l.push('exit');
  return l.join('\n') + '\n';
}

/** `protocol bfd` for BIRD: the spec's timers for direct and multihop sessions, and its neighbors. */
export function birdBfdConfig(spec: RouterSpec): string[] {
  const b = spec.bfd;
  if (!b) return [];
  const t = `min rx interval ${b.intervalMs} ms; min tx interval ${b.intervalMs} ms; idle tx interval 1000 ms; multiplier ${b.multiplier};`;
  const l = ['protocol bfd bfd1 {', `  interface "*" { ${t} };`, `  multihop { ${t} };`];
  for (const p of b.peers) {
    const dev = !p.multihop && p.interface ? ` dev "${p.interface}"` : '';
    l.push(`  neighbor ${p.address}${dev}${p.localAddress ? ` local ${p.localAddress}` : ''}${p.multihop ? ' multihop' : ''};`);
  }
  l.push('}');
  return l;
}

interface FrrBfdPeerJson {
  peer?: string;
  multihop?: boolean;
  status?: string;
}

export function parseFrrBfdPeers(json: string): RouterBfdSession[] {
  const v = JSON.parse(json) as unknown;
  if (!Array.isArray(v)) throw new Error(`show bfd peers json: not an array: ${json.slice(0, 200)}`);
  return (v as FrrBfdPeerJson[]).map((p) => ({ peer: String(p.peer), multihop: p.multihop === true, state: stateOf(String(p.status)), raw: String(p.status) }));
}

/**
 * `birdc show bfd sessions`:
 *   bfd1:
 *   IP address                Interface  State      Since         Interval  Timeout
 *   192.0.2.11                eth0       Up         18:10:03.098    0.300    0.900
 * A multihop session shows `---` as its interface.
 */
export function parseBirdBfdSessions(text: string): RouterBfdSession[] {
  const out: RouterBfdSession[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*([0-9a-fA-F.:]+)\s+(\S+)\s+(Up|Down|Init|AdminDown)\s/.exec(line);
    if (m && m[1]!.match(/[.:]/)) out.push({ peer: m[1]!, multihop: m[2] === '---', state: stateOf(m[3]!), raw: m[3]! });
  }
  return out;
}
