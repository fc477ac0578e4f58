// BIRD 2 as the router: config from a RouterSpec, `bird -f` in the namespace, `birdc` to read.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nsRun } from '../netns/exec.js';
import { birdBfdConfig, parseBirdBfdSessions, type RouterBfdSession } from './bfd.js';
import { parseBirdImportStats, parseBirdNeighborCapabilities, parseBirdProtocols, parseBirdRoutes, type BirdImportStats } from './bird-parse.js';
import { poll } from './poll.js';
import { Daemon, SingleDaemonRouter, makeWorkDir } from './process.js';
import { peerFamilies, peerNamed, type RibRoute, type RouterDriver, type RouterSession, type RouterSpec } from './types.js';

export function birdConfig(spec: RouterSpec): string {
  const hold = spec.holdTime ?? 3;
  const ka = spec.keepaliveTime ?? 1;
  const lines = [
    `router id ${spec.routerId};`,
    'protocol device { scan time 10; }',
    // Interface routes in master4/6, so iBGP and multihop next hops resolve (gateway recursive).
    'protocol direct { ipv4; ipv6; }',
  ];
  if (spec.kernel) {
    lines.push(
      'protocol kernel kernel4 { ipv4 { import none; export where source = RTS_BGP; }; merge paths on; }',
      'protocol kernel kernel6 { ipv6 { import none; export where source = RTS_BGP; }; merge paths on; }',
    );
  }
  const orig = spec.originate ?? [];
  for (const fam of [4, 6] as const) {
    const ps = orig.filter((o) => o.includes(':') === (fam === 6));
    if (ps.length) lines.push(`protocol static static${fam} { ipv${fam}; ${ps.map((x) => `route ${x} blackhole;`).join(' ')} }`);
  }
  if (spec.birdFilters) lines.push(spec.birdFilters);
  const imp = spec.birdFilters?.includes('filter herald_import') ? 'import filter herald_import' : 'import all';
  const exp = orig.length
    ? `export filter { if source = RTS_STATIC then { bgp_community.add((${spec.asn}, 1)); bgp_large_community.add((${spec.asn}, 1, 2)); accept; } reject; }`
    : 'export none';
  for (const p of spec.peers) {
    lines.push(
      `protocol bgp ${p.name} {`,
      `  local ${p.localAddress ?? ''} as ${spec.asn};`,
      `  neighbor ${p.address}${p.neighborPort ? ` port ${p.neighborPort}` : ''} as ${p.asn};`,
      ...(p.passive ? ['  passive on;'] : []),
      `  hold time ${hold}; keepalive time ${ka}; connect retry time 1;`,
      '  error wait time 1, 5; connect delay time 1;',
      ...(p.password ? [`  password "${p.password}";`] : []),
      ...(p.multihop ? ['  multihop;'] : []),
      ...(p.ttlSecurity ? ['  ttl security on;'] : []),
      ...(p.bfd ? ['  bfd on;'] : []),
      ...peerFamilies(p).map((f) => `  ipv${f} { ${imp}; ${exp}; };`),
      '}',
    );
  }
  lines.push(...birdBfdConfig(spec));
  return lines.join('\n') + '\n';
}

export class BirdRouter extends SingleDaemonRouter implements RouterDriver {
  readonly kind = 'bird';

  constructor(readonly spec: RouterSpec) {
    super();
  }

  private get ctl(): string {
    return join(this.dir ?? '/nonexistent', 'bird.ctl');
  }

  async start(): Promise<void> {
    this.dir = await makeWorkDir('bird');
    const conf = join(this.dir, 'bird.conf');
    await writeFile(conf, birdConfig(this.spec));
    this.daemon = new Daemon(this.spec.ns, ['bird', '-f', '-c', conf, '-s', this.ctl, '-P', join(this.dir, 'bird.pid')]);
    await poll('bird control socket', async () => {
      if (this.daemon?.exited) throw new Error(`bird exited: ${this.daemon.output}`);
      return (await this.birdc('show status')).includes('Daemon is up') ? true : undefined;
    }, { tries: 50 });
  }

  birdc(cmd: string): Promise<string> {
    return nsRun(this.spec.ns, ['birdc', '-s', this.ctl, ...cmd.split(' ')], { timeoutMs: 10_000 });
  }

  async sessions(): Promise<RouterSession[]> {
    return parseBirdProtocols(await this.birdc('show protocols'));
  }

  async routes(family: 4 | 6): Promise<RibRoute[]> {
    return parseBirdRoutes(await this.birdc(`show route all table master${family}`));
  }

  async bfdSessions(): Promise<RouterBfdSession[]> {
    return parseBirdBfdSessions(await this.birdc('show bfd sessions'));
  }

  /** The bird process (tests freeze it to make the router's side go silent). */
  get pid(): number | undefined {
    return this.daemon?.child.pid;
  }

  /** Route updates and withdraws received, per BGP protocol, since it started. */
  async importStats(): Promise<Map<string, BirdImportStats>> {
    return parseBirdImportStats(await this.birdc('show protocols all'));
  }

  async neighborCapabilities(peerName: string): Promise<string[]> {
    return parseBirdNeighborCapabilities(await this.birdc(`show protocols all ${peerNamed(this.spec, peerName).name}`));
  }

}
