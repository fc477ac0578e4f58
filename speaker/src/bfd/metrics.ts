// BFD metrics: each session's state, and every dropped packet by reason (RFC 5880 §6.8.6 checks,
// TTL, unknown sessions), read from the BfdPort when scraped.
import { Counter, Gauge, type Registry } from '@herald/shared/metrics';
import { STATES } from '../wire/bfd/index.js';
import type { BfdPort } from './port.js';

export function registerBfdMetrics(registry: Registry, bfd: BfdPort, keys: () => readonly string[]): void {
  new Gauge({
    name: 'herald_bfd_session_up',
    help: 'BFD session with the BGP peer is Up (1) or not (0)',
    labelNames: ['peer'],
    registers: [registry],
    collect() {
      this.reset();
      for (const peer of keys()) this.set({ peer }, bfd.bfdStatus(peer)?.state === 'up' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'herald_bfd_session_state',
    help: 'BFD session state (1 for the current one of admin-down, down, init, up)',
    labelNames: ['peer', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const peer of keys()) {
        const now = bfd.bfdStatus(peer)?.state ?? 'down';
        for (const state of STATES) this.set({ peer, state }, state === now ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'herald_bfd_session_downs',
    help: 'Times the BFD session left Up since it was created',
    labelNames: ['peer'],
    registers: [registry],
    collect() {
      this.reset();
      for (const peer of keys()) this.set({ peer }, bfd.bfdStatus(peer)?.downs ?? 0);
    },
  });
  new Counter({
    name: 'herald_bfd_dropped_packets_total',
    help: 'BFD packets dropped, by reason (malformed per RFC 5880 §6.8.6, wrong TTL, no such session, authentication)',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of bfd.bfdDrops()) this.inc({ reason }, n);
    },
  });
}
