// A virtual L2 segment of network namespaces: one bridge namespace holding br0, and hosts each
// with an `eth0` veth whose peer is on br0. Fixed MACs so tests can assert who answered.
// Only documentation ranges are used, and nothing is linked to the host's own network.
import { nsRun, run } from './exec.js';

export interface HostSpec {
  /** Short role name: "router", "node1", "client". */
  readonly name: string;
  /** Addresses with prefix length, e.g. ["192.0.2.11/24", "2001:db8::11/64"]. */
  readonly addresses: readonly string[];
  /** Last MAC byte: the MAC is 02:00:00:00:00:NN. */
  readonly macByte: number;
  /** Enables forwarding and ECMP hashing on ports (routers). */
  readonly router?: boolean;
  /** Sets arp_ignore/arp_announce so the kernel never answers ARP for addresses on lo. */
  readonly quietArp?: boolean;
  /** false: no eth0 on the bridge (a host reached only through addLink). Default true. */
  readonly bridged?: boolean;
  /** Extra sysctls, "key=value". */
  readonly sysctls?: readonly string[];
}

export interface Host {
  readonly name: string;
  /** The network namespace name (unique per run). */
  readonly ns: string;
  readonly mac: string;
  readonly addresses: readonly string[];
}

export function macFor(byte: number): string {
  return `02:00:00:00:00:${byte.toString(16).padStart(2, '0')}`;
}

const commonSysctls = [
  'net.ipv6.conf.all.accept_dad=0',
  'net.ipv6.conf.default.accept_dad=0',
  'net.ipv6.conf.all.keep_addr_on_down=1',
  'net.ipv6.conf.default.keep_addr_on_down=1',
];

const routerSysctls = [
  'net.ipv4.ip_forward=1',
  'net.ipv6.conf.all.forwarding=1',
  'net.ipv4.conf.all.send_redirects=0',
  'net.ipv4.fib_multipath_hash_policy=1',
  'net.ipv6.fib_multipath_hash_policy=1',
];

const quietArpSysctls = ['net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2'];

export class Topology {
  readonly hosts = new Map<string, Host>();
  readonly bridgeNs: string;
  private links = 0;

  private constructor(readonly prefix: string) {
    this.bridgeNs = `${prefix}-br`;
  }

  /**
   * Creates the bridge and the hosts. `prefix` must be unique per run (include the pid); names
   * are kept short because interface names are limited to 15 characters.
   */
  static async create(prefix: string, hosts: readonly HostSpec[]): Promise<Topology> {
    const t = new Topology(prefix);
    try {
      await run(['ip', 'netns', 'add', t.bridgeNs]);
      await nsRun(t.bridgeNs, ['ip', 'link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'mcast_snooping', '0']);
      await nsRun(t.bridgeNs, ['ip', 'link', 'set', 'br0', 'up']);
      await nsRun(t.bridgeNs, ['ip', 'link', 'set', 'lo', 'up']);
      let i = 0;
      for (const spec of hosts) await t.addHost(spec, i++);
    } catch (err) {
      await t.destroy();
      throw err;
    }
    return t;
  }

  private async addHost(spec: HostSpec, index: number): Promise<void> {
    const ns = `${this.prefix}-${spec.name}`;
    const host: Host = { name: spec.name, ns, mac: macFor(spec.macByte), addresses: spec.addresses };
    this.hosts.set(spec.name, host);
    await run(['ip', 'netns', 'add', ns]);
    for (const s of [...commonSysctls, ...(spec.router ? routerSysctls : []), ...(spec.quietArp ? quietArpSysctls : []), ...(spec.sysctls ?? [])]) {
      await nsRun(ns, ['sysctl', '-qw', s]);
    }
    await nsRun(ns, ['ip', 'link', 'set', 'lo', 'up']);
    if (spec.bridged === false) return;
    const peer = `v${process.pid % 100000}h${index}`;
    await nsRun(ns, ['ip', 'link', 'add', 'eth0', 'address', host.mac, 'type', 'veth', 'peer', 'name', peer]);
    await nsRun(ns, ['ip', 'link', 'set', peer, 'netns', this.bridgeNs]);
    await nsRun(this.bridgeNs, ['ip', 'link', 'set', peer, 'master', 'br0', 'up']);
    await nsRun(ns, ['ip', 'link', 'set', 'eth0', 'up']);
    for (const a of spec.addresses) {
      await nsRun(ns, ['ip', 'addr', 'add', a, 'dev', 'eth0', ...(a.includes(':') ? ['nodad'] : [])]);
    }
  }

  /**
   * A point-to-point veth between two existing hosts (a second segment, e.g. router to client).
   * `ifA`/`ifB` name the interfaces inside each host.
   */
  async addLink(a: string, ifA: string, addrsA: readonly string[], b: string, ifB: string, addrsB: readonly string[]): Promise<void> {
    const nsA = this.ns(a);
    const nsB = this.ns(b);
    const tmp = `p${process.pid % 100000}x${this.links++}`;
    await nsRun(nsA, ['ip', 'link', 'add', ifA, 'type', 'veth', 'peer', 'name', tmp]);
    await nsRun(nsA, ['ip', 'link', 'set', tmp, 'netns', nsB]);
    await nsRun(nsB, ['ip', 'link', 'set', tmp, 'name', ifB]);
    for (const [ns, ifn, addrs] of [[nsA, ifA, addrsA], [nsB, ifB, addrsB]] as const) {
      await nsRun(ns, ['ip', 'link', 'set', ifn, 'up']);
      for (const x of addrs) await nsRun(ns, ['ip', 'addr', 'add', x, 'dev', ifn, ...(x.includes(':') ? ['nodad'] : [])]);
    }
  }

  host(name: string): Host {
    const h = this.hosts.get(name);
    if (!h) throw new Error(`no host ${name} in topology ${this.prefix}`);
    return h;
  }

  ns(name: string): string {
    return this.host(name).ns;
  }

  /** Cuts (or restores) a host's link at the bridge side, as pulling a cable would. */
  async setLink(name: string, up: boolean): Promise<void> {
    await nsRun(this.ns(name), ['ip', 'link', 'set', 'eth0', up ? 'up' : 'down']);
  }

  /** Deletes every namespace this topology made. Safe to call twice. */
  async destroy(): Promise<void> {
    const all = [...[...this.hosts.values()].map((h) => h.ns), this.bridgeNs];
    for (const ns of all) {
      await run(['ip', 'netns', 'pids', ns]).then(
        async (pids) => {
          for (const pid of pids.split(/\s+/).filter(Boolean)) await run(['kill', '-9', pid]).catch(() => undefined);
        },
        () => undefined,
      );
      await run(['ip', 'netns', 'del', ns]).catch(() => undefined);
    }
  }
}

/** Deletes leftover namespaces whose names start with prefix (a run killed halfway). */
export async function deleteNamespacesWithPrefix(prefix: string): Promise<string[]> {
  const out = await run(['ip', 'netns', 'list']);
  const names = out
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter((n) => n.startsWith(prefix));
  for (const ns of names) await run(['ip', 'netns', 'del', ns]).catch(() => undefined);
  return names;
}

/** A unique prefix for one test run: short, so interface and namespace names stay legal. */
export function uniquePrefix(tag: string): string {
  return `hr${tag}${process.pid}`;
}
