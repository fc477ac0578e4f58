// The BGPSessionState object for one (node, BGPPeer) session, from the session's view. Pure:
// times come in as arguments. One object per session, named "<node>.<peer>" (a hash when that
// could be ambiguous or too long), labelled with the node and the peer.
import { createHash } from 'node:crypto';
import type { BFDSessionStateName, BGPSessionFSMState, BGPSessionStateStatus } from '@herald/shared/api';
import type { BfdState } from '../wire/bfd/index.js';
import type { SessionState } from '../bgp/fsm-types.js';
import type { SessionError, SessionView } from '../reconcile/bgp-sessions.js';
import { NODE_LABEL, type StatusObject } from './desired-status.js';
import { decodeShutdownCommunication } from '../wire/bgp/shutdown-communication.js';

export const PEER_LABEL = 'herald.dev/peer';

const FSM_STATE: Record<SessionState, BGPSessionFSMState> = {
  idle: 'Idle',
  connect: 'Connect',
  active: 'Active',
  openSent: 'OpenSent',
  openConfirm: 'OpenConfirm',
  established: 'Established',
};

const BFD_STATE: Record<BfdState, BFDSessionStateName> = { 'admin-down': 'AdminDown', down: 'Down', init: 'Init', up: 'Up' };

/**
 * "<node>.<peer>" when the peer's name has no dot: node names may hold dots, so the peer is
 * whatever follows the last one and two sessions never share a name. Otherwise, or past 253
 * characters, "bgpsession-" and a hash (which holds no dot, so it never meets the other form).
 */
export function sessionStateName(node: string, peer: string): string {
  const n = `${node}.${peer}`;
  if (!peer.includes('.') && n.length <= 253) return n;
  return `bgpsession-${createHash('sha256').update(`${node}/${peer}`).digest('hex').slice(0, 40)}`;
}

/** Label values are at most 63 characters: longer ones are left out (the status has them). */
function sessionLabels(node: string, peer: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (node.length <= 63) out[NODE_LABEL] = node;
  if (peer.length <= 63) out[PEER_LABEL] = peer;
  return out;
}

/** Cease subcodes (RFC 4486) and the other codes' names, for readable errors. */
const CODE_NAMES: Record<number, string> = {
  1: 'message header error',
  2: 'OPEN message error',
  3: 'UPDATE message error',
  4: 'hold timer expired',
  5: 'finite state machine error',
  6: 'cease',
  7: 'ROUTE-REFRESH message error',
};
const CEASE_NAMES: Record<number, string> = {
  1: 'maximum number of prefixes reached',
  2: 'administrative shutdown',
  3: 'peer de-configured',
  4: 'administrative reset',
  5: 'connection rejected',
  6: 'other configuration change',
  7: 'connection collision resolution',
  8: 'out of resources',
  9: 'hard reset',
  10: 'BFD down',
};
const OPEN_NAMES: Record<number, string> = {
  1: 'unsupported version number',
  2: 'bad peer AS',
  3: 'bad BGP identifier',
  4: 'unsupported optional parameter',
  6: 'unacceptable hold time',
  7: 'unsupported capability',
};

/** "6/2 administrative shutdown": the code pair and its name (RFC 4271 §4.5, RFC 4486). */
export function notificationName(code: number, subcode: number): string {
  const sub = code === 6 ? CEASE_NAMES[subcode] : code === 2 ? OPEN_NAMES[subcode] : undefined;
  const name = sub ?? CODE_NAMES[code] ?? 'unknown error code';
  return `${code}/${subcode} ${name}`;
}

/** RFC 8203/9003 shutdown communication: a length byte, then UTF-8. Empty when absent or bad. */
function shutdownText(code: number, subcode: number, hex: string): string {
  if (code !== 6 || (subcode !== 2 && subcode !== 4)) return '';
  const c = decodeShutdownCommunication(Buffer.from(hex, 'hex'));
  // Control characters would garble `kubectl get`; the peer chose the text, we only show it.
  return c.type === 'message' ? c.text.replace(/[\p{Cc}]/gu, ' ').trim() : '';
}

/** A readable reason, e.g. "hold timer expired", "NOTIFICATION received: 6/2 administrative shutdown". */
export function describeSessionError(e: SessionError): string {
  switch (e.type) {
    case 'reset':
      return 'session reset by the speaker: the BGPPeer settings changed';
    case 'create-failed':
      return `session not started: ${e.error}`;
    case 'down': {
      const r = e.reason;
      switch (r.type) {
        case 'stopped':
          return 'stopped by the speaker';
        case 'hold-timer-expired':
          return 'hold timer expired';
        case 'bfd-down':
          return 'BFD session went down';
        case 'tcp-failed':
          return `connect: ${r.error.replace(/^connect\s+/, '')}`;
        case 'tcp-closed':
          return `connection closed by the peer in ${FSM_STATE[r.state]}`;
        case 'notification-received': {
          const text = shutdownText(r.code, r.subcode, r.data);
          return `NOTIFICATION received: ${notificationName(r.code, r.subcode)}${text ? `: "${text}"` : ''}`;
        }
        case 'open-rejected':
          return `OPEN rejected, NOTIFICATION sent: ${notificationName(r.code, r.subcode)}: ${r.why}`;
        case 'decode-error':
          return `malformed message, NOTIFICATION sent: ${notificationName(r.code, r.subcode)}: ${r.error}`;
        case 'fsm-error':
          return `unexpected ${r.event} in ${FSM_STATE[r.state]}, NOTIFICATION sent: ${notificationName(5, 0)}`;
      }
    }
  }
}

export interface SessionStateTimes {
  /** Now, RFC 3339. */
  readonly now: string;
  /** A clock time (ms) as RFC 3339. */
  readonly wall: (clockMs: number) => string;
}

/**
 * The desired object. `prev`: the status the object has now (undefined if none): it keeps
 * lastTransitionTime while the state holds, and the last error when the session has none.
 */
export function desiredSessionState(node: string, v: SessionView, prev: BGPSessionStateStatus | undefined, t: SessionStateTimes): StatusObject {
  const state = FSM_STATE[v.state];
  const status: BGPSessionStateStatus = {
    node,
    peer: v.peer,
    peerAddress: v.peerAddress,
    state,
    ...(v.state === 'established' && v.establishedAt !== undefined ? { establishedAt: t.wall(v.establishedAt) } : {}),
    prefixesSent: v.prefixesSent,
    prefixesReceived: v.prefixesReceived,
    updatesSent: v.updatesSent,
    ...(v.bfdState ? { bfdState: BFD_STATE[v.bfdState] } : {}),
  };
  const lastError = v.lastError ? describeSessionError(v.lastError) : prev?.lastError;
  if (lastError !== undefined) status.lastError = lastError;
  status.lastTransitionTime = prev?.state === state && prev.lastTransitionTime ? prev.lastTransitionTime : t.now;
  return { name: sessionStateName(node, v.peer), labels: sessionLabels(node, v.peer), status: status as Readonly<Record<string, unknown>> };
}

/** The fields whose change is written at once; the counters wait for the periodic write. */
export function significant(s: Readonly<Record<string, unknown>> | undefined): string {
  if (!s) return '';
  return JSON.stringify([s['node'], s['peer'], s['peerAddress'], s['state'], s['establishedAt'], s['lastError'], s['bfdState']]);
}
