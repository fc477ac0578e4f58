// make bench: membership detection time over real UDP in network namespaces. Three probe
// processes (speaker/test/fixtures/membership-probe-main.ts: the real Membership shell, stub Lease) on one bridge; each run kills
// one with SIGKILL and times kill -> both survivors report it dead (each probe stamps its view
// lines with the wall clock; one host, one clock). A second series cuts a node's link and
// measures how long before the first peer declares it dead the cut-off node had fenced itself.
// Reference: MetalLB's memberlist detects a dead speaker in about 5-10 s (its documentation and
// issue reports; cited, not measured here).
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nsSpawn, Topology } from '@herald/lab';
import type { ProbeLine as Line } from '../../speaker/dist/test/fixtures/membership-probe.js';
import { speakerFixture } from './fixtures.js';
import { max, median, min } from './stats.js';

export interface BenchRow {
  readonly what: string;
  readonly value: string;
  readonly target: string;
}

const hosts = [
  { name: 'node1', ip: '198.51.100.21' },
  { name: 'node2', ip: '198.51.100.22' },
  { name: 'node3', ip: '198.51.100.23' },
];
const ALL = hosts.map((h) => h.name).join(',');

class ProbeChild {
  readonly lines: Line[] = [];
  private waiters: (() => void)[] = [];

  constructor(readonly child: ChildProcess) {
    let buf = '';
    child.stdout?.on('data', (b: Buffer) => {
      buf += b.toString('utf8');
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const s = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (s) this.lines.push(JSON.parse(s) as Line);
      }
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w();
    });
  }

  waitFor(pred: (l: Line) => boolean, timeoutMs: number): Promise<Line> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('probe: timed out')), timeoutMs);
      const check = (): void => {
        const hit = this.lines.find(pred);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
        } else this.waiters.push(check);
      };
      check();
    });
  }

  async kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGKILL');
    await exited;
  }
}

const allLive = (since: number) => (l: Line): boolean => l.wallMs >= since && l.event === 'view' && l.fenced === false && (l.live ?? []).join(',') === ALL;
const dead = (who: string, since: number) => (l: Line): boolean => l.wallMs >= since && (l.members?.[who] ?? '').startsWith('dead');

export async function benchMembership(opts: { runs?: number; cutRuns?: number } = {}): Promise<{ rows: BenchRow[] }> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    return { rows: [{ what: 'membership detection time (skipped: needs root for network namespaces)', value: '-', target: '< 1 s' }] };
  }
  const runs = opts.runs ?? 10;
  const cutRuns = opts.cutRuns ?? 5;
  const dir = mkdtempSync(join(tmpdir(), 'herald-mbench-'));
  const keyFile = join(dir, 'key');
  writeFileSync(keyFile, 'bench-heartbeat-key-0123456789abcdef', { mode: 0o600 });
  // The lab's own segment (one bridge namespace, an eth0 per host), as the membership e2e uses.
  const probeScript = speakerFixture('membership-probe-main.js');
  const seg = await Topology.create(`hrmbb${process.pid}`, hosts.map((h, i) => ({ name: h.name, addresses: [`${h.ip}/24`], macByte: 0x21 + i })));
  const probes = new Map<string, ProbeChild>();
  const start = (name: string): ProbeChild => {
    const peers = hosts.flatMap((h) => ['--peer', `${h.name}=${h.ip}`]);
    const p = new ProbeChild(nsSpawn(seg.ns(name), [process.execPath, probeScript, '--node', name, '--key-file', keyFile, ...peers]));
    probes.set(name, p);
    return p;
  };
  const get = (name: string): ProbeChild => {
    const p = probes.get(name);
    if (!p) throw new Error(`no probe ${name}`);
    return p;
  };
  try {
    const t0 = Date.now();
    for (const h of hosts) start(h.name);
    for (const h of hosts) await get(h.name).waitFor(allLive(t0), 20_000);

    const detect: number[] = [];
    for (let i = 0; i < runs; i++) {
      const victim = hosts[i % hosts.length]?.name ?? 'node1';
      const others = hosts.map((h) => h.name).filter((n) => n !== victim);
      const tk = Date.now();
      await get(victim).kill();
      const seen = await Promise.all(others.map((n) => get(n).waitFor(dead(victim, tk), 10_000)));
      detect.push(Math.max(...seen.map((l) => l.wallMs)) - tk);
      const tr = Date.now();
      start(victim);
      for (const h of hosts) await get(h.name).waitFor(allLive(tr), 20_000);
    }

    const margins: number[] = [];
    for (let i = 0; i < cutRuns; i++) {
      const victim = hosts[i % hosts.length]?.name ?? 'node1';
      const others = hosts.map((h) => h.name).filter((n) => n !== victim);
      const tc = Date.now();
      await seg.setLink(victim, false);
      try {
        const fenced = await get(victim).waitFor((l) => l.wallMs >= tc && l.fenced === true, 10_000);
        const deaths = await Promise.all(others.map((n) => get(n).waitFor(dead(victim, tc), 10_000)));
        margins.push(Math.min(...deaths.map((l) => l.wallMs)) - fenced.wallMs);
      } finally {
        await seg.setLink(victim, true);
      }
      const tr = Date.now();
      for (const h of hosts) await get(h.name).waitFor(allLive(tr), 20_000);
    }

    const d = { median: median(detect), max: max(detect) };
    const m = { median: median(margins) };
    return {
      rows: [
        { what: `membership: SIGKILLed peer declared dead by both others (median of ${runs})`, value: `${d.median} ms`, target: '< 1 s (MetalLB memberlist ~5-10 s, cited)' },
        { what: `membership: same, max of ${runs}`, value: `${d.max} ms`, target: '< 1 s' },
        { what: `membership: link cut, fence-before-death margin (min of ${cutRuns}; must be > 0)`, value: `${min(margins)} ms`, target: '> 0 (never two owners)' },
        { what: `membership: link cut, fence-before-death margin (median of ${cutRuns})`, value: `${m.median} ms`, target: '> 0' },
      ],
    };
  } finally {
    for (const p of probes.values()) await p.kill();
    await seg.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
