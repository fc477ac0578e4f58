// Values for the BGP finite state machine (RFC 4271 §8): states, events, actions, reasons.
import type { IP } from '@herald/shared/net';
import type { AddressFamily, BgpMessage, OpenMessage } from '../wire/bgp/index.js';

export type SessionState = 'idle' | 'connect' | 'active' | 'openSent' | 'openConfirm' | 'established';

export type TimerName = 'connectRetry' | 'hold' | 'keepalive';

export type FsmEvent =
  | { readonly type: 'start' }
  /**
   * Stop the session. With `communication`, an established (or opening) session's Cease /
   * Administrative Shutdown carries it (RFC 9003), so the router's operator reads why.
   */
  | { readonly type: 'stop'; readonly communication?: string }
  | { readonly type: 'timer'; readonly timer: TimerName }
  | { readonly type: 'tcp-connected'; readonly localAddress: IP }
  | { readonly type: 'tcp-failed'; readonly error: string }
  | { readonly type: 'tcp-closed' }
  /** The BFD session watching this peer went Down (RFC 5882 §4.3: take the session down at once). */
  | { readonly type: 'bfd-down' }
  | { readonly type: 'message'; readonly message: BgpMessage }
  | { readonly type: 'decode-error'; readonly code: number; readonly subcode: number; readonly data: Buffer; readonly error: string };

/** Why a session is not (or no longer) established. */
export type DownReason =
  | { readonly type: 'stopped'; readonly communication?: string }
  | { readonly type: 'hold-timer-expired' }
  /** BFD said the path to the peer is down. */
  | { readonly type: 'bfd-down' }
  | { readonly type: 'tcp-failed'; readonly error: string }
  | { readonly type: 'tcp-closed'; readonly state: SessionState }
  /** `communication`: the peer's shutdown communication (RFC 9003), on a Cease 2 or 4 that has one. */
  | { readonly type: 'notification-received'; readonly code: number; readonly subcode: number; readonly data: string; readonly communication?: string }
  | { readonly type: 'open-rejected'; readonly code: number; readonly subcode: number; readonly why: string }
  | { readonly type: 'decode-error'; readonly code: number; readonly subcode: number; readonly error: string }
  | { readonly type: 'fsm-error'; readonly state: SessionState; readonly event: string };

/** What was agreed in the OPEN exchange. */
export interface Negotiated {
  readonly peerAS: number;
  readonly peerRouterId: IP;
  /** Seconds; 0: no hold timer and no keepalives. */
  readonly holdTime: number;
  readonly keepaliveTime: number;
  readonly fourOctetAs: boolean;
  readonly routeRefresh: boolean;
  readonly families: readonly AddressFamily[];
  /** The peer's Graceful Restart capability (RFC 4724 §3), when its OPEN carried one. */
  readonly peerGracefulRestart?: PeerGracefulRestart;
  readonly peerOpen: OpenMessage;
}

export interface PeerGracefulRestart {
  /** Its Restart State bit: it has restarted (and keeps our routes only until our End-of-RIB). */
  readonly restarting: boolean;
  readonly restartTimeS: number;
  /** Families it can keep forwarding for across its restart, and whether it did this time (F bit). */
  readonly families: readonly { readonly afi: number; readonly safi: number; readonly forwardingPreserved: boolean }[];
}

export type FsmAction =
  | { readonly type: 'connect' }
  | { readonly type: 'close' }
  | { readonly type: 'send'; readonly message: BgpMessage }
  | { readonly type: 'start-timer'; readonly timer: TimerName; readonly ms: number }
  | { readonly type: 'stop-timer'; readonly timer: TimerName }
  /** Send the whole advertised table (and End-of-RIB). */
  | { readonly type: 'established'; readonly negotiated: Negotiated }
  | { readonly type: 'resend-table' }
  | { readonly type: 'received-update'; readonly message: Extract<BgpMessage, { type: 'update' }> }
  | { readonly type: 'down'; readonly reason: DownReason };

export type TransitionReason = { readonly type: 'progress'; readonly event: FsmEvent['type'] } | { readonly type: 'down'; readonly reason: DownReason } | { readonly type: 'ignored'; readonly event: FsmEvent['type'] };

/** Per-session settings the FSM needs (from a BGPPeer, resolved). */
export interface FsmConfig {
  readonly localAS: number;
  readonly peerAS: number;
  readonly routerId: IP;
  /** Seconds we propose; 0 disables. */
  readonly holdTime: number;
  /** Seconds between our KEEPALIVEs (capped at a third of the negotiated hold time). */
  readonly keepaliveTime: number;
  /** First connect-retry delay, ms; doubles per failure up to maxRetryMs. */
  readonly connectRetryMs: number;
  readonly maxRetryMs: number;
  readonly families: readonly AddressFamily[];
  /**
   * RFC 4724: advertise the Graceful Restart capability, with this restart time (s, default
   * GR_RESTART_TIME_S) and the Forwarding State bit set for every family (our forwarding plane is
   * the node's kernel and kube-proxy, which a speaker restart leaves in place: README design notes).
   */
  readonly gracefulRestart: boolean;
  readonly restartTimeS?: number;
}

export interface FsmState {
  readonly state: SessionState;
  /** Consecutive failed attempts since the last Established. */
  readonly failures: number;
  readonly stopped: boolean;
  readonly negotiated?: Negotiated;
  /**
   * A session reached Established in this process's life. Until one has, our OPEN carries the
   * Restart State bit (RFC 4724 §4.1): a process that starts is a BGP speaker that restarted, as
   * far as its peer can know; reconnects after that are not restarts.
   */
  readonly wasEstablished?: boolean;
  /**
   * Quick connect attempts left while a peer that advertised graceful restart restarts (RFC 4724
   * receiving role: it waits for our routes and End-of-RIB; see fsm.ts restartRetries).
   */
  readonly peerRestartRetries?: number;
}

export interface Transition {
  readonly next: FsmState;
  readonly actions: readonly FsmAction[];
  readonly reason: TransitionReason;
}
