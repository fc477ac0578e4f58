// Per-IP L2 counters. L2Metrics is the prom-client form (registered in the registry the caller
// passes in); L2Tally counts in plain maps, for the packet thread, and hands over what it counted
// since the last take() (the main thread adds that to L2Metrics).
import { Counter, type Registry } from '@herald/shared/metrics';
import type { IP } from '@herald/shared/net';
import type { L2Counters } from './announcer.js';
import type { L2Protocol } from './responder.js';

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

/** What a tally counted, as plain arrays (it crosses threads by structured clone). */
export interface L2TallySnapshot {
  readonly requests: readonly (readonly [string, L2Protocol, number])[];
  readonly responses: readonly (readonly [string, L2Protocol, number])[];
  readonly gratuitous: readonly (readonly [string, number])[];
  readonly dropped: readonly (readonly [string, number])[];
}

export class L2Tally implements L2Counters {
  private requests = new Map<string, number>();
  private responses = new Map<string, number>();
  private grat = new Map<string, number>();
  private drops = new Map<string, number>();

  request(ip: IP, protocol: L2Protocol): void {
    bump(this.requests, `${protocol} ${ip.toString()}`, 1);
  }

  response(ip: IP, protocol: L2Protocol): void {
    bump(this.responses, `${protocol} ${ip.toString()}`, 1);
  }

  gratuitous(ip: IP, frames: number): void {
    bump(this.grat, ip.toString(), frames);
  }

  dropped(reason: string): void {
    bump(this.drops, reason, 1);
  }

  get empty(): boolean {
    return this.requests.size + this.responses.size + this.grat.size + this.drops.size === 0;
  }

  /** What was counted since the last take, and resets. */
  take(): L2TallySnapshot {
    const split = (m: Map<string, number>): [string, L2Protocol, number][] =>
      [...m].map(([k, n]) => {
        const i = k.indexOf(' ');
        return [k.slice(i + 1), k.slice(0, i) as L2Protocol, n];
      });
    const out = { requests: split(this.requests), responses: split(this.responses), gratuitous: [...this.grat], dropped: [...this.drops] };
    this.requests = new Map();
    this.responses = new Map();
    this.grat = new Map();
    this.drops = new Map();
    return out;
  }
}

function bump(m: Map<string, number>, k: string, n: number): void {
  m.set(k, (m.get(k) ?? 0) + n);
}
