// An L2 watcher on the router's LAN segment: probes a set of L2 Service IPs every 20 ms from
// inside the router's namespace (ARP for IPv4, Neighbour Solicitation for IPv6; l2-watch-child.ts
// does the packets) and records every answer's MAC with its time. Per IP it reports the longest
// silence (the longest gap between answers) and every probe round answered by two MACs. The
// watcher's own longest gap between probe rounds is reported beside it: a silence no longer than
// that is the watcher stalling, not the speakers. It can also sweep thousands of IPs once ("does
// every burst IP answer?"). The analysis is pure (analyseIp); the class is the thin shell.
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { ChildProcess } from 'node:child_process';
import { nsSpawn, stopProcess } from '@herald/lab';

export interface Answer {
  readonly t: number;
  readonly ip: string;
  readonly mac: string;
}

export interface IpReport {
  readonly ip: string;
  readonly answers: number;
  /** The longest time in [from, to] without an answer, window edges included. */
  readonly maxSilenceMs: number;
  /** When that silence began. */
  readonly silenceFrom: number;
  /** Probe rounds whose answers (until the next round) came from more than one MAC. */
  readonly doubles: readonly { readonly t: number; readonly macs: readonly string[] }[];
  readonly macs: readonly string[];
}

/**
 * Silence and double answers of one IP in [from, to]. `rounds` are the probe rounds' send times
 * (sorted); an answer belongs to the last round sent before it.
 */
export function analyseIp(ip: string, rounds: readonly number[], answers: readonly Answer[], from: number, to: number): IpReport {
  const mine = answers.filter((a) => a.ip === ip && a.t >= from && a.t <= to).sort((a, b) => a.t - b.t);
  let maxSilenceMs = 0;
  let silenceFrom = from;
  let prev = from;
  for (const a of [...mine, { t: to, ip, mac: '' }]) {
    if (a.t - prev > maxSilenceMs) {
      maxSilenceMs = a.t - prev;
      silenceFrom = prev;
    }
    prev = a.t;
  }
  const doubles: { t: number; macs: string[] }[] = [];
  let r = 0;
  let open: { t: number; macs: Set<string> } | undefined;
  const close = (): void => {
    if (open && open.macs.size > 1) doubles.push({ t: open.t, macs: [...open.macs].sort() });
  };
  for (const a of mine) {
    // Advance to the last round sent at or before this answer.
    let round: number | undefined;
    while (r < rounds.length && rounds[r]! <= a.t) round = rounds[r++];
    if (round !== undefined) {
      close();
      open = { t: round, macs: new Set() };
    }
    open?.macs.add(a.mac);
  }
  close();
  return { ip, answers: mine.length, maxSilenceMs, silenceFrom, doubles, macs: [...new Set(mine.map((a) => a.mac))].sort() };
}

/** The longest gap between the watcher's own probe rounds in [from, to] (its own stalls). */
export function longestRoundGap(rounds: readonly number[], from: number, to: number): number {
  const xs = rounds.filter((t) => t >= from && t <= to);
  let max = 0;
  for (let i = 1; i < xs.length; i++) max = Math.max(max, xs[i]! - xs[i - 1]!);
  return max;
}

/** The gaps of at least `minMs` between consecutive probe rounds in [from, to]. */
export function roundGaps(rounds: readonly number[], from: number, to: number, minMs: number): { from: number; to: number }[] {
  const xs = rounds.filter((t) => t >= from && t <= to);
  const out: { from: number; to: number }[] = [];
  for (let i = 1; i < xs.length; i++) if (xs[i]! - xs[i - 1]! >= minMs) out.push({ from: xs[i - 1]!, to: xs[i]! });
  return out;
}

export interface SweepAnswer {
  /** When the IP first answered (epoch ms, the watcher's clock). */
  readonly t: number;
  readonly macs: readonly string[];
}

export class L2WatchError extends Error {
  override readonly name = 'L2WatchError';
}

const CHILD = fileURLToPath(new URL('./l2-watch-child.js', import.meta.url));
/** Bounded memory: a watch of 10 IPs at 20 ms for 30 minutes stays below these. */
const MAX_ROUNDS = 200_000;
const MAX_ANSWERS = 2_000_000;

export class L2Watch {
  readonly rounds: number[] = [];
  readonly answers: Answer[] = [];
  /** Lines the child printed that were not reports (its errors), the last few. */
  readonly errors: string[] = [];
  private readonly child: ChildProcess;
  private readonly sweeps = new Map<number, (r: { answered: Record<string, SweepAnswer>; sendErrors: number }) => void>();
  private nextSweep = 1;
  private dropped = 0;

