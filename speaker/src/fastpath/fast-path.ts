// The main thread's handle on the packet thread (worker.ts): starts it, forwards the member set,
// Lease renewals and L2 rankings to it, and keeps the latest membership it reports, for the
// reconciler (status objects, Events) and for metrics. It is the speaker's MembershipPort: the
// live set and the fence are the packet thread's, as of its last report.
import { Worker } from 'node:worker_threads';
import type { Logger } from '@herald/shared/log';
import type { Registry } from '@herald/shared/metrics';
import type { L2Slot } from '../layer2/owner-table.js';
import type { MemberFacts } from '../membership/liveness-types.js';
import type { MembershipPort } from '../reconcile/ports.js';
import type { BfdSessionStatus } from '../bfd/endpoint.js';
import type { BfdPort, BfdSessionWire, BfdStateChange } from '../bfd/port.js';
import type { DropType } from '../wire/bfd/index.js';
import { FastPathMetrics } from './metrics.js';
import type { FastPathInit, FromWorker, MembershipReport, ToWorker, WorkerCounters } from './protocol.js';

export interface FastPathOptions {
  readonly init: FastPathInit;
  readonly log: Logger;
  readonly registry?: Registry;
  /** The packet thread died or failed: the speaker cannot answer ARP or heartbeat; it should exit. */
  readonly onFailure: (why: string) => void;
  /** Heap limits of the packet thread (MB); small by default: it holds rankings and sockets. */
  readonly maxOldGenerationSizeMb?: number;
}

export class FastPathError extends Error {
  override readonly name = 'FastPathError';
}

const workerUrl = new URL('./worker.js', import.meta.url);

export class FastPath implements MembershipPort, BfdPort {
  private readonly bfdListeners: ((c: BfdStateChange) => void)[] = [];
  private readonly bfdStatuses = new Map<string, BfdSessionStatus>();
  private bfdDropCounts: ReadonlyMap<DropType, number> = new Map();
  private report: MembershipReport = { live: [], fenced: true, fenceReason: 'starting', mode: 'lease', statuses: [] };
  private liveSet: ReadonlySet<string> = new Set();
  private readonly listeners: (() => void)[] = [];
  private open: readonly string[] = [];
  private leaving: { resolve: (r: { outcome: string; missing: readonly string[] }) => void } | undefined;
  private stopping: (() => void) | undefined;
  private exited = false;
  private readonly metrics: FastPathMetrics | undefined;
  /** The packet thread's latest counters (heartbeats sent and accepted, its own lag...). */
  counters: WorkerCounters | undefined;
  /** When the packet thread last reported (ms, Date.now); health checks read it. */
  lastReportAt = Date.now();
  incarnation = '';
  heartbeatPort = 0;

  private constructor(
    private readonly worker: Worker,
    o: FastPathOptions,
  ) {
    this.metrics = o.registry ? new FastPathMetrics(o.registry) : undefined;
  }

