// The lab's own child processes: started in a namespace (or on the host), output to a log file,
// kept as handles so they are reaped, restartable by role. The scenario commands act on these.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopProcess } from '../netns/exec.js';

export interface ManagedSpec {
  readonly role: string;
  /** Namespace, or undefined for the host. */
  readonly ns: string | undefined;
  readonly argv: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /**
   * How to signal it when the child is only a client of the real process (podman run: see
   * image-runner.ts). Without it, the signals go to the child.
   */
  readonly deliver?: (how: SignalHow) => Promise<void>;
}

/** 'stop' is SIGTERM (graceful), 'kill' SIGKILL, 'freeze' SIGSTOP, 'thaw' SIGCONT. */
export type SignalHow = 'stop' | 'kill' | 'freeze' | 'thaw';

interface Managed {
  spec: ManagedSpec;
  child: ChildProcess | undefined;
  stopped: boolean;
}

export class ProcessSet {
  private readonly procs = new Map<string, Managed>();

  constructor(private readonly logDir: string) {
    mkdirSync(logDir, { recursive: true });
  }

  logFile(role: string): string {
    return join(this.logDir, `${role}.log`);
  }

  start(spec: ManagedSpec): ChildProcess {
    const cur = this.procs.get(spec.role);
    if (cur?.child && cur.child.exitCode === null && cur.child.signalCode === null) throw new Error(`${spec.role} is already running (pid ${cur.child.pid ?? '?'})`);
    const fd = openSync(this.logFile(spec.role), 'a');
    const argv = spec.ns ? ['ip', 'netns', 'exec', spec.ns, ...spec.argv] : [...spec.argv];
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', fd, fd], env: { ...process.env, ...spec.env } });
    closeSync(fd);
    this.procs.set(spec.role, { spec, child, stopped: false });
    return child;
  }

  /** Starts the role again with the spec it last had. */
  restart(role: string): ChildProcess {
    const m = this.procs.get(role);
    if (!m) throw new Error(`no process ${role}`);
    return this.start(m.spec);
  }

  pid(role: string): number | undefined {
    const c = this.procs.get(role)?.child;
    return c && c.exitCode === null && c.signalCode === null ? c.pid : undefined;
  }

  running(role: string): boolean {
    return this.pid(role) !== undefined;
  }

  async signal(role: string, how: SignalHow): Promise<void> {
    const m = this.procs.get(role);
    const c = m?.child;
    if (!m || !c || c.exitCode !== null || c.signalCode !== null) throw new Error(`${role} is not running`);
    if (how === 'stop' || how === 'kill') m.stopped = true;
    if (m.spec.deliver) {
      await m.spec.deliver(how);
      // The client exits with the process; if it does not in time, stop the client itself.
      if (how === 'stop' || how === 'kill') if (!(await exitsWithin(c, how === 'stop' ? 10_000 : 5000))) await stopProcess(c, 'SIGTERM', 5000);
      return;
    }
    switch (how) {
      case 'stop':
        await stopProcess(c, 'SIGTERM', 10_000);
        break;
      case 'kill':
        await stopProcess(c, 'SIGKILL', 1000);
        break;
      case 'freeze':
        c.kill('SIGSTOP');
        break;
      case 'thaw':
        c.kill('SIGCONT');
        break;
    }
  }

  /**
   * Why a role is not running: how it ended (exit code or signal, and whether the lab stopped
   * it) and the last lines of its log, so a bench that finds a component gone can say why.
   */
  whyNotRunning(role: string, lines = 12): string {
    const m = this.procs.get(role);
    const c = m?.child;
    if (!m || !c) return `${role} was never started`;
    if (c.exitCode === null && c.signalCode === null) return `${role} is running`;
    const how = c.signalCode !== null ? `killed by ${c.signalCode}` : `exited with code ${c.exitCode}`;
    return `${role} ${how}${m.stopped ? ' (stopped by the lab)' : ''}; last log lines:\n${logTail(this.logFile(role), lines)}`;
  }

  roles(): string[] {
    return [...this.procs.keys()];
  }

  async stopAll(): Promise<void> {
    const all = [...this.procs.values()].reverse();
    for (const m of all) {
      const c = m.child;
      if (!c || c.exitCode !== null || c.signalCode !== null) continue;
      c.kill('SIGCONT');
    }
    await Promise.all(all.map(async (m) => (m.child ? stopProcess(m.child, 'SIGTERM', 5000) : undefined)));
  }
}

/** The last n lines of a log file, each cut at 400 characters (a speaker logs JSON lines). */
function logTail(file: string, n: number): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return `  (no log: ${(err as Error).message})`;
  }
  const tail = text.trimEnd().split('\n').slice(-n);
  return tail.map((l) => `  ${l.length > 400 ? `${l.slice(0, 400)}...` : l}`).join('\n');
}

/** Resolves true once the child has exited, or false after ms. */
function exitsWithin(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}
