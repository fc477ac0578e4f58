// The BGP FSM as a pure function: (config, state, event) -> {next, actions, reason}. No sockets,
// no clock: timers are actions, and their expiry comes back as events. Active mode only: the
// speaker always connects out (passive peers are not supported; README).
import { CeaseSubcode, ErrorCode, decodeShutdownCommunication, encodeShutdownCommunication } from '../wire/bgp/index.js';
import type { DownReason, FsmAction, FsmConfig, FsmEvent, FsmState, Transition } from './fsm-types.js';
import { buildOpen, checkOpen } from './open-check.js';

/** The hold time proposed while waiting for the peer's OPEN (RFC 4271 §8.2.2: "large", 4 min). */
export const OPEN_HOLD_MS = 240_000;

export const initialState: FsmState = { state: 'idle', failures: 0, stopped: true };

/** Connect-retry delay after n consecutive failures: base * 2^n, capped. */
export function retryDelayMs(cfg: FsmConfig, failures: number): number {
  return Math.min(cfg.maxRetryMs, cfg.connectRetryMs * 2 ** Math.min(failures, 20));
}

/** The retry delay while a restarting peer is waited for (RFC 4724 receiving role): at most this. */
export const GR_PEER_RETRY_MS = 1000;

/** The delay before the next attempt from state s: quick while a graceful-restart peer restarts. */
function nextDelayMs(cfg: FsmConfig, s: FsmState): number {
  const d = retryDelayMs(cfg, s.failures);
  return s.peerRestartRetries ? Math.min(GR_PEER_RETRY_MS, d) : d;
}

/**
 * Quick retries owed after a session ends: when the peer had advertised graceful restart and the
 * session ended as a restarting router's does (its TCP closed, or it went silent), it is coming
 * back and keeps forwarding for its restart time while it waits for our routes and End-of-RIB. So
 * we try every GR_PEER_RETRY_MS for that long (one try a second, at most 600), not after the
 * connect backoff (connectTime defaults to 120 s).
 */
function restartRetries(s: FsmState, reason: DownReason): number | undefined {
  const gr = s.state === 'established' ? s.negotiated?.peerGracefulRestart : undefined;
  if (!gr || (reason.type !== 'tcp-closed' && reason.type !== 'hold-timer-expired')) return s.peerRestartRetries;
  return Math.max(1, Math.min(600, gr.restartTimeS));
}

const allTimersOff: FsmAction[] = [
  { type: 'stop-timer', timer: 'connectRetry' },
  { type: 'stop-timer', timer: 'hold' },
  { type: 'stop-timer', timer: 'keepalive' },
];

/** Tears the session down and schedules the next attempt (unless stopped). */
function down(cfg: FsmConfig, s: FsmState, reason: DownReason, notify?: { code: number; subcode: number; data?: Buffer }): Transition {
  const actions: FsmAction[] = [];
  if (notify) actions.push({ type: 'send', message: { type: 'notification', code: notify.code, subcode: notify.subcode, data: notify.data ?? Buffer.alloc(0) } });
  actions.push({ type: 'close' }, ...allTimersOff, { type: 'down', reason });
  const stopped = s.stopped || reason.type === 'stopped';
  const failures = s.failures + 1;
  const retries = stopped ? undefined : restartRetries(s, reason);
  const next: FsmState = { state: 'idle', failures, stopped, ...(s.wasEstablished ? { wasEstablished: true } : {}), ...(retries ? { peerRestartRetries: retries } : {}) };
  if (!stopped) actions.push({ type: 'start-timer', timer: 'connectRetry', ms: nextDelayMs(cfg, { ...next, failures: s.failures }) });
  return { next, actions, reason: { type: 'down', reason } };
}

function progress(next: FsmState, event: FsmEvent, actions: FsmAction[]): Transition {
  return { next, actions, reason: { type: 'progress', event: event.type } };
}

function ignored(s: FsmState, event: FsmEvent): Transition {
  return { next: s, actions: [], reason: { type: 'ignored', event: event.type } };
}

function fsmError(cfg: FsmConfig, s: FsmState, event: FsmEvent): Transition {
  return down(cfg, s, { type: 'fsm-error', state: s.state, event: event.type === 'message' ? event.message.type : event.type }, { code: ErrorCode.fsm, subcode: 0 });
}

function connectNow(cfg: FsmConfig, s: FsmState, event: FsmEvent): Transition {
  const retries = s.peerRestartRetries ? s.peerRestartRetries - 1 : 0;
  const next: FsmState = { state: 'connect', failures: s.failures, stopped: false, ...(s.wasEstablished ? { wasEstablished: true } : {}), ...(retries > 0 ? { peerRestartRetries: retries } : {}) };
  return progress(next, event, [
    { type: 'connect' },
    { type: 'start-timer', timer: 'connectRetry', ms: nextDelayMs(cfg, { ...next, peerRestartRetries: s.peerRestartRetries }) },
  ]);
}

