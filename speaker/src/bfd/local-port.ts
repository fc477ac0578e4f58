// A BfdPort over a BfdEndpoint in this thread (tests, probes and harnesses; the speaker itself
// runs its endpoint on the packet thread, fastpath/bfd-host.ts).
import type { DropType } from '../wire/bfd/index.js';
import type { BfdEndpoint, BfdSessionStatus } from './endpoint.js';
import { specFromWire, type BfdPort, type BfdSessionWire, type BfdStateChange } from './port.js';

export class LocalBfd implements BfdPort {
  constructor(private readonly endpoint: BfdEndpoint) {}

  setBfdSessions(sessions: readonly BfdSessionWire[]): void {
    this.endpoint.setSessions(sessions.map(specFromWire));
  }

  onBfdState(cb: (c: BfdStateChange) => void): void {
    this.endpoint.onState((key, from, to, reason) => cb({ key, from, to, reason }));
  }

  bfdStatus(key: string): BfdSessionStatus | undefined {
    return this.endpoint.status(key);
  }

  bfdDrops(): ReadonlyMap<DropType, number> {
    return this.endpoint.drops();
  }
}
