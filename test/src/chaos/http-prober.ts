// The chaos client: http-probe-child.ts inside the lab's client namespace, probing every Service
// IP over HTTP every 20 ms with a 200 ms timeout, its outcomes kept here (bounded) as HttpProbe.
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { nsSpawn, stopProcess } from '@herald/lab';
import { onJsonLines } from '../harness/json-lines.js';
import type { HttpProbe } from './observations.js';

const CHILD = fileURLToPath(new URL('./http-probe-child.js', import.meta.url));
/** 30 minutes of 10 targets at 50/s is 900k; beyond this, outcomes are counted as dropped. */
const MAX_PROBES = 3_000_000;

export class HttpProber {
  readonly probes: HttpProbe[] = [];
  readonly errors: string[] = [];
  dropped = 0;
  private last = '';

  private constructor(private readonly child: ChildProcess) {}

  static async start(ns: string, opts: { intervalMs?: number; timeoutMs?: number } = {}): Promise<HttpProber> {
    // nice -10, as the L2 watcher: the client is another machine; starve the lab, not the instrument.
    const child = nsSpawn(ns, ['nice', '-n', '-10', process.execPath, CHILD, '--interval-ms', String(opts.intervalMs ?? 20), '--timeout-ms', String(opts.timeoutMs ?? 200)], { stdio: ['pipe', 'pipe', 'pipe'] });
    const p = new HttpProber(child);
    child.stderr?.on('data', (b: Buffer) => {
      if (p.errors.length < 20) p.errors.push(b.toString('utf8').trim());
    });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the HTTP prober in ${ns} did not start in 10 s: ${p.errors.join(' | ')}`)), 10_000);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the HTTP prober in ${ns} exited ${String(code)}: ${p.errors.join(' | ')}`));
      });
      onJsonLines<{ ready?: boolean; t?: number; s?: string; ip?: string; ok?: boolean; st?: boolean; e?: string }>(child.stdout, (o) => {
        if (o.ready) {
          clearTimeout(timer);
          resolve();
        } else if (typeof o.t === 'number' && o.s && o.ip) {
          if (p.probes.length < MAX_PROBES) p.probes.push({ t: o.t, service: o.s, ip: o.ip, ok: o.ok === true, ...(o.st ? { stalled: true } : {}), ...(o.e ? { error: o.e } : {}) });
          else p.dropped++;
        }
      });
    }).catch(async (err: unknown) => {
      await stopProcess(child, 'SIGKILL', 1000);
      throw err;
    });
    return p;
  }

  /** Probe these (service, IP) pairs from now on; a no-op when the set is unchanged. */
  setTargets(targets: readonly { service: string; ip: string; port?: number }[]): void {
    const text = JSON.stringify({ cmd: 'targets', targets: [...targets].sort((a, b) => (a.service + a.ip < b.service + b.ip ? -1 : 1)) });
    if (text === this.last) return;
    this.last = text;
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.stdin?.write(text + '\n');
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    this.child.stdin?.end();
    await stopProcess(this.child, 'SIGTERM', 2000);
  }
}
