// The packet thread's metrics, on the main thread (prom-client lives there): fed from the
// reports the packet thread posts (fast-path.ts). Counters take the increase since the last
// report; gauges the latest value.
import { Counter, Gauge, type Registry } from '@herald/shared/metrics';
import { L2Metrics } from '../layer2/metrics.js';
import type { MembershipReport, WorkerCounters } from './protocol.js';
import type { L2TallySnapshot } from '../layer2/tally.js';
import type { HeldChanges } from '../layer2/held-log.js';
import { L2Announced } from '../reconcile/announced-ips.js';
import { announcedSink } from '../reconcile/announced-metrics.js';

export class FastPathMetrics {
  private readonly live = new Gauge({ name: 'herald_speaker_membership_live_members', help: 'Members that count as alive for ownership (self included when unfenced)', registers: [] });
  private readonly fenced = new Gauge({ name: 'herald_speaker_membership_fenced', help: '1 while this speaker is self-fenced (answers for no IP)', registers: [] });
  private readonly quorum = new Gauge({ name: 'herald_speaker_membership_quorum_mode', help: '1 in quorum mode (3+ members), 0 in lease mode', registers: [] });
  private readonly fences = new Counter({ name: 'herald_speaker_membership_self_fences_total', help: 'Times this speaker fenced itself, by reason', labelNames: ['reason'] as const, registers: [] });
  private readonly sent = new Counter({ name: 'herald_speaker_membership_heartbeats_sent_total', help: 'Heartbeats sent (one per interval, to every member)', registers: [] });
  private readonly accepted = new Counter({ name: 'herald_speaker_membership_messages_accepted_total', help: 'Authenticated, fresh messages received', registers: [] });
  private readonly rejected = new Counter({ name: 'herald_speaker_membership_messages_rejected_total', help: 'Messages dropped, by reason', labelNames: ['reason'] as const, registers: [] });
  private readonly lag = new Gauge({ name: 'herald_speaker_packet_thread_lag_seconds', help: "Largest lateness of the packet thread's 20 ms timer over the last report period (CPU starvation, GC)", registers: [] });
  private readonly owned = new Gauge({ name: 'herald_l2_owned_ips', help: 'L2 IPs this node answers for now', registers: [] });
  private readonly ranked = new Gauge({ name: 'herald_l2_ranked_ips', help: 'L2 IPs the packet thread has a ranking for', registers: [] });
  private readonly heapUsed = new Gauge({ name: 'herald_speaker_packet_thread_heap_used_bytes', help: "The packet thread's own V8 heap in use (near the limit, V8 collects over and over and the thread stalls)", registers: [] });
  private readonly heapLimit = new Gauge({ name: 'herald_speaker_packet_thread_heap_limit_bytes', help: "The packet thread's V8 heap limit (its resourceLimits)", registers: [] });
  private readonly claiming = new Gauge({ name: 'herald_l2_handover_claiming_ips', help: 'L2 IPs this node owns by its view but does not answer yet: claimed, waiting for every peer to release them (stuck above 0: a peer whose view disagrees; the log says which)', registers: [] });
  private readonly holding = new Gauge({ name: 'herald_l2_handover_holding_ips', help: 'L2 IPs this node still answers only until their new owner claims them (make before break)', registers: [] });
  private readonly settled = new Gauge({ name: 'herald_speaker_membership_settled', help: '1 once unfenced and past the start-up waits (what /readyz reports beside the caches)', registers: [] });
  private readonly l2: L2Metrics;
  /** herald_speaker_announced{mode="l2"}: the IPs the announcer holds, while unfenced. */
  private readonly announced: L2Announced;
  private seen = { sent: 0, accepted: 0, rejected: new Map<string, number>() };
  // A speaker starts fenced (it has to rejoin): only a fence after being unfenced counts.
  private wasFenced = true;

  constructor(registry: Registry) {
    for (const m of [this.live, this.fenced, this.quorum, this.fences, this.sent, this.accepted, this.rejected, this.lag, this.owned, this.ranked, this.heapUsed, this.heapLimit, this.claiming, this.holding, this.settled]) registry.registerMetric(m);
    this.l2 = new L2Metrics(registry);
    this.announced = new L2Announced(announcedSink(registry));
  }

  membership(r: MembershipReport): void {
    this.live.set(r.live.length);
    this.fenced.set(r.fenced ? 1 : 0);
    this.quorum.set(r.mode === 'quorum' ? 1 : 0);
    if (r.fenced && !this.wasFenced) this.fences.inc({ reason: r.fenceReason ?? 'unknown' });
    this.wasFenced = r.fenced;
    this.announced.setFenced(r.fenced);
  }

  counters(c: WorkerCounters, l2: L2TallySnapshot, held?: HeldChanges): void {
    if (held) this.announced.apply(held);
    if (c.heartbeatsSent > this.seen.sent) this.sent.inc(c.heartbeatsSent - this.seen.sent);
    if (c.accepted > this.seen.accepted) this.accepted.inc(c.accepted - this.seen.accepted);
    this.seen.sent = c.heartbeatsSent;
    this.seen.accepted = c.accepted;
    for (const [reason, n] of Object.entries(c.rejected)) {
      const before = this.seen.rejected.get(reason) ?? 0;
      if (n > before) this.rejected.inc({ reason }, n - before);
      this.seen.rejected.set(reason, n);
    }
    this.lag.set(c.maxLagMs / 1000);
    this.owned.set(c.ownedIPs);
    this.ranked.set(c.rankedIPs);
    this.heapUsed.set(c.heapUsedBytes);
    this.heapLimit.set(c.heapLimitBytes);
    this.claiming.set(c.claiming);
    this.holding.set(c.holding);
    this.settled.set(c.settled ? 1 : 0);
    this.l2.add(l2);
  }
}
