// The narrow interfaces the speaker's reconciler drives. Production passes the L2Announcer,
// BgpSession and Membership; tests pass fakes that record what would be announced.
import type { BGPPeer } from '@herald/shared/config';
import type { IP } from '@herald/shared/net';
import type { Advertisement } from '../bgp/adj-rib-out.js';
import type { SessionState } from '../bgp/fsm-types.js';
import type { SessionStatus } from '../bgp/session-core.js';
import type { OwnedIP } from '../layer2/announcer.js';

/** Answers ARP/NDP for the IPs it is given (L2Announcer). */
export interface L2Sink {
  setOwned(entries: readonly OwnedIP[]): { added: IP[]; removed: IP[] };
  /** The interfaces open now (for status when an advertisement names none). */
  interfaces(): string[];
}

/** One BGP session (BgpSession). */
export interface BgpSessionLike {
  start(): void;
  stop(): void;
  setAdvertised(want: ReadonlyMap<string, Advertisement>): void;
  status(): SessionStatus;
}

export type SessionFactory = (peer: BGPPeer, onState: (state: SessionState, detail: string) => void) => BgpSessionLike;

/** Which speakers are alive (Membership, or a fake). */
export interface MembershipPort {
  /** Members alive for ownership; this node is absent while fenced or after leave(). */
  live(): ReadonlySet<string>;
  fenced(): boolean;
  onChange(cb: () => void): void;
  /** A peer is leaving and handed us IPs: called after we announced them. */
  ackHandoffs(): void;
  /** Graceful handoff: tells peers, resolves when they announced or at the deadline. */
  leave(deadlineMs: number): Promise<{ readonly outcome: string; readonly missing: readonly string[] }>;
}