  private constructor(ns: string, iface: string, ip4: string, ip6: string) {
    // At nice -10: the watcher stands in for the router, a separate machine; the CPU hog must
    // starve the speakers, not the instrument (its own stalls are still reported).
    this.child = nsSpawn(ns, ['nice', '-n', '-10', process.execPath, CHILD, '--iface', iface, '--ip4', ip4, '--ip6', ip6], { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stderr! }).on('line', (l) => {
      if (this.errors.length >= 20) this.errors.shift();
      this.errors.push(l);
    });
  }

  /** Starts the probe process in ns and resolves once its socket is open (10 s at most). */
  static async start(ns: string, opts: { iface?: string; ip4: string; ip6: string }): Promise<L2Watch> {
    const w = new L2Watch(ns, opts.iface ?? 'eth0', opts.ip4, opts.ip6);
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new L2WatchError(`the L2 watcher in ${ns} did not start in 10 s: ${w.errors.join(' | ')}`)), 10_000);
        w.child.once('exit', (code) => {
          clearTimeout(timer);
          reject(new L2WatchError(`the L2 watcher in ${ns} exited ${String(code)}: ${w.errors.join(' | ')}`));
        });
        createInterface({ input: w.child.stdout! }).on('line', (line) => {
          if (w.onLine(line)) {
            clearTimeout(timer);
            resolve();
          }
        });
      });
    } catch (err) {
      await w.stop();
      throw err;
    }
    return w;
  }

  /** Handles one report line; true for the ready line. */
  private onLine(line: string): boolean {
    let o: { ready?: boolean; p?: number; a?: number; ip?: string; mac?: string; sweep?: number; answered?: Record<string, SweepAnswer>; sendErrors?: number };
    try {
      o = JSON.parse(line) as typeof o;
    } catch {
      return false;
    }
    if (typeof o.p === 'number') {
      if (this.rounds.length < MAX_ROUNDS) this.rounds.push(o.p);
      else this.dropped++;
    } else if (typeof o.a === 'number' && o.ip && o.mac) {
      if (this.answers.length < MAX_ANSWERS) this.answers.push({ t: o.a, ip: o.ip, mac: o.mac });
      else this.dropped++;
    } else if (typeof o.sweep === 'number') {
      this.sweeps.get(o.sweep)?.({ answered: o.answered ?? {}, sendErrors: o.sendErrors ?? 0 });
      this.sweeps.delete(o.sweep);
    }
    return o.ready === true;
  }

  private command(c: unknown): void {
    if (this.child.exitCode !== null || this.child.signalCode !== null) throw new L2WatchError(`the L2 watcher has exited: ${this.errors.join(' | ')}`);
    this.child.stdin!.write(JSON.stringify(c) + '\n');
  }

  /** Probes these IPs every intervalMs from now on (replaces the watched set). */
  watch(ips: readonly string[], intervalMs = 20): void {
    this.command({ cmd: 'watch', ips, intervalMs });
  }

  /**
   * Probes each IP once (paced at perSecond) and resolves with, for each IP that answered within
   * waitMs after the last probe, when it first did and every MAC that did. Bounded: rejects if
   * the watcher does not report in time.
   */
  sweep(ips: readonly string[], opts: { waitMs?: number; perSecond?: number } = {}): Promise<Map<string, SweepAnswer>> {
    const id = this.nextSweep++;
    const waitMs = opts.waitMs ?? 500;
    const perSecond = opts.perSecond ?? 5000;
    const budget = waitMs + (ips.length / perSecond) * 1000 * 3 + 10_000;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.sweeps.delete(id);
        reject(new L2WatchError(`sweep of ${ips.length} IPs got no report in ${Math.round(budget)} ms`));
      }, budget);
      this.sweeps.set(id, (r) => {
        clearTimeout(timer);
        resolve(new Map(Object.entries(r.answered)));
      });
      try {
        this.command({ cmd: 'sweep', id, ips, waitMs, perSecond });
      } catch (err) {
        clearTimeout(timer);
        this.sweeps.delete(id);
        reject(err instanceof Error ? err : new L2WatchError(String(err)));
      }
    });
  }

  /** Per IP, silence and doubles in [from, to]. */
  report(ips: readonly string[], from: number, to: number): IpReport[] {
    return ips.map((ip) => analyseIp(ip, this.rounds, this.answers, from, to));
  }

  /** The watcher's own longest gap between probe rounds in [from, to]. */
  selfGap(from: number, to: number): number {
    return longestRoundGap(this.rounds, from, to);
  }

  /** The watcher's own gaps between probe rounds of at least `minMs` in [from, to]. */
  selfGaps(from: number, to: number, minMs: number): { from: number; to: number }[] {
    return roundGaps(this.rounds, from, to, minMs);
  }

  /** Reports lost to the memory bound (0 in any run of sane length). */
  get droppedReports(): number {
    return this.dropped;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.stdin?.end(JSON.stringify({ cmd: 'stop' }) + '\n');
    await stopProcess(this.child, 'SIGTERM', 2000);
  }
}
