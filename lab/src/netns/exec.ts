// Running commands, on the host or inside a network namespace. Thin wrappers over child_process
// that throw errors carrying the command's stderr.
import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    message: string,
    readonly stdout: string,
    readonly stderr: string,
    readonly code: number | null,
  ) {
    super(message);
  }
}

/** Runs argv[0] with args; resolves stdout; rejects with CommandError (bounded by timeoutMs). */
export function run(argv: readonly string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<string> {
  const [cmd, ...args] = argv;
  if (!cmd) return Promise.reject(new Error('run: empty command'));
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { timeout: opts.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err) {
          const code = typeof err.code === 'number' ? err.code : null;
          reject(new CommandError(`${argv.join(' ')} failed: ${stderr.trim() || err.message}`, stdout, stderr, code));
        } else resolve(stdout);
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Runs a command inside namespace ns. */
export function nsRun(ns: string, argv: readonly string[], opts: { timeoutMs?: number; input?: string } = {}): Promise<string> {
  return run(['ip', 'netns', 'exec', ns, ...argv], opts);
}

/** Starts a long-running process inside namespace ns. The caller must stop (and so reap) it. */
export function nsSpawn(ns: string, argv: readonly string[], opts: SpawnOptions = {}): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

/** Sends sig, then SIGKILL after graceMs, and resolves once the process has been reaped. */
export async function stopProcess(child: ChildProcess, sig: NodeJS.Signals = 'SIGTERM', graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(sig);
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
