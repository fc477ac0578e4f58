// The narrow interfaces the speaker's reconciler drives. Production passes the packet thread
// (FastPath), BgpSession and the membership it reports; tests pass fakes.
import type { BGPPeer } from '@herald/shared/config';
import type { Advertisement } from '../bgp/adj-rib-out.js';
import type { SessionState } from '../bgp/fsm-types.js';
import type { SessionStatus, StopOptions } from '../bgp/session-core.js';
import type { L2Slot } from '../layer2/owner-table.js';

/**
 * Where L2 rankings go: the packet thread picks each IP's owner from them and answers ARP/NDP
 * for those this node owns (FastPath; FakeL2 in tests).
 */
export interface L2Port {
  /** New or changed rankings, and IPs gone; `reset`: this set replaces everything. */
  setL2(upserts: readonly L2Slot[], removes: readonly string[], reset?: boolean): void;
  /** The interfaces open now (for status when an advertisement names none). */
  interfaces(): string[];
}

/** One BGP session (BgpSession). */
export interface BgpSessionLike {
  start(): void;
  /** Withdraw first and/or say why in the Cease (see SessionCore.stop). */
  stop(opts?: StopOptions): void;
  setAdvertised(want: ReadonlyMap<string, Advertisement>): void;
  /** Only what changed: prefix text -> the route, or undefined to withdraw. */
  updateAdvertised?(changes: ReadonlyMap<string, Advertisement | undefined>): void;
  status(): SessionStatus;
  /** The speaker's routes are complete (its first pass is done): End-of-RIB may go. */
  tableReady?(): void;
  /** BFD went Down for this peer: tear the session down at once (it reconnects as after a failure). */
  bfdDown?(): void;
}

export type SessionFactory = (peer: BGPPeer, onState: (state: SessionState, detail: string) => void) => BgpSessionLike;

/** Which speakers are alive (the packet thread's report, or a fake). */
export interface MembershipPort {
  /** Members alive for ownership; this node is absent while fenced or after leave(). */
  live(): ReadonlySet<string>;
  fenced(): boolean;
  onChange(cb: () => void): void;
  /** A peer is leaving and handed us IPs: called after we announced them (a no-op where the packet thread acks). */
  ackHandoffs(): void;
  /** Graceful handoff: tells peers, resolves when they announced or at the deadline. */
  leave(deadlineMs: number): Promise<{ readonly outcome: string; readonly missing: readonly string[] }>;
}
