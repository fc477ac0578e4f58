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
  if (!stopped) actions.push({ type: 'start-timer', timer: 'connectRetry', ms: retryDelayMs(cfg, s.failures) });
  return { next: { state: 'idle', failures, stopped, ...(s.wasEstablished ? { wasEstablished: true } : {}) }, actions, reason: { type: 'down', reason } };
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
  return progress({ state: 'connect', failures: s.failures, stopped: false, ...(s.wasEstablished ? { wasEstablished: true } : {}) }, event, [
    { type: 'connect' },
    { type: 'start-timer', timer: 'connectRetry', ms: retryDelayMs(cfg, s.failures) },
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
          { type: 'start-timer', timer: 'connectRetry', ms: retryDelayMs(cfg, s.failures) },
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
          return progress({ ...s, state: 'established', failures: 0, wasEstablished: true }, e, [...holdRestart, { type: 'established', negotiated: n }]);
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
