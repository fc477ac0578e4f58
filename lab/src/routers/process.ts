// A daemon in a namespace with its output kept (bounded) for failure messages.
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nsSpawn, stopProcess } from '../netns/exec.js';

export class Daemon {
  private out = '';
  readonly child: ChildProcess;

  constructor(ns: string, argv: readonly string[]) {
    this.child = nsSpawn(ns, argv);
    const keep = (b: Buffer) => {
      this.out = (this.out + b.toString('utf8')).slice(-64 * 1024);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.child.on('error', (e) => keep(Buffer.from(`spawn error: ${e.message}\n`)));
  }

  get output(): string {
    return this.out;
  }

  get exited(): boolean {
    return this.child.exitCode !== null || this.child.signalCode !== null;
  }

  async stop(): Promise<void> {
    await stopProcess(this.child, 'SIGTERM', 3000);
  }
}

export async function makeWorkDir(kind: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `herald-${kind}-`));
}

export async function removeWorkDir(dir: string | undefined): Promise<void> {
  if (dir) await rm(dir, { recursive: true, force: true });
}

/** A router driver that runs one daemon in a work directory (BIRD, GoBGP). */
export abstract class SingleDaemonRouter {
  protected dir: string | undefined;
  protected daemon: Daemon | undefined;

  /** The daemon's log so far (for failure messages). */
  log(): string {
    return this.daemon?.output ?? '';
  }

  /** Stops the daemon (reaped) and removes its work directory. Safe to call twice. */
  async stop(): Promise<void> {
    await this.daemon?.stop();
    this.daemon = undefined;
    await removeWorkDir(this.dir);
    this.dir = undefined;
  }
}
