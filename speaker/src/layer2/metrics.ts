// Per-IP L2 counters in prom-client form (registered in the registry the caller passes in),
// counted here directly or added from a tally the packet thread took (tally.ts).
import { Counter, type Registry } from '@herald/shared/metrics';
import type { IP } from '@herald/shared/net';
import type { L2Counters } from './announcer.js';
import type { L2Protocol } from './responder.js';
import type { L2TallySnapshot } from './tally.js';

export class L2Metrics implements L2Counters {
  readonly requests: Counter<'ip' | 'protocol'>;
  readonly responses: Counter<'ip' | 'protocol'>;
  readonly gratuitousSent: Counter<'ip'>;
  readonly droppedFrames: Counter<'reason'>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({ name: 'herald_l2_requests_received_total', help: 'ARP requests and neighbour solicitations received for an owned IP', labelNames: ['ip', 'protocol'], registers });
    this.responses = new Counter({ name: 'herald_l2_responses_sent_total', help: 'ARP replies and neighbour advertisements sent in answer', labelNames: ['ip', 'protocol'], registers });
    this.gratuitousSent = new Counter({ name: 'herald_l2_gratuitous_sent_total', help: 'Gratuitous ARP and unsolicited NA frames sent on takeover', labelNames: ['ip'], registers });
    this.droppedFrames = new Counter({ name: 'herald_l2_frames_dropped_total', help: 'Received frames dropped as malformed or invalid', labelNames: ['reason'], registers });
  }

  request(ip: IP, protocol: L2Protocol): void {
    this.requests.inc({ ip: ip.toString(), protocol });
  }

  response(ip: IP, protocol: L2Protocol): void {
    this.responses.inc({ ip: ip.toString(), protocol });
  }

  gratuitous(ip: IP, frames: number): void {
    this.gratuitousSent.inc({ ip: ip.toString() }, frames);
  }

  dropped(reason: string): void {
    this.droppedFrames.inc({ reason });
  }

  /** Adds a tally taken on another thread. */
  add(t: L2TallySnapshot): void {
    for (const [ip, protocol, n] of t.requests) this.requests.inc({ ip, protocol }, n);
    for (const [ip, protocol, n] of t.responses) this.responses.inc({ ip, protocol }, n);
    for (const [ip, n] of t.gratuitous) this.gratuitousSent.inc({ ip }, n);
    for (const [reason, n] of t.dropped) this.droppedFrames.inc({ reason }, n);
  }
}
