// Per-IP L2 counters, registered in the registry the caller passes in.
import { Counter, type Registry } from '@herald/shared/metrics';

export class L2Metrics {
  readonly requests: Counter<'ip' | 'protocol'>;
  readonly responses: Counter<'ip' | 'protocol'>;
  readonly gratuitous: Counter<'ip'>;
  readonly dropped: Counter<'reason'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({ name: 'herald_l2_requests_received_total', help: 'ARP requests and neighbour solicitations received for an owned IP', labelNames: ['ip', 'protocol'], registers });
    this.responses = new Counter({ name: 'herald_l2_responses_sent_total', help: 'ARP replies and neighbour advertisements sent in answer', labelNames: ['ip', 'protocol'], registers });
    this.gratuitous = new Counter({ name: 'herald_l2_gratuitous_sent_total', help: 'Gratuitous ARP and unsolicited NA frames sent on takeover', labelNames: ['ip'], registers });
    this.dropped = new Counter({ name: 'herald_l2_frames_dropped_total', help: 'Received frames dropped as malformed or invalid', labelNames: ['reason'], registers });
  }
}
