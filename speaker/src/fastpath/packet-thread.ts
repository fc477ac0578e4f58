// The speaker's packet thread, as a class with its I/O injected (worker.ts wires the real
// sockets and the message port; tests drive it directly). It owns what must never wait for the
// bulk of the speaker: heartbeats, liveness and fencing (Membership), the ARP/NDP answers and
// gratuitous bursts (L2Announcer), and the owner of each L2 IP, picked from the rankings the
// main thread sends (OwnerTable). A membership change moves IPs here and now; the main thread
// hears of it afterwards, for status objects and Events. BFD sessions run here too (BfdHost).
import type { Clock, TimerHandle } from '@herald/shared/clock';
import type { Logger } from '@herald/shared/log';
import type { IP } from '@herald/shared/net';
import type { L2Announcer, OwnedIP } from '../layer2/announcer.js';
import type { L2Tally } from '../layer2/tally.js';
import { HeldLog } from '../layer2/held-log.js';
import { OwnerTable } from '../layer2/owner-table.js';
import { statusText } from '../membership/liveness-types.js';
import type { Membership, MembershipChange } from '../membership/membership.js';
import type { BfdHost } from './bfd-host.js';
import type { FromWorker, MembershipReport, ToWorker } from './protocol.js';

export interface PacketThreadOptions {
  readonly node: string;
  readonly membership: Membership;
  /** undefined: L2 off. */
  readonly announcer: L2Announcer | undefined;
  readonly tally: L2Tally;
  readonly fallbackInterfaces: readonly string[];
  readonly clock: Clock;
  readonly log: Logger;
  readonly post: (m: FromWorker) => void;
  /** Counter reports (default 1000 ms). */
  readonly reportMs?: number;
  /** The lag probe's period (default 20 ms). */
  readonly lagProbeMs?: number;
  /** This thread's heap, used and limit in bytes (v8.getHeapStatistics in the worker). */
  readonly heap?: () => { readonly used: number; readonly limit: number };
  /** BFD sessions for BGP peers with a bfdProfile (undefined: BFD requests are refused, logged). */
  readonly bfd?: BfdHost;
}

export class PacketThread {
  private readonly table: OwnerTable;
  /** The announcer's changes since the last report (the main thread's per-IP metric). */
  private readonly held = new HeldLog();
  private leaving = false;
  private leftAll = false;
  private stopped = false;
  private lastInterfaces = '';
  private maxLagMs = 0;
  /** A speaker starts fenced (it has to rejoin). */
  private wasFenced = true;
  private reportTimer: TimerHandle | undefined;
  private lagTimer: TimerHandle | undefined;

  constructor(private readonly o: PacketThreadOptions) {
    this.table = new OwnerTable(o.node);
    o.membership.onChange((c) => this.onMembership(c));
    // Membership calls this after it re-evaluated with the leaver gone, so its IPs are ours
    // (or another node's) already: say so at once.
    o.membership.onHandoff((h) => o.membership.ackHandoff(h.from));
  }

  /** True if this thread answers for the IP now (tests). */
  owns(ip: string): boolean {
    return this.o.announcer !== undefined && this.table.ownerOf(ip) === this.o.node && !this.o.membership.isFenced() && !this.leftAll;
  }

  start(): void {
    this.o.announcer?.start();
    this.o.membership.start();
    this.report();
    this.probeLag(this.o.clock.now());
  }

  handle(m: ToWorker): void {
    if (this.stopped) return;
    switch (m.type) {
      case 'members':
        this.o.membership.setMembers(new Map(m.facts), new Map(m.addresses));
        return;
      case 'lease-renewed':
        this.o.membership.ownLeaseRenewed(m.sentAt, m.renewKey);
        return;
      case 'l2': {
        const keep = m.reset ? new Set(m.upserts.map((s) => s.ip)) : undefined;
        const removes = keep ? this.table.keys().filter((k) => !keep.has(k)) : m.removes;
        const d = this.table.apply(m.upserts, removes);
        if (d.invalid.length) this.o.log.warn('l2-slot-invalid', { slots: d.invalid.slice(0, 20), count: d.invalid.length });
        this.announce(d.added, d.removed);
        return;
      }
      case 'leave':
        this.leave(m.deadlineMs);
        return;
      case 'bfd':
        if (this.o.bfd) this.o.bfd.set(m.sessions);
        else if (m.sessions.length) this.o.log.warn('bfd-unavailable', { sessions: m.sessions.length });
        return;
      case 'stop':
        this.stop();
        return;
    }
  }

