// FRR as the router: zebra and bgpd run directly in the namespace with a per-run directory for
// their config, pid files, zserv socket and vty sockets (LAB-NOTES); vtysh reads JSON back.
import { chown, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { run } from '../netns/exec.js';
import { frrBfddConfig, parseFrrBfdPeers, type RouterBfdSession } from './bfd.js';
import { parseFrrNeighborCapabilities, parseFrrNeighbors, parseFrrPrefixDetail, parseFrrTablePrefixes } from './frr-parse.js';
import { poll } from './poll.js';
import { Daemon, makeWorkDir, removeWorkDir } from './process.js';
import { peerFamilies, peerNamed, type RibRoute, type RouterDriver, type RouterSession, type RouterSpec } from './types.js';

export function frrBgpdConfig(spec: RouterSpec): string {
  const hold = spec.holdTime ?? 3;
  const ka = spec.keepaliveTime ?? 1;
  const l = ['frr defaults traditional', 'hostname herald-router', 'log stdout informational'];
  // Defined before use: bgpd applies `network ... route-map` as it reads the file.
  if (spec.originate?.length) l.push('route-map HERALD-ORIGINATE permit 10', ` set community ${spec.asn}:1`, ` set large-community ${spec.asn}:1:2`, ...(spec.frrOriginateSet ?? []).map((x) => ` ${x}`), 'exit');
  l.push(`router bgp ${spec.asn}`);
  l.push(` bgp router-id ${spec.routerId}`, ' no bgp ebgp-requires-policy', ' no bgp default ipv4-unicast', ' bgp bestpath as-path multipath-relax', ` timers bgp ${ka} ${hold}`);
  for (const p of spec.peers) {
    l.push(` neighbor ${p.address} remote-as ${p.asn}`, ` neighbor ${p.address} timers connect 1`, ` neighbor ${p.address} advertisement-interval 0`);
    if (p.password) l.push(` neighbor ${p.address} password ${p.password}`);
    if (p.multihop) l.push(` neighbor ${p.address} ebgp-multihop 255`);
    if (p.ttlSecurity) l.push(` neighbor ${p.address} ttl-security hops 1`);
    if (p.localAddress) l.push(` neighbor ${p.address} update-source ${p.localAddress}`);
    if (p.bfd) l.push(` neighbor ${p.address} bfd`);
  }
  if (spec.originate?.length) l.push(' no bgp network import-check');
  for (const fam of [4, 6] as const) {
    l.push(` address-family ipv${fam} unicast`, '  maximum-paths 8', '  maximum-paths ibgp 8');
    for (const o of (spec.originate ?? []).filter((x) => x.includes(':') === (fam === 6))) l.push(`  network ${o} route-map HERALD-ORIGINATE`);
    for (const p of spec.peers.filter((x) => peerFamilies(x).includes(fam))) l.push(`  neighbor ${p.address} activate`);
    l.push(' exit-address-family');
  }
  return l.join('\n') + '\n';
}

function frrIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'frr'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'frr'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

export class FrrRouter implements RouterDriver {
  readonly kind = 'frr';
  private dir: string | undefined;
  private zebra: Daemon | undefined;
  private bgpd: Daemon | undefined;
  private bfdd: Daemon | undefined;

  constructor(readonly spec: RouterSpec) {}

  async start(): Promise<void> {
    const dir = (this.dir = await makeWorkDir('frr'));
    const { uid, gid } = frrIds();
    await writeFile(join(dir, 'zebra.conf'), 'hostname herald-router\n');
    await writeFile(join(dir, 'bgpd.conf'), frrBgpdConfig(this.spec));
    await writeFile(join(dir, 'vtysh.conf'), '');
    await writeFile(join(dir, 'bfdd.conf'), frrBfddConfig(this.spec));
    for (const f of ['', 'zebra.conf', 'bgpd.conf', 'vtysh.conf', 'bfdd.conf']) await chown(join(dir, f), uid, gid);
    const common = ['-z', join(dir, 'zserv.api'), '--vty_socket', dir, '-u', 'frr', '-g', 'frr', '-P', '0'];
    this.zebra = new Daemon(this.spec.ns, ['/usr/lib/frr/zebra', '-f', join(dir, 'zebra.conf'), '-i', join(dir, 'zebra.pid'), ...common]);
    await poll('zebra vty', async () => {
      if (this.zebra?.exited) throw new Error(`zebra exited: ${this.zebra.output}`);
      return (await this.vtysh('show version', 'zebra')).includes('FRR') ? true : undefined;
    }, { tries: 50 });
    if (this.spec.bfd) {
      this.bfdd = new Daemon(this.spec.ns, ['/usr/lib/frr/bfdd', '-f', join(dir, 'bfdd.conf'), '-i', join(dir, 'bfdd.pid'), ...common]);
      await poll('bfdd vty', async () => {
        if (this.bfdd?.exited) throw new Error(`bfdd exited: ${this.bfdd.output}`);
        return (await this.vtysh('show bfd peers json', 'bfdd')).trim().startsWith('[') ? true : undefined;
      }, { tries: 50 });
    }
    const bgpdArgs = ['-f', join(dir, 'bgpd.conf'), '-i', join(dir, 'bgpd.pid'), ...common, ...(this.spec.kernel ? [] : ['-n'])];
    this.bgpd = new Daemon(this.spec.ns, ['/usr/lib/frr/bgpd', ...bgpdArgs]);
    await poll('bgpd vty', async () => {
      if (this.bgpd?.exited) throw new Error(`bgpd exited: ${this.bgpd.output}`);
      return (await this.vtysh('show bgp neighbors json')).trim().startsWith('{') ? true : undefined;
    }, { tries: 50 });
  }

  /** vtysh against this run's sockets (no namespace needed: unix sockets). */
  vtysh(cmd: string, daemon?: string): Promise<string> {
    return run(['vtysh', '--vty_socket', this.dir ?? '/nonexistent', '--config_dir', this.dir ?? '/nonexistent', ...(daemon ? ['-d', daemon] : []), '-c', cmd], { timeoutMs: 10_000 });
  }

  async sessions(): Promise<RouterSession[]> {
    const byAddr = new Map(this.spec.peers.map((p) => [p.address, p.name]));
    return parseFrrNeighbors(await this.vtysh('show bgp neighbors json')).map((s) => ({ ...s, peer: byAddr.get(s.peer) ?? s.peer }));
  }

  async routes(family: 4 | 6): Promise<RibRoute[]> {
    const afi = family === 4 ? 'ipv4' : 'ipv6';
    const prefixes = parseFrrTablePrefixes(await this.vtysh(`show bgp ${afi} unicast json`));
    const out: RibRoute[] = [];
    for (const p of prefixes) out.push(...parseFrrPrefixDetail(p, await this.vtysh(`show bgp ${afi} unicast ${p} json`)));
    return out;
  }

  async neighborCapabilities(peerName: string): Promise<string[]> {
    return parseFrrNeighborCapabilities(await this.vtysh(`show bgp neighbors ${peerNamed(this.spec, peerName).address} json`));
  }

  async bfdSessions(): Promise<RouterBfdSession[]> {
    return parseFrrBfdPeers(await this.vtysh('show bfd peers json', 'bfdd'));
  }

  /** The bfdd process (tests freeze it to make the router's side go silent). */
  get bfddPid(): number | undefined {
    return this.bfdd?.child.pid;
  }

  log(): string {
    return `${this.zebra?.output ?? ''}\n${this.bgpd?.output ?? ''}\n${this.bfdd?.output ?? ''}`;
  }

  async stop(): Promise<void> {
    await this.bgpd?.stop();
    await this.bfdd?.stop();
    this.bfdd = undefined;
    await this.zebra?.stop();
    this.bgpd = this.zebra = undefined;
    await removeWorkDir(this.dir);
    this.dir = undefined;
  }
}
