// GoBGP as the router (a route sink; it does not program the kernel): gobgpd from a TOML config
// with a per-run API port, read back through `gobgp ... -j`.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nsRun } from '../netns/exec.js';
import { parseGobgpNeighborCapabilities, parseGobgpNeighbors, parseGobgpRib } from './gobgp-parse.js';
import { poll } from './poll.js';
import { Daemon, SingleDaemonRouter, makeWorkDir } from './process.js';
import { peerFamilies, peerNamed, type RibRoute, type RouterDriver, type RouterSession, type RouterSpec } from './types.js';

export function gobgpConfig(spec: RouterSpec): string {
  const hold = spec.holdTime ?? 3;
  const ka = spec.keepaliveTime ?? 1;
  const l = ['[global.config]', `  as = ${spec.asn}`, `  router-id = "${spec.routerId}"`, '  port = 179', ''];
  for (const p of spec.peers) {
    l.push('[[neighbors]]', '  [neighbors.config]', `    neighbor-address = "${p.address}"`, `    peer-as = ${p.asn}`);
    if (p.password) l.push(`    auth-password = "${p.password}"`);
    l.push('  [neighbors.timers.config]', `    hold-time = ${hold}`, `    keepalive-interval = ${ka}`, '    connect-retry = 1');
    if (p.multihop) l.push('  [neighbors.ebgp-multihop.config]', '    enabled = true', '    multihop-ttl = 255');
    if (p.ttlSecurity) l.push('  [neighbors.ttl-security.config]', '    enabled = true', '    ttl-min = 255');
    if (p.localAddress) l.push('  [neighbors.transport.config]', `    local-address = "${p.localAddress}"`);
    for (const f of peerFamilies(p)) l.push('  [[neighbors.afi-safis]]', '    [neighbors.afi-safis.config]', `      afi-safi-name = "ipv${f}-unicast"`);
    l.push('');
  }
  return l.join('\n') + '\n';
}

let nextPort = 50051 + (process.pid % 1000) * 7;

export class GobgpRouter extends SingleDaemonRouter implements RouterDriver {
  readonly kind = 'gobgp';
  readonly apiPort = nextPort++;

  constructor(readonly spec: RouterSpec) {
    super();
  }

  async start(): Promise<void> {
    this.dir = await makeWorkDir('gobgp');
    const conf = join(this.dir, 'gobgpd.toml');
    await writeFile(conf, gobgpConfig(this.spec));
    this.daemon = new Daemon(this.spec.ns, ['gobgpd', '-f', conf, '-t', 'toml', '-p', '--api-hosts', `127.0.0.1:${this.apiPort}`, '--pprof-disable']);
    await poll('gobgpd API', async () => {
      if (this.daemon?.exited) throw new Error(`gobgpd exited: ${this.daemon.output}`);
      const n = parseGobgpNeighbors(await this.gobgp('neighbor -j'));
      return n.length === this.spec.peers.length ? true : undefined;
    }, { tries: 50 });
    for (const o of this.spec.originate ?? []) {
      await this.gobgp(`global rib add ${o} origin igp community ${this.spec.asn}:1 large-community ${this.spec.asn}:1:2 -a ipv${o.includes(':') ? 6 : 4}`);
    }
  }

  gobgp(args: string): Promise<string> {
    return nsRun(this.spec.ns, ['gobgp', '-p', String(this.apiPort), ...args.split(' ')], { timeoutMs: 10_000 });
  }

  async sessions(): Promise<RouterSession[]> {
    const byAddr = new Map(this.spec.peers.map((p) => [p.address, p.name]));
    return parseGobgpNeighbors(await this.gobgp('neighbor -j')).map((s) => ({ ...s, peer: byAddr.get(s.peer) ?? s.peer }));
  }

  async routes(family: 4 | 6): Promise<RibRoute[]> {
    return parseGobgpRib(await this.gobgp(`global rib -a ipv${family} -j`));
  }

  async neighborCapabilities(peerName: string): Promise<string[]> {
    return parseGobgpNeighborCapabilities(await this.gobgp(`neighbor ${peerNamed(this.spec, peerName).address} -j`));
  }

}
