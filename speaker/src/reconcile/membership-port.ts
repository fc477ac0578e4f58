// Adapters to the reconciler's MembershipPort: the real Membership (heartbeats + Leases), and a
// static one whose live set is set by hand (tests, and a single-node speaker).
import type { Membership } from '../membership/membership.js';
import type { MembershipPort } from './ports.js';

export function membershipPort(m: Membership): MembershipPort {
  const pending = new Set<string>();
  m.onHandoff((h) => pending.add(h.from));
  return {
    live: () => m.view().live,
    fenced: () => m.isFenced(),
    onChange: (cb) => m.onChange(() => cb()),
    ackHandoffs: () => {
      for (const p of pending) m.ackHandoff(p);
      pending.clear();
    },
    leave: (ms) => m.leave(ms),
  };
}

/** A membership whose live set and fence are set by the caller. */
export class StaticMembership implements MembershipPort {
  private members: ReadonlySet<string>;
  private isFenced = false;
  private readonly listeners: (() => void)[] = [];

  constructor(live: Iterable<string>) {
    this.members = new Set(live);
  }

  set(live: Iterable<string>, fenced = false): void {
    this.members = new Set(live);
    this.isFenced = fenced;
    for (const l of this.listeners) l();
  }

  live(): ReadonlySet<string> {
    return this.members;
  }

  fenced(): boolean {
    return this.isFenced;
  }

  onChange(cb: () => void): void {
    this.listeners.push(cb);
  }

  ackHandoffs(): void {}

  leave(): Promise<{ outcome: string; missing: string[] }> {
    return Promise.resolve({ outcome: 'static', missing: [] });
  }
}
