// Where the CPU went during a bench window: each Herald process's CPU time (utime + stime from
// /proc) and this process's, which hosts the lab's embedded API server, with its event-loop
// utilisation. A window where the API server's loop is busy nearly all the time is bound by the
// lab's API server, not by the components; the rows say which.
import { readFileSync } from 'node:fs';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import type { Lab } from '@herald/lab';
import { parsePidStatTicks } from './cpu-hog.js';

/** Clock ticks per second (USER_HZ): 100 on every Linux this runs on. */
const HZ = 100;

export interface CpuShare {
  readonly seconds: number;
  /** role -> cores used on average over the window (1 = one core busy all the time). */
  readonly cores: ReadonlyMap<string, number>;
  /** This process's event loop: share of the window it was busy, 0..1. */
  readonly apiServerLoop: number;
}

function ticks(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    return parsePidStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return NaN;
  }
}

export class CpuShareWindow {
  private readonly t0 = performance.now();
  private readonly elu0: EventLoopUtilization = performance.eventLoopUtilization();
  private readonly roles: readonly string[];
  private readonly start: ReadonlyMap<string, number>;

  constructor(private readonly lab: Lab) {
    this.roles = ['apiserver+bench', 'controller', ...lab.plan.nodes.map((n) => `speaker-${n.name}`)];
    this.start = new Map(this.roles.map((r) => [r, ticks(this.pidOf(r))]));
  }

  private pidOf(role: string): number | undefined {
    return role === 'apiserver+bench' ? process.pid : this.lab.pid(role);
  }

  end(): CpuShare {
    const seconds = (performance.now() - this.t0) / 1000;
    const cores = new Map(this.roles.map((r) => [r, (ticks(this.pidOf(r)) - this.start.get(r)!) / HZ / seconds]));
    return { seconds, cores, apiServerLoop: performance.eventLoopUtilization(this.elu0).utilization };
  }
}

export function describeCpuShare(c: CpuShare): string {
  const parts = [...c.cores].map(([r, x]) => `${r} ${Number.isFinite(x) ? x.toFixed(2) : '?'}`);
  return `cores used over ${c.seconds.toFixed(1)} s: ${parts.join(', ')}; the API server's event loop (this process, also the creator) busy ${(c.apiServerLoop * 100).toFixed(0)}% of the time`;
}
