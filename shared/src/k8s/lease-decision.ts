// Leader election over a coordination.k8s.io Lease, as client-go's leaderelection does. This file
// is the pure part: given the Lease as read and the time, what should this candidate do.

export interface LeaseView {
  readonly holder: string | undefined;
  /** Milliseconds since the epoch of the last renewal, by the holder's clock. */
  readonly renewTimeMs: number | undefined;
  readonly leaseDurationSeconds: number | undefined;
  readonly transitions: number;
}

export type LeaseDecision =
  | { readonly type: 'create' }
  /** We hold it: renew. */
  | { readonly type: 'renew' }
  /** Expired, or released, and held by someone else: take it over. */
  | { readonly type: 'acquire'; readonly from: string | undefined }
  /** Someone else holds a live lease. */
  | { readonly type: 'wait'; readonly holder: string; readonly expiresInMs: number };

/**
 * `observedAtMs` is when *we* first saw the current (holder, renewTime) pair, by our own clock:
 * like client-go, expiry is judged from our observation, not from the holder's clock, so clock
 * skew between nodes cannot make two replicas think they lead.
 */
export function decideLease(
  lease: LeaseView | undefined,
  identity: string,
  nowMs: number,
  observedAtMs: number,
): LeaseDecision {
  if (!lease) return { type: 'create' };
  if (lease.holder === identity) return { type: 'renew' };
  if (!lease.holder) return { type: 'acquire', from: undefined };
  const durationMs = (lease.leaseDurationSeconds ?? 15) * 1000;
  const expiresInMs = observedAtMs + durationMs - nowMs;
  if (expiresInMs > 0) return { type: 'wait', holder: lease.holder, expiresInMs };
  return { type: 'acquire', from: lease.holder };
}
