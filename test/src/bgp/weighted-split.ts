// Weighted ECMP in the lab: the routes each node's speaker would advertise for one
// externalTrafficPolicy Local Service with given local endpoint counts (through the real config
// parser and the speaker's own desiredAnnouncements, so the weight comes from the code under
// test, not from the test), the router's kernel weights, and a client's connection split.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IP, parseConfig, type Config } from '@herald/shared';
import { nsRun } from '@herald/lab';
import { desiredAnnouncements, perPeerRoutes, type ServiceState } from '@herald/speaker';
import type { ChildRoute } from './speaker-child.js';

const ns = 'herald-system';
const obj = (kind: string, name: string, spec: Record<string, unknown>): Record<string, unknown> => ({
  apiVersion: 'herald.dev/v1beta1',
  kind,
  metadata: { name, namespace: ns },
  spec,
});

/** A config with one pool, one BGPPeer "r" and one BGPAdvertisement, weighted or not. */
export function weightedConfig(o: { pool: string; myASN: number; peerASN: number; peerAddress: string; weighted: boolean }): Config {
  const r = parseConfig({
    namespace: ns,
    ipAddressPools: [obj('IPAddressPool', 'lab', { addresses: [o.pool] })],
    l2Advertisements: [],
    bgpAdvertisements: [obj('BGPAdvertisement', 'lab', { ipAddressPools: ['lab'], weightByLocalEndpoints: o.weighted })],
    bgpPeers: [obj('BGPPeer', 'r', { myASN: o.myASN, peerASN: o.peerASN, peerAddress: o.peerAddress })],
    communities: [],
    bfdProfiles: [],
  });
  if (!r.ok) throw new Error(`weighted lab config invalid: ${JSON.stringify(r.errors)}`);
  return r.config;
}

/** The routes `self` advertises to peer "r" for an ETP Local Service on `ip` with these endpoint counts per node. */
export function routesFor(cfg: Config, ip: string, counts: Readonly<Record<string, number>>, self: string): ChildRoute[] {
  const svc: ServiceState = {
    key: 'default/web',
    info: { namespace: 'default', name: 'web', labels: {}, externalTrafficPolicy: 'Local', pool: undefined },
    ips: [IP.parse(ip)],
    endpoints: Object.entries(counts).flatMap(([nodeName, n]) => Array.from({ length: n }, () => ({ nodeName, ready: true, serving: true, terminating: false }))),
  };
  const nodes = Object.keys(counts).map((name) => ({ name, labels: {}, ready: true, networkUnavailable: false }));
  const d = desiredAnnouncements({ services: [svc], nodes, config: cfg, live: new Set(nodes.map((n) => n.name)), self });
  return [...(perPeerRoutes(d).get('r')?.values() ?? [])].map((a) => ({ prefix: a.prefix.toString(), ...(a.weight !== undefined ? { weight: a.weight } : {}) }));
}

/** Next hop -> kernel weight of a route in a namespace (`ip -j route`; a single path has weight 1). */
export async function kernelWeights(netns: string, prefix: string): Promise<Map<string, number>> {
  const rs = JSON.parse(await nsRun(netns, ['ip', '-j', 'route', 'show', prefix])) as { gateway?: string; nexthops?: { gateway: string; weight?: number }[] }[];
  const out = new Map<string, number>();
  for (const r of rs) {
    if (r.nexthops) for (const n of r.nexthops) out.set(n.gateway, n.weight ?? 1);
    else if (r.gateway) out.set(r.gateway, 1);
  }
  return out;
}

/** A node program: a TCP server on ip:port answering its name. */
export const nameServer = (name: string, ip: string, port: number): string =>
  `require('net').createServer((s) => s.end('${name}\\n')).listen(${port}, '${ip}')`;

/**
 * A client program: `count` sequential connections (each a new source port, so the router's L4
 * hash places each anew), printing one JSON object {answerer: connections}. Each connection is
 * bounded by a 3 s timeout.
 */
export const splitClient = (ip: string, port: number, count: number): string =>
  `const net = require('net'); const seen = {}; (async () => { for (let i = 0; i < ${count}; i++) { await new Promise((res, rej) => { const c = net.connect(${port}, '${ip}'); let d = ''; c.setTimeout(3000, () => c.destroy(new Error('timeout'))); c.on('data', (b) => (d += b)); c.on('end', () => { const k = d.trim(); seen[k] = (seen[k] || 0) + 1; res(); }); c.on('error', rej); }); } process.stdout.write(JSON.stringify(seen)); })().catch((e) => { console.error(e); process.exit(1); });`;

/** Connections per answering node, from the client namespace. */
export async function measureSplit(clientNs: string, ip: string, port: number, count: number): Promise<Record<string, number>> {
  const out = await nsRun(clientNs, [process.execPath, '-e', splitClient(ip, port, count)], { timeoutMs: 60_000 });
  return JSON.parse(out) as Record<string, number>;
}

/** The BIRD filter docs/weighted-ecmp.md gives (its one ```bird block), so the lab runs what the docs say. */
export function docsBirdFilter(): string {
  const md = readFileSync(fileURLToPath(new URL('../../../../docs/weighted-ecmp.md', import.meta.url)), 'utf8');
  const blocks = [...md.matchAll(/```bird\n([\s\S]*?)```/g)].map((m) => m[1]!);
  if (blocks.length !== 1) throw new Error(`docs/weighted-ecmp.md: want one \`\`\`bird block, found ${blocks.length}`);
  return blocks[0]!;
}