  /** Starts the packet thread; resolves once its sockets are bound (rejects if they cannot be). */
  static start(o: FastPathOptions): Promise<FastPath> {
    const worker = new Worker(workerUrl, {
      workerData: o.init,
      resourceLimits: { maxOldGenerationSizeMb: o.maxOldGenerationSizeMb ?? 64, maxYoungGenerationSizeMb: 8 },
      stdout: false,
      stderr: false,
    });
    const fp = new FastPath(worker, o);
    return new Promise((resolve, reject) => {
      let started = false;
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          started = true;
          fp.incarnation = m.incarnation;
          fp.heartbeatPort = m.heartbeatPort;
          resolve(fp);
        } else if (m.type === 'fatal') {
          if (!started) reject(new FastPathError(`packet thread: ${m.message}`));
          else o.onFailure(`packet thread: ${m.message}`);
        } else fp.receive(m);
      });
      worker.on('error', (err: Error) => {
        const why = `packet thread crashed: ${err.message}`;
        if (!started) reject(new FastPathError(why, { cause: err }));
        else if (!fp.stopping) o.onFailure(why);
      });
      worker.on('exit', (code) => {
        fp.exited = true;
        fp.stopping?.();
        if (started && !fp.stopping) o.onFailure(`packet thread exited (code ${code})`);
        if (!started) reject(new FastPathError(`packet thread exited before it was ready (code ${code})`));
      });
    });
  }

  private send(m: ToWorker): void {
    if (!this.exited) this.worker.postMessage(m);
  }

  private receive(m: FromWorker): void {
    this.lastReportAt = Date.now();
    switch (m.type) {
      case 'membership': {
        // The packet thread's Membership logs member-status and self-fenced itself (straight to
        // fd 2, whatever this thread is doing), so nothing is logged twice here.
        this.report = m.report;
        this.liveSet = new Set(m.report.live);
        this.metrics?.membership(m.report);
        for (const l of this.listeners) l();
        return;
      }
      case 'interfaces':
        this.open = m.open;
        return;
      case 'counters':
        this.counters = m.counters;
        this.metrics?.counters(m.counters, m.l2, m.held);
        return;
      case 'left':
        this.leaving?.resolve({ outcome: m.outcome, missing: m.missing });
        this.leaving = undefined;
        return;
      case 'bfd-state':
        if (m.status) this.bfdStatuses.set(m.change.key, m.status);
        for (const l of this.bfdListeners) l(m.change);
        return;
      case 'bfd-report':
        this.bfdStatuses.clear();
        for (const s of m.sessions) this.bfdStatuses.set(s.key, s);
        this.bfdDropCounts = new Map(m.drops as readonly (readonly [DropType, number])[]);
        return;
      case 'stopped':
        return;
      case 'ready':
      case 'fatal':
        return;
    }
  }

  // MembershipPort

  live(): ReadonlySet<string> {
    return this.liveSet;
  }

  fenced(): boolean {
    return this.report.fenced;
  }

  /** The packet thread's last report says it is unfenced and past its start-up waits. */
  settled(): boolean {
    return this.counters?.settled === true;
  }

  onChange(cb: () => void): void {
    this.listeners.push(cb);
  }

  ackHandoffs(): void {
    // The packet thread acks a leaver once it has re-picked the leaver's IPs itself.
  }

  leave(deadlineMs: number): Promise<{ readonly outcome: string; readonly missing: readonly string[] }> {
    return new Promise((resolve) => {
      this.leaving = { resolve };
      this.send({ type: 'leave', deadlineMs });
    });
  }

  // Inputs

  setMembers(facts: ReadonlyMap<string, MemberFacts>, addresses: ReadonlyMap<string, readonly string[]>): void {
    this.send({ type: 'members', facts: [...facts], addresses: [...addresses] });
  }

  ownLeaseRenewed(sentAt: number, renewKey: string): void {
    this.send({ type: 'lease-renewed', sentAt, renewKey });
  }

  /** New or changed L2 rankings and IPs gone (`reset`: replaces all). */
  setL2(upserts: readonly L2Slot[], removes: readonly string[], reset = false): void {
    if (upserts.length === 0 && removes.length === 0 && !reset) return;
    this.send({ type: 'l2', upserts, removes, ...(reset ? { reset } : {}) });
  }

  // BfdPort: the sessions run on the packet thread.

  setBfdSessions(sessions: readonly BfdSessionWire[]): void {
    const keep = new Set(sessions.map((s) => s.key));
    for (const k of [...this.bfdStatuses.keys()]) if (!keep.has(k)) this.bfdStatuses.delete(k);
    this.send({ type: 'bfd', sessions });
  }

  onBfdState(cb: (c: BfdStateChange) => void): void {
    this.bfdListeners.push(cb);
  }

  bfdStatus(key: string): BfdSessionStatus | undefined {
    return this.bfdStatuses.get(key);
  }

  bfdDrops(): ReadonlyMap<DropType, number> {
    return this.bfdDropCounts;
  }

  /** The L2 interfaces open now (for status objects when an advertisement names none). */
  interfaces(): string[] {
    return [...this.open];
  }

  /** The latest membership report. */
  membership(): MembershipReport {
    return this.report;
  }

  /** Stops answering and sending; resolves when the thread has exited (or after `waitMs`). */
  async stop(waitMs = 2000): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((resolve) => (this.stopping = resolve));
    this.send({ type: 'stop' });
    let t: NodeJS.Timeout | undefined;
    await Promise.race([gone, new Promise<void>((r) => (t = setTimeout(r, waitMs)))]);
    clearTimeout(t);
    if (!this.exited) await this.worker.terminate();
  }
}
