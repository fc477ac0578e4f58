// The packet thread's BFD: a BfdEndpoint made on the first 'bfd' message (no BFD sockets until a
// BGPPeer has a bfdProfile), state changes posted at once, statuses and drop counts posted with
// each counters report. BFD runs here, beside the heartbeats, because its timers are as
// time-critical: a 300 ms x 3 session must not wait behind a reconcile pass on the main thread.
import type { Clock } from '@herald/shared/clock';
import type { Logger } from '@herald/shared/log';
import { BfdEndpoint } from '../bfd/endpoint.js';
import { specFromWire, type BfdSessionWire } from '../bfd/port.js';
import type { FromWorker } from './protocol.js';

export class BfdHost {
  private endpoint: BfdEndpoint | undefined;

  constructor(private readonly o: { readonly clock: Clock; readonly log: Logger; readonly post: (m: FromWorker) => void }) {}

  set(sessions: readonly BfdSessionWire[]): void {
    if (!this.endpoint) {
      if (sessions.length === 0) return;
      const ep = new BfdEndpoint({ clock: this.o.clock, log: this.o.log });
      ep.onState((key, from, to, reason) => this.o.post({ type: 'bfd-state', change: { key, from, to, reason }, status: ep.status(key) }));
      this.endpoint = ep;
    }
    this.endpoint.setSessions(sessions.map(specFromWire));
  }

  report(): void {
    const ep = this.endpoint;
    if (ep) this.o.post({ type: 'bfd-report', sessions: ep.statuses(), drops: [...ep.drops()] });
  }

  close(): void {
    this.endpoint?.close();
  }
}
