// Runs the standalone L2 responder of @herald/speaker inside node namespaces and reads the JSON
// lines it prints (its MAC and the IPs it elected itself owner of).
import type { ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { nsSpawn, stopProcess } from '@herald/lab';

/** The compiled standalone responder, a test fixture of @herald/speaker (speaker/test/fixtures). */
export function standaloneScript(): string {
  return join(dirname(fileURLToPath(import.meta.resolve('@herald/speaker'))), '..', 'test', 'fixtures', 'l2-standalone.js');
}

export interface OwnedLine {
  readonly node: string;
  readonly mac: string;
  readonly owned: string[];
}

export class Responder {
  private readonly lines: OwnedLine[] = [];
  private waiters: ((l: OwnedLine) => void)[] = [];
  readonly stderr: string[] = [];
  readonly child: ChildProcess;

  constructor(
    readonly node: string,
    ns: string,
    nodes: readonly string[],
    ips: readonly string[],
  ) {
    this.child = nsSpawn(ns, [process.execPath, standaloneScript(), '--node', node, '--nodes', nodes.join(','), '--ips', ips.join(','), '--log-level', 'info'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (l) => {
      const parsed = JSON.parse(l) as OwnedLine;
      const w = this.waiters.shift();
      if (w) w(parsed);
      else this.lines.push(parsed);
    });
    this.child.stderr!.on('data', (d: Buffer) => this.stderr.push(d.toString()));
  }

  /** The next ownership line (bounded by timeoutMs). */
  next(timeoutMs = 20_000): Promise<OwnedLine> {
    const l = this.lines.shift();
    if (l) return Promise.resolve(l);
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${this.node}: no ownership line within ${timeoutMs} ms; stderr: ${this.stderr.join('')}`)), timeoutMs);
      this.waiters.push((x) => {
        clearTimeout(t);
        resolve(x);
      });
    });
  }

  /** Tells the responder which nodes are live now; resolves with its new ownership. */
  setNodes(nodes: readonly string[]): Promise<OwnedLine> {
    this.child.stdin!.write(`nodes ${nodes.join(',')}\n`);
    return this.next();
  }

  stop(sig: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    return stopProcess(this.child, sig, 2000);
  }
}
