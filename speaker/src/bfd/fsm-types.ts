// Values for the BFD session state machine (RFC 5880 §6.2, §6.8): configuration, state
// variables, events, actions and reasons. Intervals are microseconds, as on the wire.
import type { BfdState, ControlPacket } from '../wire/bfd/index.js';

/** One session's settings (from a BFDProfile). */
export interface BfdConfig {
  /** bfd.DesiredMinTxInterval while Up (µs). */
  readonly desiredMinTxUs: number;
  /** bfd.RequiredMinRxInterval (µs). */
  readonly requiredMinRxUs: number;
  readonly detectMult: number;
  /** Passive role (RFC 5880 §6.1): send nothing until the peer has been heard. */
  readonly passive: boolean;
}

/** RFC 5880 §6.8.3: not Up means a desired TX interval of at least one second. */
export const SLOW_TX_US = 1_000_000;

/** The state variables of RFC 5880 §6.8.1 that this implementation uses, plus the timer bookkeeping. */
export interface BfdSessionState {
  readonly state: BfdState;
  /** bfd.LocalDiag: why the session last left Up (0 once Up again). */
  readonly diag: number;
  readonly localDiscr: number;
  /** bfd.RemoteDiscr: 0 until heard, and again after a detection time of silence. */
  readonly remoteDiscr: number;
  readonly remoteState: BfdState;
  /** bfd.RemoteMinRxInterval: initially 1 (µs). 0 means: send no periodic packets. */
  readonly remoteMinRxUs: number;
  /** The peer's last Desired Min TX Interval and Detect Mult (for the detection time). */
  readonly remoteDesiredMinTxUs: number;
  readonly remoteDetectMult: number;
  /** bfd.DesiredMinTxInterval as advertised now. */
  readonly desiredMinTxUs: number;
  /** The TX interval in force (an increase waits for the Poll Sequence to end: §6.8.3). */
  readonly usedMinTxUs: number;
  /** bfd.RequiredMinRxInterval as advertised now. */
  readonly requiredMinRxUs: number;
  /** The RX interval used for the detection time (a reduction waits for the Poll Sequence). */
  readonly usedMinRxUs: number;
  /** A Poll Sequence is in progress: periodic packets carry P until a Final arrives. */
  readonly polling: boolean;
  /** The operator set the session AdminDown (we are stopping it). */
  readonly adminDown: boolean;
}

export type BfdEvent =
  | { readonly type: 'start' }
  | { readonly type: 'received'; readonly packet: ControlPacket }
  | { readonly type: 'timer'; readonly timer: BfdTimer }
  | { readonly type: 'config'; readonly config: BfdConfig }
  | { readonly type: 'admin-down' };

export type BfdTimer = 'tx' | 'detect';

/** Why the session changed state. */
export type BfdStateReason =
  /** The three-way handshake moved on (Down -> Init -> Up). */
  | { readonly type: 'handshake'; readonly remoteState: BfdState }
  /** No packet within the detection time (diag 1). */
  | { readonly type: 'detect-timeout'; readonly detectMs: number }
  /** The peer said Down while we were Up (diag 3). */
  | { readonly type: 'neighbor-down' }
  /** The peer said AdminDown (diag 3). */
  | { readonly type: 'neighbor-admin-down' }
  /** We stopped the session (diag 7). */
  | { readonly type: 'admin-down' };

export type BfdAction =
  | { readonly type: 'send'; readonly packet: ControlPacket }
  | { readonly type: 'arm'; readonly timer: BfdTimer; readonly ms: number }
  | { readonly type: 'disarm'; readonly timer: BfdTimer }
  | { readonly type: 'state'; readonly from: BfdState; readonly to: BfdState; readonly reason: BfdStateReason };

export interface BfdTransition {
  readonly next: BfdSessionState;
  readonly actions: readonly BfdAction[];
}

/** What step() needs besides state and event: a random draw in [0, 1) for the TX jitter. */
export interface StepContext {
  readonly random: number;
}
