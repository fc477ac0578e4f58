// Inputs, outputs and timing of the liveness core (liveness.ts). Reasons are values.
import type { HeardField } from './heard-set.js';

/** Kubernetes facts about one member (a node that runs a speaker). */
export interface MemberFacts {
  /** The speaker Lease: a key that changes on each renewal (its renewTime), and its duration. */
  readonly lease: { readonly renewKey: string; readonly durationMs: number } | undefined;
  readonly nodeReady: boolean;
}

/** A message heard from a peer (already authenticated and replay-checked by the shell). */
export interface HeardMessage {
  readonly from: string;
  readonly type: 'heartbeat' | 'leaving' | 'announced';
  readonly incarnation: bigint;
  readonly fenced: boolean;
  /** Whom the sender hears: the wire field, or plain names (tests). */
  readonly heard: HeardField | readonly string[];
  /** Sequence number within the incarnation (+1 per message); a gap means one was missed. */
  readonly seq?: number;
  /** Send time on the sender's monotonic clock (ms); without it, the receipt time dates it. */
  readonly sentAtMs?: number;
}

export interface LivenessConfig {
  readonly heartbeatIntervalMs: number;
  /** Not heard for this long: not in our heard-list, not counted for quorum, suspect. */
  readonly silentAfterMs: number;
  /** Not heard by us for this long (and corroborated): dead. */
  readonly deadAfterMs: number;
  /** Others' heard-lists must have omitted the peer for this long to corroborate. */
  readonly corroborationMs: number;
  /** A fenced speaker waits this long with every hard condition clear before it unfences. */
  readonly rejoinAfterMs: number;
  /** After a fence for failed Lease renewals, the wait is this long (>= 2 renew periods). */
  readonly rejoinAfterLeaseFenceMs: number;
  /**
   * Node NotReady / Lease gone for this long (as of a fresh API view) before it counts. Longer
   * than renewDeadline: a node that cannot see its own NotReady has lost the API, and fences
   * only at its renew deadline.
   */
  readonly k8sGraceMs: number;
  /** Our API view is fresh when our own renewal came back through the informer within this. */
  readonly apiStaleAfterMs: number;
  /** Own Lease (1-2 members only): fence when the last successful renewal is older than this. */
  readonly renewDeadlineMs: number;
  /** Quorum mode needs at least this many members in the base. */
  readonly minQuorumMembers: number;
}

export const defaultLivenessConfig: LivenessConfig = {
  heartbeatIntervalMs: 100,
  silentAfterMs: 300,
  deadAfterMs: 600,
  corroborationMs: 300,
  rejoinAfterMs: 600,
  rejoinAfterLeaseFenceMs: 5000,
  k8sGraceMs: 7000,
  apiStaleAfterMs: 5000,
  renewDeadlineMs: 6000,
  minQuorumMembers: 3,
};

/** Extra knobs of the Kubernetes side (not part of the heartbeat timing proof). */
export interface LivenessK8sConfig {
  /** Quorum mode: fence when the last successful own renewal is older than this. */
  readonly apiLossFenceMs: number;
  /** A member whose Lease has been expired this long (as of a fresh view) leaves the base. */
  readonly gcAfterMs: number;
}

export const defaultLivenessK8sConfig: LivenessK8sConfig = { apiLossFenceMs: 90_000, gcAfterMs: 120_000 };

/** What our next heartbeat says (Liveness.nextHeartbeat records that it was sent). */
export interface HeartbeatPayload {
  readonly fenced: boolean;
  /** The list as a bitmap over our member set: for every peer whose set is ours (or unknown). */
  readonly heard: HeardField;
  /**
   * The same list as name hashes (and the newest members by name), for the peers whose latest
   * list reported another member-set digest: they cannot read our bitmap. Same sequence number,
   * same content; only those peers pay for the longer form.
   */
  readonly hashes?: { readonly heard: HeardField; readonly to: ReadonlySet<string> };
}

export class LivenessConfigError extends Error {
  override readonly name = 'LivenessConfigError';
}

/** Checks the orderings the rule's argument needs (margins of one heartbeat). */
export function validateLivenessConfig(c: LivenessConfig): LivenessConfig {
  const h = c.heartbeatIntervalMs;
  const need = (ok: boolean, what: string): void => {
    if (!ok) throw new LivenessConfigError(`membership timing: ${what}`);
  };
  need(h > 0, 'heartbeatInterval must be positive');
  need(c.silentAfterMs >= 2 * h, 'silentAfter must cover at least 2 heartbeats');
  need(c.deadAfterMs - h >= c.silentAfterMs + h, 'deadAfter - heartbeat must exceed silentAfter by a heartbeat');
  need(c.corroborationMs >= c.silentAfterMs, 'corroboration must exceed silentAfter - heartbeat by a heartbeat');
  need(c.rejoinAfterMs >= c.silentAfterMs + 2 * h, 'rejoinAfter must exceed silentAfter by 2 heartbeats');
  need(c.rejoinAfterLeaseFenceMs >= c.rejoinAfterMs, 'rejoinAfterLeaseFence must be at least rejoinAfter');
  need(c.rejoinAfterLeaseFenceMs >= c.apiStaleAfterMs, 'rejoinAfterLeaseFence must be at least apiStaleAfter');
  need(c.k8sGraceMs > c.renewDeadlineMs, 'k8sGrace must exceed renewDeadline');
  need(c.minQuorumMembers >= 3, 'quorum mode needs at least 3 members');
  return c;
}

export type SuspectReason =
  | { readonly type: 'heartbeat-silent-uncorroborated'; readonly silentMs: number; readonly corroborators: readonly string[]; readonly need: number }
  | { readonly type: 'heartbeat-silent-lease-mode'; readonly silentMs: number }
  /** Not in our member set, but heard (authenticated) or named by a peer's heard-list. */
  | { readonly type: 'not-a-member-but-heard' }
  | { readonly type: 'not-a-member-but-reported' };

export type DeadReason =
  | { readonly type: 'lease-expired' }
  | { readonly type: 'lease-missing' }
  | { readonly type: 'node-not-ready' }
  | { readonly type: 'left' }
  | { readonly type: 'peer-fenced' }
  | { readonly type: 'heartbeat-silent-corroborated'; readonly silentMs: number; readonly corroborators: readonly string[] }
  | { readonly type: 'self-fenced' };

export type MemberStatus =
  | { readonly type: 'live' }
  | { readonly type: 'suspect'; readonly reason: SuspectReason }
  | { readonly type: 'dead'; readonly reason: DeadReason };

export type FenceReason =
  | { readonly type: 'not-a-member' }
  | { readonly type: 'own-lease-not-renewed'; readonly lastRenewAgoMs: number | undefined }
  | { readonly type: 'own-node-not-ready' }
  | { readonly type: 'no-quorum'; readonly mutual: readonly string[]; readonly need: number }
  | { readonly type: 'rejoining'; readonly clearForMs: number; readonly needMs: number };

export type FenceStatus = { readonly fenced: false } | { readonly fenced: true; readonly reason: FenceReason };

export interface LivenessView {
  readonly mode: 'quorum' | 'lease';
  /** Every member (self included) and its status. */
  readonly members: ReadonlyMap<string, MemberStatus>;
  /** Members that count as alive for ownership: live or suspect (self only when unfenced). */
  readonly live: ReadonlySet<string>;
  readonly fence: FenceStatus;
}

/** One line for logs: "live", "suspect:heartbeat-silent-uncorroborated", "dead:left". */
export function statusText(s: MemberStatus): string {
  return s.type === 'live' ? 'live' : `${s.type}:${s.reason.type}`;
}
