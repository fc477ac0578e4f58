// The reference for the BGP scale bench, measured in the same run: the lab's BIRD (same config:
// 3 nodes x 4 sessions, IPv4 and IPv6 routes on IPv4 sessions, exported to the kernel with ECMP)
// ingesting the same host routes from GoBGP, one gobgpd per node namespace with the same 4
// sessions each. Every session is brought up with an empty RIB, then each gobgpd is handed the
// routes at once (`gobgp mrt inject`); the clock runs from the inject until BIRD holds every
// path, as Herald's runs from the last create. That is how fast this BIRD takes these routes:
// Herald's ceiling.
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { IP } from '@herald/shared';
import { BirdRouter, Topology, nsRun, nsSpawn, routerBgpAddresses, routerPeers, stopProcess, type SitePlan } from '@herald/lab';
import { ribCount, untilRib, type RibCount } from './bird-rib.js';
import { mrtHostRib } from './mrt-rib.js';

export interface CeilingResult {
  /** Host routes GoBGP held per node after the inject (each must equal the hosts given). */
  readonly loaded: readonly number[];
  readonly want: RibCount;
  /** Routes handed to GoBGP (sessions up) -> BIRD holds every path. */
  readonly ms: number | undefined;
  readonly last: RibCount;
}

/** GoBGP's TOML for one node: 4 admin-down neighbours, IPv4 and IPv6 unicast on each. */
function gobgpNodeConfig(plan: SitePlan, node: SitePlan['nodes'][number]): string {
  const l = ['[global.config]', `  as = ${plan.nodeAsn}`, `  router-id = "${node.ip4}"`, '  port = -1', ''];
  for (const addr of routerBgpAddresses(plan)) {
    l.push('[[neighbors]]', '  [neighbors.config]', `    neighbor-address = "${addr}"`, `    peer-as = ${plan.router.asn}`, '    admin-down = true');
    l.push('  [neighbors.timers.config]', '    hold-time = 9', '    keepalive-interval = 3', '    connect-retry = 1');
    for (const f of ['ipv4-unicast', 'ipv6-unicast']) l.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', `      afi-safi-name = "${f}"`);
    l.push('');
  }
  return l.join('\n') + '\n';
}

const API_PORT = String(50051 + (process.pid % 1000) * 7 + 6);

/**
 * Runs the reference for `hosts` (the same IPs the Herald run announced), in its own namespaces
 * (prefix must be unique per run). Bounded: every wait has a deadline; cleans up in finally.
 */
export async function gobgpCeiling(plan: SitePlan, prefix: string, hosts: readonly IP[], timeoutMs: number): Promise<CeilingResult> {
  const topo = await Topology.create(prefix, [
    { name: 'router', addresses: [...routerBgpAddresses(plan).map((a) => `${a}/24`), `${plan.router.ip6}/64`], macByte: plan.router.macByte, router: true },
    ...plan.nodes.map((n) => ({ name: n.name, addresses: [`${n.ip4}/24`, `${n.ip6}/64`], macByte: n.macByte })),
  ]);
  const bird = new BirdRouter({ ns: topo.ns('router'), routerId: plan.router.ip4, asn: plan.router.asn, peers: routerPeers(plan), holdTime: 9, keepaliveTime: 3, kernel: true });
  const dir = await mkdtemp(join(tmpdir(), 'herald-ceiling-'));
  const daemons: ChildProcess[] = [];
  try {
    await bird.start();
    const cli = (node: string, args: string[]): Promise<string> => nsRun(topo.ns(node), ['gobgp', '-p', API_PORT, ...args], { timeoutMs: 120_000 });
    const sessions = routerBgpAddresses(plan).length;
    const files: string[] = [];
    for (const n of plan.nodes) {
      const conf = join(dir, `${n.name}.toml`);
      await writeFile(conf, gobgpNodeConfig(plan, n));
      daemons.push(nsSpawn(topo.ns(n.name), ['gobgpd', '-f', conf, '-t', 'toml', '-p', '--api-hosts', `127.0.0.1:${API_PORT}`, '--pprof-disable'], { stdio: 'ignore' }));
      const deadline = Date.now() + 20_000;
      while (Date.now() < deadline && !(await cli(n.name, ['neighbor']).catch(() => '')).includes(plan.router.ip4)) await new Promise((r) => setTimeout(r, 200));
      // `gobgp mrt inject` drops the tail of a file (~300 records of 1,000, all of a short one):
      // the routes are repeated after themselves (at least 4,096 more records), and a route
      // loaded twice is one route, so the count read back is exact.
      const tail = Array.from({ length: Math.max(hosts.length, 4096) }, (_, i) => hosts[i % hosts.length]!);
      const mrt = join(dir, `${n.name}.mrt`);
      await writeFile(mrt, mrtHostRib({ peerId: IP.parse(n.ip4), peerAddress: IP.parse(n.ip4), peerAS: plan.nodeAsn, nextHop4: IP.parse(n.ip4), nextHop6: IP.parse(n.ip6), hosts: [...hosts, ...tail] }));
      files.push(mrt);
    }
    // Sessions up first, with empty RIBs: the clock then covers what Herald's covers, routes
    // handed to an established speaker until the router holds them all.
    await Promise.all(plan.nodes.flatMap((n) => routerBgpAddresses(plan).map((a) => cli(n.name, ['neighbor', a, 'enable']))));
    const all = plan.nodes.length * sessions;
    const upBy = Date.now() + 60_000;
    while (Date.now() < upBy && (await bird.sessions()).filter((s) => s.state === 'established').length < all) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1000));
    const base = await ribCount(bird);
    const want = { networks: base.networks + hosts.length, routes: base.routes + hosts.length * all };
    const t0 = Date.now();
    await Promise.all(plan.nodes.map((n, i) => cli(n.name, ['mrt', 'inject', 'global', files[i]!])));
    const res = await untilRib(bird, want, Date.now() + timeoutMs, 50);
    const loaded: number[] = [];
    for (const n of plan.nodes) {
      const c4 = Number(/Destination: (\d+)/.exec(await cli(n.name, ['global', 'rib', 'summary', '-a', 'ipv4']))?.[1] ?? 0);
      const c6 = Number(/Destination: (\d+)/.exec(await cli(n.name, ['global', 'rib', 'summary', '-a', 'ipv6']))?.[1] ?? 0);
      loaded.push(c4 + c6);
    }
    return { loaded, want, ms: res.at === undefined ? undefined : res.at - t0, last: res.last };
  } finally {
    for (const d of daemons) await stopProcess(d, 'SIGTERM', 3000);
    await bird.stop().catch(() => undefined);
    await topo.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
