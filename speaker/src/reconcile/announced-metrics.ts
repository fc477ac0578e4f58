// The per-IP announcement series, on prom-client. Two parts of the speaker feed
// herald_speaker_announced (the packet thread's reports for L2, the reconciler and the BGP
// sessions for BGP), so the gauge is made once per registry and shared. Series come and go with
// state changes (announced-ips.ts); a scrape only reads them. Cardinality: one series per IP and
// mode this node announces (10,000 L2 IPs over 3 nodes: ~3,300 per speaker), plus one per IP
// no node is expected to announce (on every speaker: they all compute the same).
import { Gauge, type Registry } from '@herald/shared/metrics';
import type { Unannounceable } from '../announce/announce-state.js';
import type { AnnouncedSink, AnnounceMode, UnannounceableSink } from './announced-ips.js';

function gauge<L extends string>(registry: Registry, o: { name: string; help: string; labelNames: L[] }): Gauge<L> {
  const existing = registry.getSingleMetric(o.name);
  if (existing) return existing as Gauge<L>;
  return new Gauge({ ...o, registers: [registry] });
}

export function announcedSink(registry: Registry): AnnouncedSink {
  const g = gauge(registry, {
    name: 'herald_speaker_announced',
    help: 'IPs this node announces now, by mode (1 per IP): L2, it answers ARP/NDP for it; BGP, it is advertised to at least one Established peer',
    labelNames: ['ip', 'mode'],
  });
  return {
    set: (ip: string, mode: AnnounceMode) => g.set({ ip, mode }, 1),
    remove: (ip: string, mode: AnnounceMode) => g.remove({ ip, mode }),
  };
}

export function unannounceableSink(registry: Registry): UnannounceableSink {
  const g = gauge(registry, {
    name: 'herald_speaker_ip_unannounceable',
    help: 'IPs no node is expected to announce, by reason: no-advertisement (no L2/BGPAdvertisement covers it), no-endpoints (no Service sharing it has a ready endpoint)',
    labelNames: ['ip', 'reason'],
  });
  return {
    set: (ip: string, reason: Unannounceable) => g.set({ ip, reason }, 1),
    remove: (ip: string, reason: Unannounceable) => g.remove({ ip, reason }),
  };
}
