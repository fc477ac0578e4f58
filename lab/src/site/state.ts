// Where a running lab keeps its files (kubeconfigs, logs, router configs) and which processes it
// started, so that a later `herald-lab` command (status, down, a scenario) can find them.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RouterKind } from './plan.js';

export interface ProcessRecord {
  /** "apiserver", "controller", "speaker-node1", "backend-node2", ... */
  readonly role: string;
  readonly pid: number;
  /** Namespace it runs in; undefined for the host. */
  readonly ns: string | undefined;
  readonly argv: readonly string[];
  readonly log: string;
}

export interface LabState {
  readonly prefix: string;
  readonly router: RouterKind;
  readonly nodes: number;
  readonly dir: string;
  processes: ProcessRecord[];
}

export function labDir(): string {
  return process.env['HERALD_LAB_DIR'] ?? '/run/herald-lab';
}

export function statePath(dir = labDir()): string {
  return join(dir, 'state.json');
}

export function readState(dir = labDir()): LabState | undefined {
  const p = statePath(dir);
  if (!existsSync(p)) return undefined;
  return JSON.parse(readFileSync(p, 'utf8')) as LabState;
}

export function writeState(s: LabState): void {
  mkdirSync(s.dir, { recursive: true });
  const tmp = statePath(s.dir) + '.tmp';
  writeFileSync(tmp, JSON.stringify(s, null, 2));
  renameSync(tmp, statePath(s.dir));
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a process that outlives this command (in namespace ns if given), logging to
 * <dir>/logs/<role>.log, and records it in the state.
 */
export function startDetached(state: LabState, role: string, ns: string | undefined, argv: readonly string[], env: NodeJS.ProcessEnv = {}): ProcessRecord {
  mkdirSync(join(state.dir, 'logs'), { recursive: true });
  const log = join(state.dir, 'logs', `${role}.log`);
  const fd = openSync(log, 'a');
  const full = ns ? ['ip', 'netns', 'exec', ns, ...argv] : [...argv];
  const child = spawn(full[0]!, full.slice(1), { detached: true, stdio: ['ignore', fd, fd], env: { ...process.env, ...env } });
  closeSync(fd);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${role}: ${full.join(' ')}`);
  const rec: ProcessRecord = { role, pid: child.pid, ns, argv, log };
  state.processes = [...state.processes.filter((p) => p.role !== role), rec];
  writeState(state);
  return rec;
}

/** Signals a recorded process (and waits up to graceMs for it to go, then SIGKILL). */
export async function stopRecorded(state: LabState, role: string, sig: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<boolean> {
  const rec = state.processes.find((p) => p.role === role);
  if (!rec || !isAlive(rec.pid)) return false;
  try {
    process.kill(rec.pid, sig);
  } catch {
    return false;
  }
  if (sig === 'SIGSTOP' || sig === 'SIGCONT') return true;
  const deadline = Date.now() + graceMs;
  while (isAlive(rec.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(rec.pid)) {
    try {
      process.kill(rec.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  return true;
}
