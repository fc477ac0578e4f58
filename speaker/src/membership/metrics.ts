// Membership metric objects (prom-client through @herald/shared). Defined here, registered by
// whoever wires the speaker: nothing goes into prom-client's global registry.
import { Counter, Gauge, type Registry } from '@herald/shared/metrics';
import type { Membership } from './membership.js';

export interface MembershipMetrics {
  /** Copies the membership's view and counters into the metrics (call on change, or per scrape). */
  observe(m: Membership): void;
  registerIn(r: Registry): void;
}

export function createMembershipMetrics(): MembershipMetrics {
  const live = new Gauge({ name: 'herald_speaker_membership_live_members', help: 'Members that count as alive for ownership (self included when unfenced)', registers: [] });
  const fenced = new Gauge({ name: 'herald_speaker_membership_fenced', help: '1 while this speaker is self-fenced (answers for no IP)', registers: [] });
  const quorum = new Gauge({ name: 'herald_speaker_membership_quorum_mode', help: '1 in quorum mode (3+ members), 0 in lease mode', registers: [] });
  const sent = new Counter({ name: 'herald_speaker_membership_heartbeats_sent_total', help: 'Heartbeats sent (one per interval, to every member)', registers: [] });
  const accepted = new Counter({ name: 'herald_speaker_membership_messages_accepted_total', help: 'Authenticated, fresh messages received', registers: [] });
  const rejected = new Counter({ name: 'herald_speaker_membership_messages_rejected_total', help: 'Messages dropped, by reason', labelNames: ['reason'] as const, registers: [] });
  const seen = { sent: 0, accepted: 0, rejected: new Map<string, number>() };
  return {
    observe(m) {
      const v = m.view();
      live.set(v.live.size);
      fenced.set(v.fence.fenced ? 1 : 0);
      quorum.set(v.mode === 'quorum' ? 1 : 0);
      const c = m.counters;
      if (c.heartbeatsSent > seen.sent) sent.inc(c.heartbeatsSent - seen.sent);
      if (c.accepted > seen.accepted) accepted.inc(c.accepted - seen.accepted);
      seen.sent = c.heartbeatsSent;
      seen.accepted = c.accepted;
      for (const [reason, n] of Object.entries(c.rejected)) {
        const before = seen.rejected.get(reason) ?? 0;
        if (n > before) rejected.inc({ reason }, n - before);
        seen.rejected.set(reason, n);
      }
    },
    registerIn(r) {
      for (const x of [live, fenced, quorum, sent, accepted, rejected]) r.registerMetric(x);
    },
  };
}
