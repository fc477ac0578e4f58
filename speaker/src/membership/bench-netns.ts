// A minimal network-namespace segment for the membership benchmark: one bridge namespace and N
// hosts with an `eth0` on it. (The speaker package does not depend on @herald/lab, whose
// Topology does the same for the tests.) Documentation addresses only; deleted in destroy().
import { execFile, spawn, type ChildProcess } from 'node:child_process';

function run(argv: readonly string[]): Promise<string> {
  const [cmd, ...args] = argv;
  return new Promise((resolve, reject) => {
    execFile(cmd ?? 'false', args, { timeout: 20_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${argv.join(' ')}: ${stderr.trim() || err.message}`, { cause: err }));
      else resolve(stdout);
    });
  });
}

export class BenchSegment {
  readonly bridge: string;
  private readonly made: string[] = [];

  private constructor(readonly prefix: string) {
    this.bridge = `${prefix}-br`;
  }

  static async create(prefix: string, hosts: readonly { name: string; address: string }[]): Promise<BenchSegment> {
    const s = new BenchSegment(prefix);
    try {
      await s.add(s.bridge);
      await run(['ip', '-n', s.bridge, 'link', 'add', 'br0', 'type', 'bridge', 'stp_state', '0', 'mcast_snooping', '0']);
      await run(['ip', '-n', s.bridge, 'link', 'set', 'br0', 'up']);
      let i = 0;
      for (const h of hosts) {
        const ns = s.ns(h.name);
        await s.add(ns);
        const peer = `vb${process.pid % 100000}h${i++}`;
        await run(['ip', '-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', peer]);
        await run(['ip', '-n', ns, 'link', 'set', peer, 'netns', s.bridge]);
        await run(['ip', '-n', s.bridge, 'link', 'set', peer, 'master', 'br0', 'up']);
        await run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
        await run(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
        await run(['ip', '-n', ns, 'addr', 'add', h.address, 'dev', 'eth0']);
      }
    } catch (err) {
      await s.destroy();
      throw err;
    }
    return s;
  }

  private async add(ns: string): Promise<void> {
    await run(['ip', 'netns', 'add', ns]);
    this.made.push(ns);
  }

  ns(host: string): string {
    return `${this.prefix}-${host}`;
  }

  async setLink(host: string, up: boolean): Promise<void> {
    await run(['ip', '-n', this.ns(host), 'link', 'set', 'eth0', up ? 'up' : 'down']);
  }

  spawn(host: string, argv: readonly string[]): ChildProcess {
    return spawn('ip', ['netns', 'exec', this.ns(host), ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  }

  async destroy(): Promise<void> {
    for (const ns of this.made.reverse()) {
      const pids = await run(['ip', 'netns', 'pids', ns]).catch(() => '');
      for (const pid of pids.split(/\s+/).filter(Boolean)) await run(['kill', '-9', pid]).catch(() => '');
      await run(['ip', 'netns', 'del', ns]).catch(() => '');
    }
    this.made.length = 0;
  }
}
