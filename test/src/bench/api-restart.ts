// An API server restart on a settled lab (issue 12: "API server restart with 10,000 Services:
// time to resync, UPDATEs sent (goal 0) and writes made (goal 0)"). The lab's API server is
// killed and started again over the same storage (Lab.restartApiServer): every watch is cut, so
// every informer of the controller and the speakers fails, lists again and re-watches. Measured:
// - resync: from the kill until the last informer that failed logged `informer-recovered`
//   (shared/src/k8s/informer.ts), read from every component's log;
// - route updates and withdraws BIRD received on all sessions (its own counters), from before
//   the kill until a settle period after the resync;
// - writes the components made in the same window, as the API server saw them (every request
//   that is not a GET or a watch), by resource; Lease renewals are counted apart: they are the
//   liveness the components keep up whatever happens, not state being re-written.
// The log parsing is pure; the rest is the thin shell.
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BirdRouter, Lab, RequestRecord } from '@herald/lab';

/** The informers that failed after `since`, and when each last recovered (ms since the epoch). */
export interface InformerEpisodes {
  readonly failed: ReadonlySet<string>;
  readonly recoveredAt: ReadonlyMap<string, number>;
}

/** From one component's JSON-line log: `informer-error` / `informer-recovered` at or after `since`. */
export function informerEpisodes(lines: readonly string[], role: string, since: number): InformerEpisodes {
  const failed = new Set<string>();
  const recoveredAt = new Map<string, number>();
  for (const line of lines) {
    if (!line.includes('"informer-')) continue;
    let r: Record<string, unknown>;
    try {
      r = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const t = Date.parse(typeof r['ts'] === 'string' ? r['ts'] : '');
    if (!Number.isFinite(t) || t < since) continue;
    const name = `${role}/${typeof r['informer'] === 'string' ? r['informer'] : '?'}`;
    if (r['event'] === 'informer-error') failed.add(name);
    else if (r['event'] === 'informer-recovered') recoveredAt.set(name, t);
  }
  return { failed, recoveredAt };
}

/** Writes by resource ("services/status", "events", ...), from an API path. */
export function writeKind(path: string): string {
  const p = path.split('?')[0]!.split('/').filter(Boolean);
  // /api/v1/namespaces/NS/RES[/NAME[/SUB]] or /apis/G/V/namespaces/NS/RES[/NAME[/SUB]], or cluster-scoped.
  const rest = p[0] === 'api' ? p.slice(2) : p.slice(3);
  const r = rest[0] === 'namespaces' && rest.length > 2 ? rest.slice(2) : rest;
  return r.length >= 3 ? `${r[0]}/${r[2]}` : (r[0] ?? path);
}

export interface RestartOutcome {
  readonly downMs: number;
  /** Kill -> the last failed informer recovered; undefined if some never did within the budget. */
  readonly resyncMs: number | undefined;
  readonly informers: number;
  readonly notRecovered: readonly string[];
  readonly routeUpdates: number;
  readonly routeWithdraws: number;
  /** Non-GET requests by kind, Leases left out. */
  readonly writes: ReadonlyMap<string, number>;
  readonly leaseWrites: number;
  readonly settleMs: number;
  /** How long the lab took to go quiet (no write but Lease renewals for quietMs) before the kill. */
  readonly quietAfterMs: number | undefined;
  readonly quietMs: number;
}

/**
 * A component's log from a byte offset on: the resync loop polls every 250 ms, and at 10,000
 * Services the logs are megabytes, so only what was appended since the kill is read.
 */
class LogTail {
  private readonly file: string;
  private readonly from: number;

  constructor(lab: Lab, role: string) {
    this.file = join(lab.dir, 'logs', `${role}.log`);
    this.from = existsSync(this.file) ? statSync(this.file).size : 0;
  }

  lines(): string[] {
    if (!existsSync(this.file)) return [];
    const size = statSync(this.file).size;
    if (size <= this.from) return [];
    const buf = Buffer.alloc(size - this.from);
    const fd = openSync(this.file, 'r');
    try {
      readSync(fd, buf, 0, buf.length, this.from);
    } finally {
      closeSync(fd);
    }
    return buf.toString('utf8').split('\n');
  }
}

async function importTotals(router: BirdRouter): Promise<{ updates: number; withdraws: number }> {
  let updates = 0;
  let withdraws = 0;
  for (const s of (await router.importStats()).values()) {
    updates += s.updates;
    withdraws += s.withdraws;
  }
  return { updates, withdraws };
}

/** Restarts the API server under a settled lab and counts what the components did about it. */
export async function apiServerRestart(lab: Lab, router: BirdRouter, o: { budgetMs: number; settleMs: number; quietMs: number }): Promise<RestartOutcome> {
  const roles = ['controller', ...lab.plan.nodes.map((n) => `speaker-${n.name}`)];
  const writes = new Map<string, number>();
  let leaseWrites = 0;
  let counting = false;
  let lastWrite = Date.now();
  lab.onApiRequest = (r: RequestRecord) => {
    if (r.method === 'GET' || r.watch) return;
    const k = writeKind(r.path);
    if (k.startsWith('leases')) {
      if (counting) leaseWrites++;
      return;
    }
    lastWrite = Date.now();
    if (counting) writes.set(`${r.method} ${k}`, (writes.get(`${r.method} ${k}`) ?? 0) + 1);
  };
  try {
    // Settled first: status objects are written at the speakers' client-side rate, so a lab can
    // hold prefixes in BIRD while its statuses still trail. Bounded: budgetMs, every 250 ms.
    const q0 = Date.now();
    let quietAfterMs: number | undefined;
    for (let i = 0; i < 100_000 && Date.now() - q0 < o.budgetMs; i++) {
      if (Date.now() - lastWrite >= o.quietMs) {
        quietAfterMs = Date.now() - q0;
        break;
      }
      await sleep(250);
    }
    const before = await importTotals(router);
    counting = true;
    const tails = roles.map((role) => new LogTail(lab, role));
    const t0 = Date.now();
    const r = await lab.restartApiServer();
    let resyncMs: number | undefined;
    let eps: InformerEpisodes[] = [];
    // What the resync still waits for: informers that failed and have not recovered, and
    // components that have not yet shown the cut at all (every one of them must).
    let waiting: string[] = [];
    // Bounded: budgetMs, polled every 250 ms.
    for (let k = 0; k < 100_000 && Date.now() - t0 < o.budgetMs; k++) {
      await sleep(250);
      eps = roles.map((role, i) => informerEpisodes(tails[i]!.lines(), role, t0));
      waiting = eps.flatMap((e, i) => (e.failed.size === 0 ? [`${roles[i]!} (no informer failed)`] : [...e.failed].filter((n) => !e.recoveredAt.has(n))));
      if (waiting.length === 0) {
        resyncMs = Math.max(...eps.flatMap((e) => [...e.recoveredAt.values()])) - t0;
        break;
      }
    }
    await sleep(o.settleMs);
    const after = await importTotals(router);
    return {
      downMs: r.downMs,
      resyncMs,
      informers: eps.reduce((a, e) => a + e.failed.size, 0),
      notRecovered: resyncMs === undefined ? waiting : [],
      routeUpdates: after.updates - before.updates,
      routeWithdraws: after.withdraws - before.withdraws,
      writes,
      leaseWrites,
      settleMs: o.settleMs,
      quietAfterMs,
      quietMs: o.quietMs,
    };
  } finally {
    lab.onApiRequest = undefined;
  }
}

export function describeRestart(x: RestartOutcome): { resync: string; changes: string } {
  const w = [...x.writes].sort((a, b) => b[1] - a[1]);
  const total = w.reduce((a, [, n]) => a + n, 0);
  return {
    resync: x.resyncMs === undefined ? `not resynced: ${x.notRecovered.join(', ')}` : `${(x.resyncMs / 1000).toFixed(1)} s (${x.informers} informers failed and recovered; the server was down ${x.downMs.toFixed(0)} ms)`,
    changes: `${x.routeUpdates} route updates and ${x.routeWithdraws} withdraws at BIRD, ${total} writes${total ? ` (${w.map(([k, n]) => `${k} ${n}`).join(', ')})` : ''}; beside them ${x.leaseWrites} Lease renewals (liveness, always); counted from before the kill until ${(x.settleMs / 1000).toFixed(0)} s after the resync, on a lab ${x.quietAfterMs === undefined ? 'that never went quiet (writes still trailing)' : `quiet (no write for ${(x.quietMs / 1000).toFixed(0)} s) after ${(x.quietAfterMs / 1000).toFixed(1)} s of waiting`}`,
  };
}
