// L2 counters in plain maps, for the packet thread (which loads no prom-client): it hands over
// what it counted since the last take(), and the main thread adds that to L2Metrics.
import type { IP } from '@herald/shared/net';
import type { L2Counters } from './announcer.js';
import type { L2Protocol } from './responder.js';

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
