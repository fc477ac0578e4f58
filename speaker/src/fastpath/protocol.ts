// The messages between the speaker's two threads, as plain data (structured clone). The main
// thread does the Kubernetes side and every O(Services) computation; the packet thread
// (worker.ts) owns what must never wait for it: heartbeats, liveness and fencing, the ARP/NDP
// answers and gratuitous bursts, and the per-IP owner pick from precomputed rankings.
//
// Times cross as process-wide monotonic milliseconds (systemClock.now(): hrtime, the same
// clock in every thread of the process).
import type { LivenessConfig } from '../membership/liveness-types.js';
import type { L2Slot } from '../layer2/owner-table.js';
import type { L2TallySnapshot } from '../layer2/tally.js';
import type { HeldChanges } from '../layer2/held-log.js';
import type { BfdSessionStatus } from '../bfd/endpoint.js';
import type { BfdSessionWire, BfdStateChange } from '../bfd/port.js';

/** workerData: everything the packet thread needs to start. */
export interface FastPathInit {
  readonly node: string;
  /** Heartbeat keys (first signs), raw bytes. */
  readonly keys: readonly Uint8Array[];
  /** Heartbeat socket: bind address (undefined: "::" dual-stack, else 0.0.0.0) and port. */
  readonly heartbeat: { readonly bindAddress: string | undefined; readonly port: number };
  /** L2 off (--no-l2): no packet sockets at all. */
  readonly l2: boolean;
  /** Interfaces to announce on when an L2Advertisement names none (--interfaces). */
  readonly fallbackInterfaces: readonly string[];
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  readonly liveness?: Partial<LivenessConfig>;
  /** How often the packet thread reports counters (default 1000 ms). */
  readonly reportMs?: number;
}

export interface MemberFactsWire {
  readonly lease: { readonly renewKey: string; readonly durationMs: number } | undefined;
  readonly nodeReady: boolean;
}

export type ToWorker =
  | { readonly type: 'members'; readonly facts: readonly (readonly [string, MemberFactsWire])[]; readonly addresses: readonly (readonly [string, readonly string[]])[] }
  | { readonly type: 'lease-renewed'; readonly sentAt: number; readonly renewKey: string }
  /**
   * New or changed IP rankings, and IPs gone; `reset`: the set replaces everything before it.
   * Slots of IPs with the same eligible nodes share one CandidateGroup object, and structured
   * clone keeps it shared: a message carries each group once (10,000 slots over 100 nodes: ~0.7
   * MB, against ~32 MB when every slot listed every node). The receiver must not assume that
   * groups of different messages are the same object (OwnerTable does not).
   */
  | { readonly type: 'l2'; readonly upserts: readonly L2Slot[]; readonly removes: readonly string[]; readonly reset?: boolean }
  /** Graceful handoff: say `leaving`, keep answering until peers announce or the deadline. */
  | { readonly type: 'leave'; readonly deadlineMs: number }
  /** The BFD sessions wanted now (the whole set); the first one opens the BFD sockets. */
  | { readonly type: 'bfd'; readonly sessions: readonly BfdSessionWire[] }
  /** Stop answering and sending, close every socket. */
  | { readonly type: 'stop' };

export interface MembershipReport {
  readonly live: readonly string[];
  readonly fenced: boolean;
  readonly fenceReason: string | undefined;
  readonly mode: 'quorum' | 'lease';
  /** Every member's status text ("live", "suspect:...", "dead:..."). */
  readonly statuses: readonly (readonly [string, string])[];
}

export interface WorkerCounters {
  readonly heartbeatsSent: number;
  readonly accepted: number;
  readonly fromNonMembers: number;
  readonly rejected: Readonly<Record<string, number>>;
  /** Largest lateness of the packet thread's own 20 ms timer since the last report (ms). */
  readonly maxLagMs: number;
  readonly ownedIPs: number;
  readonly rankedIPs: number;
  /** The packet thread's own V8 heap: used, and its limit (resourceLimits), in bytes. */
  readonly heapUsedBytes: number;
  readonly heapLimitBytes: number;
  /** Unfenced and past the start-up waits (Membership.settled): the speaker's readiness. */
  readonly settled: boolean;
  /** L2 IPs claimed and waiting for peers' release, and IPs answered only until their successor claims them. */
  readonly claiming: number;
  readonly holding: number;
}

export type FromWorker =
  | { readonly type: 'ready'; readonly heartbeatPort: number; readonly incarnation: string }
  /** Start failed (a socket would not bind...): the speaker must exit. */
  | { readonly type: 'fatal'; readonly message: string }
  | { readonly type: 'membership'; readonly report: MembershipReport }
  | { readonly type: 'interfaces'; readonly open: readonly string[] }
  /** `held`: what the announcer took on and let go since the last report (undefined: nothing). */
  | { readonly type: 'counters'; readonly counters: WorkerCounters; readonly l2: L2TallySnapshot; readonly held?: HeldChanges | undefined }
  | { readonly type: 'left'; readonly outcome: string; readonly acked: readonly string[]; readonly missing: readonly string[] }
  /** A BFD session changed state: posted at once (the main thread tears BGP down on Up -> Down). */
  | { readonly type: 'bfd-state'; readonly change: BfdStateChange; readonly status: BfdSessionStatus | undefined }
  /** Every BFD session's status and the drop counts, with each counters report. */
  | { readonly type: 'bfd-report'; readonly sessions: readonly BfdSessionStatus[]; readonly drops: readonly (readonly [string, number])[] }
  | { readonly type: 'stopped' };
