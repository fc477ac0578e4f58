// Freezing a router daemon inside its namespace (SIGSTOP / SIGCONT), so a test can stop the
// receiver from reading while the speaker keeps writing: TCP backpressure for real.
import { readFile } from 'node:fs/promises';
import { run } from '@herald/lab';

/** The pids in namespace `ns` whose command name is `comm` (e.g. 'bird', 'bgpd'). */
export async function pidsNamed(ns: string, comm: string): Promise<number[]> {
  const pids = (await run(['ip', 'netns', 'pids', ns])).split(/\s+/).filter(Boolean).map(Number);
  const out: number[] = [];
  for (const pid of pids) {
    const name = await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '');
    if (name.trim() === comm) out.push(pid);
  }
  return out;
}

/** A frozen daemon; thaw() resumes it (call it in `finally`). */
export interface Frozen {
  readonly pids: readonly number[];
  thaw(): void;
}

export async function freeze(ns: string, comm: string): Promise<Frozen> {
  const pids = await pidsNamed(ns, comm);
  if (pids.length === 0) throw new Error(`no process named ${comm} in namespace ${ns}`);
  for (const p of pids) process.kill(p, 'SIGSTOP');
  let thawed = false;
  return {
    pids,
    thaw() {
      if (thawed) return;
      thawed = true;
      for (const p of pids) {
        try {
          process.kill(p, 'SIGCONT');
        } catch {
          // Already gone: nothing to resume.
        }
      }
    },
  };
}
