// A MembershipPort whose live set and fence are set by hand (tests, and a single-node speaker).
// Production uses the packet thread's report (fastpath/fast-path.ts).
import type { MembershipPort } from './ports.js';

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
