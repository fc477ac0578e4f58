// The speaker's packet thread, as a class with its I/O injected (worker.ts wires the real
// sockets and the message port; tests drive it directly). It owns what must never wait for the
// bulk of the speaker: heartbeats, liveness and fencing (Membership), the ARP/NDP answers and
// gratuitous bursts (L2Announcer), and the owner of each L2 IP, picked from the rankings the
// main thread sends (OwnerTable). A membership change moves IPs here and now; the main thread
// hears of it afterwards, for status objects and Events. BFD sessions run here too (BfdHost).
// Between live speakers an IP moves by handshake (layer2/handover.ts): the gainer claims it and
// answers once the others say released; the loser answers until its successor claims.
import type { Clock, TimerHandle } from '@herald/shared/clock';
import type { Logger } from '@herald/shared/log';
import { IP } from '@herald/shared/net';
import type { L2Announcer, OwnedIP } from '../layer2/announcer.js';
import type { L2Tally } from '../layer2/tally.js';
import { defaultHandoverConfig, Handover, type HandoverActions, type HandoverConfig } from '../layer2/handover.js';
import { HeldLog } from '../layer2/held-log.js';
import { OwnerTable } from '../layer2/owner-table.js';
import { statusText } from '../membership/liveness-types.js';
import type { HandoverMessage, Membership, MembershipChange } from '../membership/membership.js';
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
  /** The L2 handover's timing (default: defaultHandoverConfig). */
  readonly handover?: Partial<HandoverConfig>;
}