  private onMembership(c: MembershipChange): void {
    const d = this.table.setLiveness(c.live, c.fenced);
    this.announce(d.added, d.removed);
    // The announcer kept its IPs through the fence, silenced (owner-table.ts): tell the segment again.
    if (this.wasFenced && !c.fenced && !this.leaving) this.o.announcer?.reannounce();
    this.wasFenced = c.fenced;
    const fence = c.view.fence;
    const report: MembershipReport = {
      live: [...c.live].sort(),
      fenced: c.fenced,
      fenceReason: fence.fenced ? fence.reason.type : undefined,
      mode: c.view.mode,
      statuses: [...c.view.members].map(([n, s]) => [n, statusText(s)] as const),
    };
    this.o.post({ type: 'membership', report });
  }

  /** Brings the announcer to the table (frozen while leaving: the handoff keeps what we have). */
  private announce(added: readonly OwnedIP[], removed: readonly IP[]): void {
    const a = this.o.announcer;
    if (!a || this.leaving || (added.length === 0 && removed.length === 0)) return;
    const fb = this.o.fallbackInterfaces;
    a.applyOwned(fb.length ? added.map((x) => (x.interfaces.length ? x : { ip: x.ip, interfaces: fb })) : added, removed);
    this.held.record(added, removed);
    this.reportInterfaces();
  }

  private leave(deadlineMs: number): void {
    if (this.leaving) return;
    this.leaving = true;
    void this.o.membership.leave(deadlineMs).then((r) => {
      this.o.announcer?.setOwned([]);
      this.held.clear();
      this.leftAll = true;
      this.o.post({ type: 'left', outcome: r.outcome, acked: r.acked, missing: r.missing });
    });
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.reportTimer) this.o.clock.clearTimeout(this.reportTimer);
    if (this.lagTimer) this.o.clock.clearTimeout(this.lagTimer);
    this.o.announcer?.stop();
    this.o.membership.stop();
    this.o.bfd?.close();
    this.o.post({ type: 'stopped' });
  }

  private reportInterfaces(): void {
    const open = this.o.announcer?.interfaces() ?? [];
    const k = open.join(',');
    if (k === this.lastInterfaces) return;
    this.lastInterfaces = k;
    this.o.post({ type: 'interfaces', open });
  }

  private report(): void {
    if (this.stopped) return;
    const c = this.o.membership.counters;
    const heap = this.o.heap?.();
    this.o.post({
      type: 'counters',
      counters: {
        heartbeatsSent: c.heartbeatsSent,
        accepted: c.accepted,
        fromNonMembers: c.fromNonMembers,
        rejected: { ...c.rejected },
        maxLagMs: this.maxLagMs,
        // Held IPs are answered only while unfenced.
        ownedIPs: this.o.membership.isFenced() ? 0 : (this.o.announcer?.size ?? 0),
        rankedIPs: this.table.size,
        heapUsedBytes: heap?.used ?? 0,
        heapLimitBytes: heap?.limit ?? 0,
      },
      l2: this.o.tally.take(),
      held: this.held.take(),
    });
    this.maxLagMs = 0;
    this.reportInterfaces();
    this.o.bfd?.report();
    this.reportTimer = this.o.clock.setTimeout(() => this.report(), this.o.reportMs ?? 1000);
  }

  /** How late this thread's own timer fires: the stall a CPU hog or a GC pause costs us. */
  private probeLag(expected: number): void {
    if (this.stopped) return;
    const period = this.o.lagProbeMs ?? 20;
    const now = this.o.clock.now();
    this.maxLagMs = Math.max(this.maxLagMs, now - expected);
    this.lagTimer = this.o.clock.setTimeout(() => this.probeLag(now + period), period);
  }
}
