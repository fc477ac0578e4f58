// make bench, L2 rows (DESIGN §8): ARP reply round trip against the standalone Herald responder
// and against the Linux kernel answering for an address it owns, in the same run on the same
// two-namespace topology. Measured two ways: as arping reports it, and on the wire (the client's
// tcpdump timestamps, request to reply). Bounded: 50 single-probe arpings per side, interleaved.
// (L2 failover time is the 'L2 failover' area, test/src/bench/l2-failover.ts.)
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { speakerFixture } from './fixtures.js';
import { median, p95 } from './stats.js';

const exec = promisify(execFile);
const ROUNDS = 50;
const OURS = '203.0.113.5';
const KERNEL = '203.0.113.100';

type Row = { what: string; value: string; target: string };

async function sh(...argv: string[]): Promise<string> {
  const [cmd, ...args] = argv;
  return (await exec(cmd!, args, { timeout: 20_000 })).stdout;
}

const us = (x: number): string => (Number.isFinite(x) ? `${Math.round(x)} µs` : 'n/a');

async function topology(prefix: string): Promise<{ client: string; node: string }> {
  const client = `${prefix}-c`;
  const node = `${prefix}-n`;
  await sh('ip', 'netns', 'add', client);
  await sh('ip', 'netns', 'add', node);
  await sh('ip', '-n', client, 'link', 'add', 'eth0', 'address', '02:00:00:00:00:01', 'type', 'veth', 'peer', 'name', 'eth0', 'address', '02:00:00:00:00:02', 'netns', node);
  for (const ns of [client, node]) {
    await sh('ip', '-n', ns, 'link', 'set', 'lo', 'up');
    await sh('ip', '-n', ns, 'link', 'set', 'eth0', 'up');
  }
  await sh('ip', '-n', client, 'addr', 'add', '203.0.113.250/24', 'dev', 'eth0');
  await sh('ip', '-n', node, 'addr', 'add', `${KERNEL}/24`, 'dev', 'eth0');
  return { client, node };
}

function firstLine(child: ChildProcess, stream: 'stdout' | 'stderr', match: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out waiting for ${String(match)}`)), timeoutMs);
    createInterface({ input: child[stream]! }).on('line', (l) => {
      if (match.test(l)) {
        clearTimeout(t);
        resolve();
      }
    });
  });
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(t);
}

/** Request -> reply gaps (µs) per target IP, from `tcpdump -tt --time-stamp-precision=nano` lines. */
export function wireGaps(lines: readonly string[]): Map<string, number[]> {
  const pending = new Map<string, number>();
  const out = new Map<string, number[]>();
  for (const l of lines) {
    const req = /^(\d+\.\d+) .*Request who-has (\S+) /.exec(l);
    if (req) {
      pending.set(req[2]!, Number(req[1]));
      continue;
    }
    const rep = /^(\d+\.\d+) .*Reply (\S+) is-at/.exec(l);
    const at = rep ? pending.get(rep[2]!) : undefined;
    if (rep && at !== undefined) {
      pending.delete(rep[2]!);
      const list = out.get(rep[2]!) ?? [];
      list.push((Number(rep[1]) - at) * 1e6);
      out.set(rep[2]!, list);
    }
  }
  return out;
}

export async function benchL2(): Promise<{ rows: Row[] }> {
  if (process.getuid?.() !== 0) return { rows: [{ what: 'ARP round trip', value: 'skipped: needs root', target: '-' }] };
  const prefix = `hrb${process.pid}`;
  const children: ChildProcess[] = [];
  let topo: { client: string; node: string } | undefined;
  try {
    const t = await topology(prefix);
    topo = t;
    const script = speakerFixture('l2-standalone.js');
    const responder = spawn('ip', ['netns', 'exec', t.node, process.execPath, script, '--node', 'n', '--nodes', 'n', '--ips', OURS], { stdio: ['pipe', 'pipe', 'ignore'] });
    children.push(responder);
    await firstLine(responder, 'stdout', /"event":"owned"/, 20_000);
    const tcpdump = spawn('ip', ['netns', 'exec', t.client, 'tcpdump', '-i', 'eth0', '-nn', '-tt', '--time-stamp-precision=nano', '-l', 'arp'], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(tcpdump);
    const captured: string[] = [];
    createInterface({ input: tcpdump.stdout }).on('line', (l) => captured.push(l));
    await firstLine(tcpdump, 'stderr', /listening on/, 10_000);
    const arping = async (ip: string): Promise<number | undefined> => {
      const out = await sh('ip', 'netns', 'exec', t.client, 'arping', '-c', '1', '-w', '2', '-I', 'eth0', ip).catch(() => '');
      const m = /\]\s+([\d.]+)(ms|usec)/.exec(out);
      return m ? Number(m[1]) * (m[2] === 'ms' ? 1000 : 1) : undefined;
    };
    for (let i = 0; i < 10; i++) await arping(OURS); // warm up the JIT
    captured.length = 0;
    const ours: number[] = [];
    const kernel: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const a = await arping(OURS);
      if (a !== undefined) ours.push(a);
      const b = await arping(KERNEL);
      if (b !== undefined) kernel.push(b);
    }
    await new Promise((r) => setTimeout(r, 300));
    await stop(tcpdump);
    const gaps = wireGaps(captured);
    const w = gaps.get(OURS) ?? [];
    const k = gaps.get(KERNEL) ?? [];
    return {
      rows: [
        { what: `ARP round trip, arping (median of ${ours.length})`, value: us(median(ours)), target: `kernel ${us(median(kernel))}; target <= 2x (${(median(ours) / median(kernel)).toFixed(2)}x)` },
        { what: 'ARP round trip, arping (p95)', value: us(p95(ours)), target: `kernel ${us(p95(kernel))}` },
        { what: `ARP request->reply on the wire (median of ${w.length})`, value: us(median(w)), target: `kernel ${us(median(k))}` },
        { what: 'ARP request->reply on the wire (p95)', value: us(p95(w)), target: `kernel ${us(p95(k))}` },
      ],
    };
  } finally {
    for (const c of children) await stop(c);
    if (topo) for (const ns of [topo.client, topo.node]) await sh('ip', 'netns', 'del', ns).catch(() => undefined);
  }
}
