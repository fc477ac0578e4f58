// A CPU hog for the loaded benches (DESIGN §8 "under load"): one busy-loop process per core,
// each pinned with `taskset -c i`, at nice 0 like the workloads an operator runs beside Herald.
// Every hog has a hard lifetime twice over: it exits by itself at its deadline, and the parent
// SIGKILLs it then if it did not. start() checks from /proc/stat that every core is really busy
// (and from /proc/PID/stat how much of it each hog got), so a row never claims a load it lacked.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, getPriority, setPriority } from 'node:os';
import { stopProcess } from '@herald/lab';

/** One CPU line of /proc/stat, in clock ticks. */
export interface CpuTimes {
  readonly cpu: number;
  readonly busy: number;
  readonly total: number;
}

/** Per-core counters from /proc/stat text ("cpuN user nice system idle iowait irq softirq steal ..."). */
export function parseProcStat(text: string): CpuTimes[] {
  const out: CpuTimes[] = [];
  for (const line of text.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    // guest and guest_nice (fields 9, 10) are already inside user and nice.
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = f;
    const total = user + nice + system + idle + iowait + irq + softirq + steal;
    out.push({ cpu: Number(m[1]), busy: total - idle - iowait, total });
  }
  return out;
}

/** Busy fraction of each core between two samples (0..1); NaN for a core with no ticks. */
export function busyFractions(a: readonly CpuTimes[], b: readonly CpuTimes[]): number[] {
  return b.map((y) => {
    const x = a.find((c) => c.cpu === y.cpu);
    const dt = x ? y.total - x.total : 0;
    return x && dt > 0 ? (y.busy - x.busy) / dt : NaN;
  });
}

/** utime + stime of a process from /proc/PID/stat text, in clock ticks. */
export function parsePidStatTicks(text: string): number {
  // The command name is in parentheses and may hold spaces: fields are counted after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state); utime and stime are fields 14 and 15.
  return Number(rest[11]) + Number(rest[12]);
}

const readStat = (): CpuTimes[] => parseProcStat(readFileSync('/proc/stat', 'utf8'));
const pidTicks = (pid: number): number => {
  try {
    return parsePidStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return NaN;
  }
};

/**
 * The kernel's CPU pressure (PSI, /proc/pressure/cpu "some avg10"): the share of the last 10 s in
 * which at least one runnable task waited for a CPU, 0..1; undefined where PSI is off. It tells a
 * run that shared the machine with other work from one that did not, whatever the load figures.
 */
export function cpuPressure(text?: string): number | undefined {
  let t = text;
  if (t === undefined) {
    try {
      t = readFileSync('/proc/pressure/cpu', 'utf8');
    } catch {
      return undefined;
    }
  }
  const m = /^some avg10=([\d.]+)/m.exec(t);
  return m ? Number(m[1]) / 100 : undefined;
}

export interface HogCheck {
  /** Busy fraction of each core over the sample (everything on it, the hog included). */
  readonly coreBusy: readonly number[];
  /** Fraction of a core each hog process got over the sample. */
  readonly hogShare: readonly number[];
  readonly sampleMs: number;
}

/** "cores 100%, 99% busy; hogs got 71%, 68%". */
export function describeHog(c: HogCheck): string {
  const pct = (x: number): string => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '?');
  return `cores ${c.coreBusy.map(pct).join(', ')} busy; hogs got ${c.hogShare.map(pct).join(', ')} of a core`;
}

/** The clock tick (USER_HZ); 100 on every Linux this runs on. */
const USER_HZ = 100;

/** Samples /proc/stat (and the hogs' own counters) over sampleMs. */
export async function sampleCores(pids: readonly number[], sampleMs = 1000): Promise<HogCheck> {
  const a = readStat();
  const pa = pids.map(pidTicks);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, sampleMs));
  const b = readStat();
  const pb = pids.map(pidTicks);
  const ms = performance.now() - t0;
  return { coreBusy: busyFractions(a, b), hogShare: pids.map((_, i) => (pb[i]! - pa[i]!) / USER_HZ / (ms / 1000)), sampleMs: ms };
}

export class CpuHogError extends Error {
  override readonly name = 'CpuHogError';
}

export class CpuHog {
  private readonly kids: ChildProcess[] = [];
  private readonly killer: NodeJS.Timeout;
  /** What start() measured with the hogs on. */
  check: HogCheck | undefined;

  private constructor(
    readonly cores: number,
    readonly lifetimeMs: number,
  ) {
    const end = Date.now() + lifetimeMs;
    // The busy loop checks the time every 2^20 iterations, so it exits at its deadline alone.
    const script = `const end=${end};let i=0;for(;;){if((++i&0xfffff)===0&&Date.now()>end)break;}`;
    for (let i = 0; i < cores; i++) {
      const c = spawn('taskset', ['-c', String(i), process.execPath, '-e', script], { stdio: 'ignore' });
      this.kids.push(c);
      // Nice 0 whatever this process runs at: the hog competes like an ordinary workload.
      if (c.pid !== undefined && getPriority(c.pid) !== 0) setPriority(c.pid, 0);
    }
    this.killer = setTimeout(() => void this.stop(), lifetimeMs + 2000);
    this.killer.unref();
  }

  /**
   * Starts one hog per core (default: every core) for at most lifetimeMs, then checks that each
   * core is at least minBusy busy; throws (after stopping the hogs) if not.
   */
  static async start(opts: { lifetimeMs: number; cores?: number; minBusy?: number }): Promise<CpuHog> {
    const cores = opts.cores ?? cpus().length;
    if (!Number.isInteger(cores) || cores < 1 || cores > cpus().length) throw new CpuHogError(`cores must be 1 to ${cpus().length}, not ${String(opts.cores)}`);
    if (!(opts.lifetimeMs > 0 && opts.lifetimeMs <= 60 * 60_000)) throw new CpuHogError(`lifetimeMs must be in (0, 1 h], not ${String(opts.lifetimeMs)}`);
    const hog = new CpuHog(cores, opts.lifetimeMs);
    try {
      await new Promise((r) => setTimeout(r, 300));
      const dead = hog.kids.filter((k) => k.exitCode !== null || k.signalCode !== null);
      if (dead.length) throw new CpuHogError(`${dead.length} of ${cores} hogs exited at once (taskset missing?)`);
      hog.check = await sampleCores(hog.pids(), 1000);
      const low = hog.check.coreBusy.slice(0, cores).filter((x) => !(x >= (opts.minBusy ?? 0.9)));
      if (low.length) throw new CpuHogError(`the hog did not load every core: ${describeHog(hog.check)}`);
    } catch (err) {
      await hog.stop();
      throw err;
    }
    return hog;
  }

  pids(): number[] {
    return this.kids.flatMap((k) => (k.pid === undefined ? [] : [k.pid]));
  }

  get running(): boolean {
    return this.kids.some((k) => k.exitCode === null && k.signalCode === null);
  }

  /** Measures again (e.g. at the end of a run, to show the hog lasted). */
  async sample(sampleMs = 1000): Promise<HogCheck> {
    return sampleCores(this.pids(), sampleMs);
  }

  /** Kills every hog and reaps it. Safe to call twice. */
  async stop(): Promise<void> {
    clearTimeout(this.killer);
    await Promise.all(this.kids.map((k) => stopProcess(k, 'SIGKILL', 2000)));
  }
}
