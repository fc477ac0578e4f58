// The test side of member-node: starts it in a namespace, keeps every JSON line it printed
// (each with the wall-clock time of the change), and waits on conditions over its latest view.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nsSpawn, stopProcess } from '@herald/lab';
import { onJsonLines } from '../harness/json-lines.js';

export interface ViewLine {
  readonly event: string;
  readonly wallMs: number;
  readonly fenced?: boolean;
  readonly reason?: string;
  readonly live?: string[];
  readonly members?: Record<string, string>;
  readonly outcome?: string;
  readonly acked?: string[];
}

const script = fileURLToPath(new URL('./member-node.js', import.meta.url));

export class MemberProcess {
  readonly lines: ViewLine[] = [];
  private waiters: (() => void)[] = [];
  private err = '';

  private constructor(readonly name: string, readonly child: ChildProcess) {}

  static start(ns: string, name: string, args: readonly string[]): MemberProcess {
    const child = nsSpawn(ns, [process.execPath, script, '--node', name, ...args]);
    const p = new MemberProcess(name, child);
    onJsonLines<ViewLine>(child.stdout, (line) => {
      p.lines.push(line);
      p.wake();
    });
    child.stderr?.on('data', (b: Buffer) => {
      p.err = (p.err + b.toString('utf8')).slice(-8192);
    });
    child.on('exit', () => p.wake());
    return p;
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  get stderr(): string {
    return this.err;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /** The latest view line. */
  get view(): ViewLine | undefined {
    return this.lines.filter((l) => l.event === 'view').at(-1);
  }

  /** The first view line after `sinceMs` (wall clock) that satisfies pred. */
  firstSince(sinceMs: number, pred: (l: ViewLine) => boolean): ViewLine | undefined {
    return this.lines.find((l) => l.event === 'view' && l.wallMs >= sinceMs && pred(l));
  }

  /** Resolves with the first line (in order) satisfying pred; rejects after timeoutMs. */
  waitFor(what: string, pred: (l: ViewLine) => boolean, timeoutMs = 10_000): Promise<ViewLine> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: timed out waiting for ${what}; last: ${JSON.stringify(this.view)}; stderr: ${this.err.slice(-500)}`)), timeoutMs);
      const check = (): void => {
        const hit = this.lines.find(pred);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
        } else if (this.exited && !this.lines.some(pred)) {
          clearTimeout(timer);
          reject(new Error(`${this.name} exited (${this.child.exitCode ?? this.child.signalCode}) before ${what}: ${this.err.slice(-500)}`));
        } else this.waiters.push(check);
      };
      check();
    });
  }

  signal(sig: NodeJS.Signals): void {
    this.child.kill(sig);
  }

  /** Stops and reaps the process (SIGKILL after a grace). */
  async stop(sig: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await stopProcess(this.child, sig, 3000);
  }
}
