// herald-controller as its own process, as it runs in a cluster: started from its shipped bundle
// (lab/src/site/shipped.ts) with a kubeconfig file, watched through /readyz and /metrics, its
// memory read from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { deployedEnv, programFile, repoRoot } from '@herald/lab';

export interface Rss {
  /** VmRSS, MB. */
  readonly rss: number;
  /** RssAnon (heap and other private memory, no file-backed pages), MB. */
  readonly anon: number;
}

export function rssOf(pid: number): Rss {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, anon: kb('RssAnon') / 1024 };
}

export const fmtRss = (r: Rss): string => `VmRSS ${r.rss.toFixed(0)} MB, RssAnon ${r.anon.toFixed(0)} MB`;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface ControllerProcess {
  readonly pid: number;
  readonly startedAt: number;
  ready(): Promise<boolean>;
  /** Sums of the controller's own metrics (by name, all label sets added). */
  metrics(): Promise<Map<string, number>>;
  rss(): Rss;
  stop(): Promise<void>;
}

/** `bin`: another build of herald-controller (default: this checkout's). */
export async function startControllerProcess(kubeconfigFile: string, extraArgs: readonly string[] = [], cpuProfDir?: string, bin = programFile(repoRoot(), 'controller')): Promise<ControllerProcess> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const execArgs = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  const startedAt = performance.now();
  const child: ChildProcess = spawn(process.execPath, [...execArgs, bin, '--kubeconfig', kubeconfigFile, '--no-leader-elect', '--identity', 'bench', '--metrics-addr', `127.0.0.1:${port}`, '--log-level', 'warn', ...extraArgs], {
    stdio: ['ignore', 'ignore', 'inherit'],
    // As the Deployment runs it (config/controller/deployment.yaml: heap caps, MALLOC_ARENA_MAX).
    env: { ...process.env, ...deployedEnv('controller') },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const get = async (path: string): Promise<{ status: number; text: string } | undefined> => {
    try {
      const r = await fetch(base + path, { signal: AbortSignal.timeout(5000) });
      return { status: r.status, text: await r.text() };
    } catch {
      return undefined;
    }
  };
  return {
    pid: child.pid ?? -1,
    startedAt,
    ready: async () => (await get('/readyz'))?.status === 200,
    metrics: async () => {
      const out = new Map<string, number>();
      const r = await get('/metrics');
      for (const line of (r?.text ?? '').split('\n')) {
        const m = /^([a-z_]+)(?:\{[^}]*\})? ([0-9.e+-]+)$/.exec(line);
        if (m) out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[2]));
      }
      return out;
    },
    rss: () => rssOf(child.pid ?? -1),
    stop: async () => {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}
