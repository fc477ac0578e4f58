// Where a running lab keeps its files: kubeconfigs, logs, the API server's state, the control
// socket and the supervisor's pid. One folder per lab; HERALD_LAB_DIR overrides the default.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export function labDir(): string {
  return process.env['HERALD_LAB_DIR'] ?? '/run/herald-lab';
}

/** Namespace prefix of the lab; HERALD_LAB_PREFIX overrides (tests run their own labs). */
export function labPrefix(): string {
  return process.env['HERALD_LAB_PREFIX'] ?? 'hlab';
}

export const controlSocket = (dir: string): string => join(dir, 'control.sock');
export const supervisorPidFile = (dir: string): string => join(dir, 'supervisor.pid');
/** The embedded API server's store in the lab directory (a journal beside it: API_STATE_FILE.journal-N). */
export const API_STATE_FILE = 'apiserver-state.json';

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export function supervisorPid(dir: string): number | undefined {
  const f = supervisorPidFile(dir);
  if (!existsSync(f)) return undefined;
  const pid = Number(readFileSync(f, 'utf8').trim());
  return Number.isInteger(pid) && pid > 1 && isAlive(pid) ? pid : undefined;
}
