// The test side of client-probe-main.ts: probes a Service from the lab's client namespace every
// 20 ms until stopped, then returns what the client saw.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nsSpawn, stopProcess } from '@herald/lab';
import { onJsonLines } from '../harness/json-lines.js';

export interface ProbeSummary {
  readonly sent: number;
  readonly answered: number;
  readonly lost: number;
  /** Longest time between two answered probes (20 ms when nothing is lost). */
  readonly longestGapMs: number;
  /** When the lost probes were sent, ms after the prober started. */
  readonly lostAt: readonly number[];
}

const script = fileURLToPath(new URL('./client-probe-main.js', import.meta.url));

export class ClientProbe {
  private summary: ProbeSummary | undefined;
  private err = '';

  private constructor(private readonly child: ChildProcess) {
    onJsonLines<ProbeSummary & { event: string }>(child.stdout, (l) => {
      if (l.event === 'summary') this.summary = l;
    });
    child.stderr?.on('data', (b: Buffer) => {
      this.err = (this.err + b.toString('utf8')).slice(-4096);
    });
  }

  /** Starts probing target (IP:port) from namespace ns, every intervalMs; at most maxMs. */
  static start(ns: string, target: string, opts: { intervalMs?: number; maxMs?: number } = {}): ClientProbe {
    const args = ['--target', target, '--interval-ms', String(opts.intervalMs ?? 20), '--max-ms', String(opts.maxMs ?? 120_000)];
    return new ClientProbe(nsSpawn(ns, [process.execPath, script, ...args]));
  }

  /** Stops the prober and returns what it saw (bounded: it exits within a second). */
  async stop(): Promise<ProbeSummary> {
    const closed = new Promise<void>((r) => this.child.stdout?.once('close', () => r()) ?? r());
    await stopProcess(this.child, 'SIGTERM', 3000);
    // Its stdout may end after the exit: wait for it, at most a second.
    await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
    if (!this.summary) throw new Error(`the client prober printed no summary: ${this.err}`);
    return this.summary;
  }
}
