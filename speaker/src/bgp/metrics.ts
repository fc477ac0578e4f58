// BGP metric objects (prom-client through @herald/shared). Defined here, registered by whoever
// wires the speaker (main.ts): nothing is put in prom-client's global registry.
import { Counter, Gauge, type Registry } from '@herald/shared/metrics';
import type { SessionStatus } from './session-core.js';

export interface BgpMetrics {
  readonly sessionUp: Gauge<'peer'>;
  readonly updatesSent: Counter<'peer'>;
  readonly announcedPrefixes: Gauge<'peer'>;
  /** Copies a session's status into the metrics (call on each state change or scrape). */
  observe(peer: string, s: SessionStatus): void;
  registerIn(r: Registry): void;
}

export function createBgpMetrics(): BgpMetrics {
  const sessionUp = new Gauge({ name: 'herald_speaker_bgp_session_up', help: '1 if the BGP session to the peer is Established', labelNames: ['peer'] as const, registers: [] });
  const updatesSent = new Counter({ name: 'herald_speaker_bgp_updates_sent_total', help: 'BGP UPDATE messages sent to the peer', labelNames: ['peer'] as const, registers: [] });
  const announcedPrefixes = new Gauge({ name: 'herald_speaker_bgp_announced_prefixes', help: 'Prefixes currently advertised to the peer', labelNames: ['peer'] as const, registers: [] });
  const lastUpdates = new Map<string, number>();
  return {
    sessionUp,
    updatesSent,
    announcedPrefixes,
    observe(peer, s) {
      sessionUp.set({ peer }, s.state === 'established' ? 1 : 0);
      announcedPrefixes.set({ peer }, s.state === 'established' ? s.prefixesSent : 0);
      const delta = s.updatesSent - (lastUpdates.get(peer) ?? 0);
      if (delta > 0) updatesSent.inc({ peer }, delta);
      lastUpdates.set(peer, s.updatesSent);
    },
    registerIn(r) {
      r.registerMetric(sessionUp);
      r.registerMetric(updatesSent);
      r.registerMetric(announcedPrefixes);
    },
  };
}