export function step(cfg: FsmConfig, s: FsmState, e: FsmEvent): Transition {
  // Events valid in every state.
  if (e.type === 'stop') {
    const why: DownReason = e.communication !== undefined ? { type: 'stopped', communication: e.communication } : { type: 'stopped' };
    if (s.state === 'idle') return { next: { ...s, stopped: true }, actions: [...allTimersOff], reason: { type: 'down', reason: why } };
    const established = s.state === 'openSent' || s.state === 'openConfirm' || s.state === 'established';
    const data = e.communication !== undefined ? encodeShutdownCommunication(e.communication) : undefined;
    return down(cfg, s, why, established ? { code: ErrorCode.cease, subcode: CeaseSubcode.adminShutdown, ...(data ? { data } : {}) } : undefined);
  }
  if (e.type === 'decode-error' && s.state !== 'idle') {
    return down(cfg, s, { type: 'decode-error', code: e.code, subcode: e.subcode, error: e.error }, { code: e.code, subcode: e.subcode, data: e.data });
  }
  if (e.type === 'message' && e.message.type === 'notification' && s.state !== 'idle') {
    const m = e.message;
    const shutdown = m.code === ErrorCode.cease && (m.subcode === CeaseSubcode.adminShutdown || m.subcode === CeaseSubcode.adminReset);
    const c = shutdown ? decodeShutdownCommunication(m.data) : undefined;
    const communication = c?.type === 'message' ? c.text : c?.type === 'malformed' ? `(malformed shutdown communication: ${c.why})` : undefined;
    return down(cfg, s, { type: 'notification-received', code: m.code, subcode: m.subcode, data: m.data.toString('hex'), ...(communication !== undefined ? { communication } : {}) });
  }
  if (e.type === 'tcp-closed' && s.state !== 'idle') {
    return down(cfg, s, { type: 'tcp-closed', state: s.state });
  }
  if (e.type === 'bfd-down') {
    if (s.state === 'idle') return ignored(s, e);
    // A Cease "BFD Down" (RFC 9384) where an OPEN went out; the path is likely dead, so it may
    // never arrive, and the socket is closed at once either way.
    const opened = s.state === 'openSent' || s.state === 'openConfirm' || s.state === 'established';
    return down(cfg, s, { type: 'bfd-down' }, opened ? { code: ErrorCode.cease, subcode: CeaseSubcode.bfdDown } : undefined);
  }

  switch (s.state) {
    case 'idle':
      if (e.type === 'start' || (e.type === 'timer' && e.timer === 'connectRetry' && !s.stopped)) return connectNow(cfg, s, e);
      return ignored(s, e);

    case 'connect':
    case 'active':
      if (e.type === 'tcp-connected') {
        return progress({ ...s, state: 'openSent' }, e, [
          { type: 'stop-timer', timer: 'connectRetry' },
          { type: 'send', message: buildOpen(cfg, { restarting: !s.wasEstablished }) },
          { type: 'start-timer', timer: 'hold', ms: OPEN_HOLD_MS },
        ]);
      }
      if (e.type === 'tcp-failed') {
        return progress({ ...s, state: 'active', failures: s.failures + 1 }, e, [
          { type: 'close' },
          { type: 'start-timer', timer: 'connectRetry', ms: nextDelayMs(cfg, s) },
        ]);
      }
      // In Connect the timer means the attempt went unanswered (a dropped SYN, say a wrong MD5
      // key): that is a failure too, so the next attempt backs off.
      if (e.type === 'timer' && e.timer === 'connectRetry') return connectNow(cfg, s.state === 'connect' ? { ...s, failures: s.failures + 1 } : s, e);
      if (e.type === 'start') return ignored(s, e);
      return fsmError(cfg, s, e);

    case 'openSent':
      if (e.type === 'message' && e.message.type === 'open') {
        const r = checkOpen(cfg, e.message);
        if (!r.ok) return down(cfg, s, { type: 'open-rejected', code: r.code, subcode: r.subcode, why: r.why }, r);
        const n = r.negotiated;
        const actions: FsmAction[] = [{ type: 'send', message: { type: 'keepalive' } }, { type: 'stop-timer', timer: 'hold' }];
        if (n.holdTime > 0) {
          actions.push({ type: 'start-timer', timer: 'hold', ms: n.holdTime * 1000 }, { type: 'start-timer', timer: 'keepalive', ms: n.keepaliveTime * 1000 });
        }
        return progress({ ...s, state: 'openConfirm', negotiated: n }, e, actions);
      }
      if (e.type === 'timer' && e.timer === 'hold') {
        return down(cfg, s, { type: 'hold-timer-expired' }, { code: ErrorCode.holdTimerExpired, subcode: 0 });
      }
      if (e.type === 'start') return ignored(s, e);
      return fsmError(cfg, s, e);

    case 'openConfirm':
    case 'established': {
      const n = s.negotiated!;
      if (e.type === 'timer' && e.timer === 'hold') {
        return down(cfg, s, { type: 'hold-timer-expired' }, { code: ErrorCode.holdTimerExpired, subcode: 0 });
      }
      if (e.type === 'timer' && e.timer === 'keepalive') {
        return progress(s, e, [
          { type: 'send', message: { type: 'keepalive' } },
          ...(n.keepaliveTime > 0 ? [{ type: 'start-timer', timer: 'keepalive', ms: n.keepaliveTime * 1000 } as const] : []),
        ]);
      }
      if (e.type === 'start') return ignored(s, e);
      if (e.type !== 'message') return fsmError(cfg, s, e);
      const holdRestart: FsmAction[] = n.holdTime > 0 ? [{ type: 'start-timer', timer: 'hold', ms: n.holdTime * 1000 }] : [];
      const m = e.message;
      if (s.state === 'openConfirm') {
        if (m.type === 'keepalive') {
          const { peerRestartRetries: _done, ...rest } = s;
          return progress({ ...rest, state: 'established', failures: 0, wasEstablished: true }, e, [...holdRestart, { type: 'established', negotiated: n }]);
        }
        return fsmError(cfg, s, e);
      }
      if (m.type === 'keepalive') return progress(s, e, holdRestart);
      if (m.type === 'update') return progress(s, e, [...holdRestart, { type: 'received-update', message: m }]);
      if (m.type === 'route-refresh') return progress(s, e, [...holdRestart, { type: 'resend-table' }]);
      return fsmError(cfg, s, e);
    }
  }
}