export class PacketThread {
  private readonly table: OwnerTable;
  private readonly handover: Handover;
  private handoverTimer: TimerHandle | undefined;
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
    this.handover = new Handover({ ...defaultHandoverConfig, ...o.handover });
    o.membership.onChange((c) => this.onMembership(c));
    o.membership.onHandover((m) => this.onHandover(m));
    // Membership calls this after it re-evaluated with the leaver gone, so its IPs are ours
    // (or another node's) already: say so at once.
    o.membership.onHandoff((h) => o.membership.ackHandoff(h.from));
  }

  /** True if this thread answers for the IP now (tests). */
  owns(ip: string): boolean {
    const a = this.o.announcer;
    const v = IP.tryParse(ip);
    return a !== undefined && v !== undefined && a.answers(v) && !this.o.membership.isFenced() && !this.leftAll;
  }

  /**
   * The announcer's check before every answer and gratuitous frame. A fence silences at once
   * (the membership's live check); its end counts only from the change that lifts it, when this
   * thread has muted and claimed what it holds: between the two, peers may still answer for it.
   */
  silenced(): boolean {
    return this.wasFenced || this.leftAll || this.o.membership.isFenced();
  }

  /** IPs claimed and not yet released by every peer, and IPs held for a successor (metrics, tests). */
  handoverCounts(): { claiming: number; holding: number } {
    return { claiming: this.handover.claiming, holding: this.handover.holding };
  }

  start(): void {
    this.o.announcer?.start();
    this.o.membership.start();
    this.report();
    this.probeLag(this.o.clock.now());
    this.handoverTick();
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
        this.announce(d.added, d.removed, 'ranking', d.gone);
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
    // Gains here come from deaths (a peer joining can only take IPs away): no claim, except from
    // a peer that leaves gracefully, which answers until it is told (its IPs are claimed from it).
    this.announce(d.added, d.removed, this.o.membership.handoverLeavers().size ? 'leave' : 'death', []);
    if (!this.wasFenced && c.fenced) this.act({ answer: [], release: this.handover.dropHolds(), claim: [], released: [] });
    if (this.wasFenced && !c.fenced && !this.leaving && this.o.announcer) {
      // The announcer kept its IPs through the fence, silenced (owner-table.ts). Peers may have
      // answered some meanwhile: claim them all again, and tell the segment once each is ours.
      const peers = this.o.membership.handoverPeers();
      const r = this.handover.reclaim(this.table.owned(), peers, this.o.clock.now());
      if (r.claim.length) this.o.announcer.mute(r.claim);
      this.wasFenced = false;
      this.act(r);
      this.o.announcer.reannounce();
    } else if (this.o.announcer && this.handover.claiming) this.act(this.handover.peersChanged(this.claimPeers()));
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

  /**
   * Brings the announcer to the table through the handover (frozen while leaving: the leave
   * handshake keeps what we have). `gone`: removed IPs that left the table altogether.
   */
  private announce(added: readonly OwnedIP[], removed: readonly IP[], cause: 'ranking' | 'death' | 'leave', gone: readonly IP[]): void {
    const a = this.o.announcer;
    if (!a || this.leaving || (added.length === 0 && removed.length === 0)) return;
    const now = this.o.clock.now();
    const goneKeys = new Set(gone.map((ip) => ip.key));
    this.act(this.handover.forget(removed.filter((ip) => goneKeys.has(ip.key))));
    this.act(this.handover.lose(removed.filter((ip) => !goneKeys.has(ip.key)), (ip) => this.successor(ip), now));
    const fb = this.o.fallbackInterfaces;
    const withIfaces = fb.length ? added.map((x) => (x.interfaces.length ? x : { ip: x.ip, interfaces: fb })) : added;
    // While fenced nothing is answered: the IPs go in silenced and are claimed when the fence lifts.
    const claimNeeded = cause !== 'death' && !this.o.membership.isFenced();
    const peers = !claimNeeded ? new Set<string>() : cause === 'leave' ? this.claimPeers() : this.o.membership.handoverPeers();
    this.act(this.handover.gain(withIfaces, peers, (ip) => a.answers(ip), now));
  }

  /**
   * Whom an open claim may still wait for: the handover peers, and leavers still heard (a claim
   * from a leaver waits for it while it answers; once it is no longer heard it has stopped).
   */
  private claimPeers(): Set<string> {
    const peers = this.o.membership.handoverPeers();
    for (const n of this.o.membership.handoverLeavers()) peers.add(n);
    return peers;
  }

  /** The new owner of an IP we lost, when we should keep answering until it claims. */
  private successor(ip: IP): string | undefined {
    const s = this.table.ownerOfIp(ip);
    const m = this.o.membership;
    return s !== undefined && s !== this.o.node && m.speaksHandover(s) && m.hears(s) ? s : undefined;
  }

  /** Carries out the handover's actions: stop answering, start answering, then tell peers. */
  private act(x: HandoverActions): void {
    const a = this.o.announcer;
    if (a) {
      if (x.release.length) {
        a.applyOwned([], x.release);
        this.held.record([], x.release);
      }
      if (x.answer.length) {
        a.applyOwned(x.answer, []);
        a.unmute(x.answer.map((o) => o.ip));
        this.held.record(x.answer, []);
      }
      if (x.release.length || x.answer.length) this.reportInterfaces();
    }
    if (x.claim.length) this.o.membership.sendClaim(x.claim.map((ip) => ip.toBytes()));
    for (const r of x.released) this.o.membership.sendReleased(r.to, r.incarnation, r.ips.map((ip) => ip.toBytes()));
  }

  private onHandover(m: HandoverMessage): void {
    if (this.stopped) return;
    const ips: IP[] = [];
    for (const b of m.ips) ips.push(IP.fromBytes(b));
    const now = this.o.clock.now();
    if (this.leaving) {
      // A peer takes over what we hand it: stop answering those, then say so (it waits for us).
      if (m.type !== 'claim') return;
      if (!this.leftAll && this.o.announcer) {
        this.o.announcer.applyOwned([], ips);
        this.held.record([], ips);
      }
      this.o.membership.sendReleased(m.from, m.incarnation, m.ips);
      return;
    }
    if (m.type === 'released') {
      this.act(this.handover.onReleased(m.from, ips));
      return;
    }
    // Without L2 we answer for nothing: every claim is released at once.
    const ours = (ip: IP): boolean => this.o.announcer !== undefined && this.table.ownerOfIp(ip) === this.o.node;
    this.act(this.handover.onClaim(m.from, m.incarnation, ips, ours, now));
  }

  private handoverTick(): void {
    if (this.stopped) return;
    const cfg = this.handover.config;
    if (!this.leaving && this.o.announcer) {
      // A peer that died or left without a membership change (a leaver that is gone) stops
      // being waited for here too.
      if (this.handover.claiming) this.act(this.handover.peersChanged(this.claimPeers()));
      const t = this.handover.tick(this.o.clock.now(), (n) => this.o.membership.hears(n));
      for (const s of t.slow) this.o.log.warn('l2-claim-waiting', { ...s });
      this.act(t);
    }
    this.handoverTimer = this.o.clock.setTimeout(() => this.handoverTick(), cfg.resendMs);
  }

  private leave(deadlineMs: number): void {
    if (this.leaving) return;
    this.leaving = true;
    void this.o.membership.leave(deadlineMs).then((r) => {
      this.o.announcer?.setOwned([]);
      this.handover.clear();
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
    if (this.handoverTimer) this.o.clock.clearTimeout(this.handoverTimer);
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
        settled: !this.leaving && this.o.membership.settled(),
        claiming: this.handover.claiming,
        holding: this.handover.holding,
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
