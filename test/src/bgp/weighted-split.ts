// Weighted ECMP in the lab (the lab test and the bench share it): a router (FRR, or BIRD with
// the docs filter) and two nodes each running a speaker and a TCP server on the Service IP. Each
// node advertises the routes its speaker would for one externalTrafficPolicy Local Service with
// given local endpoint counts (through the real config parser and the speaker's own
// desiredAnnouncements, so the weight comes from the code under test, not from the test); then
// the router's view of the communities, its kernel weights, and a client's connection split.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IP, parseConfig, type Config } from '@herald/shared';
import { BirdRouter, FrrRouter, nsRun, nsSpawn, poll, stopProcess, type RouterSpec, type Topology } from '@herald/lab';
import { desiredAnnouncements, perPeerRoutes, type ServiceState } from '@herald/speaker';
import { createBgpSite } from './lab-site.js';
import type { ChildRoute } from './speaker-child.js';
import { SpeakerProcess } from './speaker-process.js';

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

export const SERVICE_IP = '203.0.113.100';
export const SERVICE_PREFIX = `${SERVICE_IP}/32`;
const PORT = 8080;
export const WEIGHTED_NODES = [
  { node: 'node1', address: '192.0.2.11' },
  { node: 'node2', address: '192.0.2.12' },
] as const;
const base = { pool: '203.0.113.0/24', myASN: 64512, peerASN: 64500, peerAddress: '192.0.2.1' };
export const weightedOn = weightedConfig({ ...base, weighted: true });
export const weightedOff = weightedConfig({ ...base, weighted: false });

function floatBits(x: number): number {
  const b = Buffer.alloc(4);
  b.writeFloatBE(x);
  return b.readUInt32BE(0);
}

/** What each router shows for a path whose speaker sent this weight (undefined: no community). */
export const expectedCommunity = {
  frr: (n: number | undefined): RegExp => (n === undefined ? /^-$/ : new RegExp(`^LB:64512:${n * 125000} \\(${n}\\.000 Mbps\\)$`)),
  // BIRD prints a community it has no name for as (unknown TYPE, AS, value as a u32).
  bird: (n: number | undefined): RegExp => (n === undefined ? /^-$/ : new RegExp(`^\\(unknown 0x4004, 64512, ${floatBits(n * 125000)}\\)$`)),
};

export class WeightedSite {
  private constructor(
    readonly kind: 'frr' | 'bird',
    readonly topo: Topology,
    readonly router: FrrRouter | BirdRouter,
    private readonly servers: ChildProcess[],
    private readonly speakers: SpeakerProcess[],
  ) {}

  /** Builds the site (namespaces named from tag) and waits until both sessions are up. */
  static async start(kind: 'frr' | 'bird', tag: string): Promise<WeightedSite> {
    const topo = await createBgpSite(tag);
    const servers: ChildProcess[] = [];
    const speakers: SpeakerProcess[] = [];
    let router: FrrRouter | BirdRouter | undefined;
    try {
      for (const n of WEIGHTED_NODES) {
        await nsRun(topo.ns(n.node), ['ip', 'addr', 'add', `${SERVICE_IP}/32`, 'dev', 'lo']);
        await nsRun(topo.ns(n.node), ['ip', 'route', 'add', 'default', 'via', '192.0.2.1']);
        servers.push(nsSpawn(topo.ns(n.node), [process.execPath, '-e', nameServer(n.node, SERVICE_IP, PORT)]));
      }
      const spec: RouterSpec = { ns: topo.ns('router'), routerId: '192.0.2.1', asn: 64500, kernel: true, peers: WEIGHTED_NODES.map((n) => ({ name: n.node, address: n.address, asn: 64512 })) };
      router = kind === 'frr' ? new FrrRouter(spec) : new BirdRouter({ ...spec, birdFilters: docsBirdFilter() });
      await router.start();
      for (const n of WEIGHTED_NODES) {
        speakers.push(
          SpeakerProcess.start(topo.ns(n.node), {
            routes: [],
            peers: [{ name: 'r', myASN: 64512, peerASN: 64500, peerAddress: '192.0.2.1', sourceAddress: n.address, holdTime: 3, keepaliveTime: 1 }],
          }),
        );
      }
      await Promise.all(speakers.map((s) => s.waitState('r', 'established', 30_000)));
      return new WeightedSite(kind, topo, router, servers, speakers);
    } catch (err) {
      await teardown(speakers, router, servers, topo);
      throw err;
    }
  }

  /** Each node advertises what its own speaker code says for these counts under this config; returns the weights sent. */
  advertise(cfg: Config, counts: Readonly<Record<string, number>>): (number | undefined)[] {
    return WEIGHTED_NODES.map((n, i) => {
      const routes = routesFor(cfg, SERVICE_IP, counts, n.node);
      this.speakers[i]!.advertise(routes);
      return routes[0]?.weight;
    });
  }

  /** Waits (up to 20 s) until both next hops are in the kernel route and pred holds of their weights. */
  waitWeights(pred: (w: Map<string, number>) => boolean, what: string): Promise<Map<string, number>> {
    return poll(`kernel weights: ${what}`, async () => {
      const w = await kernelWeights(this.topo.ns('router'), SERVICE_PREFIX);
      return w.size === WEIGHTED_NODES.length && pred(w) ? w : undefined;
    }, { tries: 200, intervalMs: 100 });
  }

  /** The router's text for each path's community, by next hop ('-': none). */
  async communities(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    if (this.router instanceof FrrRouter) {
      const j = JSON.parse(await this.router.vtysh(`show bgp ipv4 unicast ${SERVICE_PREFIX} json`)) as { paths?: { nexthops?: { ip: string }[]; extendedCommunity?: { string: string } }[] };
      for (const p of j.paths ?? []) out[p.nexthops?.[0]?.ip ?? '?'] = p.extendedCommunity?.string ?? '-';
    } else {
      let hop = '?';
      for (const line of (await this.router.birdc(`show route ${SERVICE_PREFIX} all`)).split('\n')) {
        const via = /via (\S+)/.exec(line);
        if (via) hop = via[1]!;
        const ec = /BGP\.ext_community: (.*)$/.exec(line);
        if (ec) out[hop] = ec[1]!.trim();
      }
    }
    for (const n of WEIGHTED_NODES) out[n.address] ??= '-';
    return out;
  }

  /** Connections per answering node, `count` from the client. */
  split(count: number): Promise<Record<string, number>> {
    return measureSplit(this.topo.ns('client'), SERVICE_IP, PORT, count);
  }

  stop(): Promise<void> {
    return teardown(this.speakers, this.router, this.servers, this.topo);
  }
}

async function teardown(speakers: readonly SpeakerProcess[], router: FrrRouter | BirdRouter | undefined, servers: readonly ChildProcess[], topo: Topology): Promise<void> {
  for (const s of speakers) await s.stop();
  await router?.stop();
  for (const s of servers) await stopProcess(s);
  await topo.destroy();
}
