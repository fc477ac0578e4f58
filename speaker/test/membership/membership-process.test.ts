// The whole shell on a real event loop: three membership probes (fixtures/membership-probe-main.js: the real
// Membership, real UDP, real libuv ordering) as processes on loopback addresses, and one of them
// frozen with SIGSTOP for 150 ms now and then - a stall of its whole process, its socket queueing
// meanwhile, as under a CPU hog or a long GC pause. Below the bound of liveness.ts (a send gap of
// up to 400 ms) nobody may fence, and nobody may find a peer dead; the stopped one may not even
// suspect its peers for the time it was not running. The margin (150 ms of stop, ~250 ms of send
// gap at worst, against 400) absorbs the noise of a shared machine. Needs no root.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProbeLine as Line } from '../fixtures/membership-probe.js';

const probe = fileURLToPath(new URL('../fixtures/membership-probe-main.js', import.meta.url));

class Probe {
  readonly lines: Line[] = [];
  private err = '';
  readonly child: ChildProcess;

  constructor(readonly name: string, args: readonly string[]) {
    this.child = spawn(process.execPath, [probe, '--node', name, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    this.child.stdout?.on('data', (b: Buffer) => {
      buf += b.toString('utf8');
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl).trim();
        buf = buf.slice(nl + 1);
        if (line) this.lines.push(JSON.parse(line) as Line);
      }
    });
    this.child.stderr?.on('data', (b: Buffer) => void (this.err = (this.err + b.toString('utf8')).slice(-4000)));
  }

  get view(): Line | undefined {
    return this.lines.filter((l) => l.event === 'view').at(-1);
  }

  get stderr(): string {
    return this.err;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGCONT');
    this.child.kill('SIGKILL');
    await exited;
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function until(what: string, ok: () => boolean, timeoutMs: number, why: () => string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${why()}`);
    await sleep(20);
  }
}

describe('membership/membership: SIGSTOP of a whole probe process (real UDP on loopback, real event loops)', function () {
  this.timeout(60_000);
  const names = ['node1', 'node2', 'node3'];
  // Loopback addresses and a port unlikely to clash with a parallel run of this test.
  const net = `127.${77 + (process.pid % 100)}.${(process.pid >> 7) % 250 + 1}`;
  const port = String(20_000 + (process.pid % 20_000));
  let dir = '';
  const probes: Probe[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'herald-mstall-'));
    writeFileSync(join(dir, 'key'), 'stall-test-heartbeat-key-0123456789\n', { mode: 0o600 });
  });

  after(async () => {
    for (const p of probes) await p.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('150 ms stops of one probe, 8 times: no fence and no death anywhere, and the stopped one suspects nobody', async () => {
    const peers = names.flatMap((n, i) => ['--peer', `${n}=${net}.${i + 1}`]);
    names.forEach((n, i) => probes.push(new Probe(n, ['--key-file', join(dir, 'key'), '--bind', `${net}.${i + 1}`, '--port', port, ...peers])));
    const allLive = (p: Probe): boolean => p.view?.fenced === false && JSON.stringify(p.view.live) === JSON.stringify(names);
    await until('all live and unfenced', () => probes.every(allLive), 20_000, () => probes.map((p) => `${p.name}: ${JSON.stringify(p.view)} ${p.stderr}`).join('; '));
    const since = Date.now();
    const stopped = probes[1]!;
    for (let i = 0; i < 8; i++) {
      await sleep(600 + ((i * 137) % 400));
      stopped.child.kill('SIGSTOP');
      await sleep(150);
      stopped.child.kill('SIGCONT');
    }
    await sleep(1500);
    for (const p of probes) {
      const after = p.lines.filter((l) => l.event === 'view' && l.wallMs >= since);
      const bad = after.filter((l) => l.fenced || Object.entries(l.members ?? {}).some(([n, s]) => s.startsWith('dead') || (p === stopped && n !== p.name && s !== 'live')));
      assert.deepEqual(bad, [], `${p.name} after the stops`);
      assert.ok(allLive(p), `${p.name} ends ${JSON.stringify(p.view)}`);
    }
  });
});
