// The BFD session state machine as a pure function (RFC 5880 §6.2, §6.8.6): (config, state,
// event, random draw) -> {next, actions}. Asynchronous mode only; no Demand mode and no Echo
// function (we advertise Required Min Echo RX 0, which tells the peer not to send echoes).
// Timers are actions; their expiry comes back as events, so tests drive time with a fake clock.
import { Diag, type BfdState, type ControlPacket } from '../wire/bfd/index.js';
import { SLOW_TX_US, type BfdAction, type BfdConfig, type BfdEvent, type BfdSessionState, type BfdStateReason, type BfdTransition, type StepContext } from './fsm-types.js';
import { detectionMs, jitteredMs, txIntervalUs } from './intervals.js';

export function initialState(cfg: BfdConfig, localDiscr: number): BfdSessionState {
  if (!Number.isInteger(localDiscr) || localDiscr < 1 || localDiscr > 0xffffffff) throw new RangeError(`local discriminator ${localDiscr} must be 1..2^32-1`);
  const tx = Math.max(SLOW_TX_US, cfg.desiredMinTxUs);
  return {
    state: 'down',
    diag: Diag.none,
    localDiscr,
    remoteDiscr: 0,
    remoteState: 'down',
    remoteMinRxUs: 1,
    remoteDesiredMinTxUs: 0,
    remoteDetectMult: 0,
    desiredMinTxUs: tx,
    usedMinTxUs: tx,
    requiredMinRxUs: cfg.requiredMinRxUs,
    usedMinRxUs: cfg.requiredMinRxUs,
    polling: false,
    adminDown: false,
  };
}

export function buildPacket(cfg: BfdConfig, s: BfdSessionState, flags: { readonly poll?: boolean; readonly final?: boolean } = {}): ControlPacket {
  return {
    diag: s.diag,
    state: s.state,
    poll: flags.poll ?? false,
    final: flags.final ?? false,
    controlPlaneIndependent: false,
    demand: false,
    detectMult: cfg.detectMult,
    myDiscriminator: s.localDiscr,
    yourDiscriminator: s.remoteDiscr,
    desiredMinTxUs: s.desiredMinTxUs,
    requiredMinRxUs: s.requiredMinRxUs,
    requiredMinEchoRxUs: 0,
  };
}

/** §6.1 and §6.8.7: a passive session sends nothing until it has the peer's discriminator. */
function maySend(cfg: BfdConfig, s: BfdSessionState): boolean {
  return !(cfg.passive && s.remoteDiscr === 0);
}

/**
 * New advertised intervals (§6.8.3). While Up a change starts a Poll Sequence, and the slower
 * side of each change waits for its end: a TX increase is not used yet, nor an RX reduction in
 * the detection time. Not Up, everything applies at once.
 */
function withIntervals(s: BfdSessionState, txUs: number, rxUs: number, up: boolean): BfdSessionState {
  if (txUs === s.desiredMinTxUs && rxUs === s.requiredMinRxUs) return s;
  if (!up) return { ...s, desiredMinTxUs: txUs, usedMinTxUs: txUs, requiredMinRxUs: rxUs, usedMinRxUs: rxUs, polling: false };
  return {
    ...s,
    desiredMinTxUs: txUs,
    usedMinTxUs: Math.min(s.usedMinTxUs, txUs),
    requiredMinRxUs: rxUs,
    usedMinRxUs: Math.max(s.usedMinRxUs, rxUs),
    polling: true,
  };
}

/** Moves to `to`; the intervals follow (the configured ones when Up, at least 1 s otherwise). */
function moveTo(cfg: BfdConfig, s: BfdSessionState, to: BfdState, diag: number): BfdSessionState {
  const up = to === 'up';
  const tx = up ? cfg.desiredMinTxUs : Math.max(SLOW_TX_US, cfg.desiredMinTxUs);
  return withIntervals({ ...s, state: to, diag }, tx, cfg.requiredMinRxUs, up);
}

function txArm(cfg: BfdConfig, s: BfdSessionState, ctx: StepContext): BfdAction {
  return { type: 'arm', timer: 'tx', ms: jitteredMs(txIntervalUs(s) || SLOW_TX_US, cfg.detectMult, ctx.random) };
}

function onReceived(cfg: BfdConfig, s0: BfdSessionState, p: ControlPacket, ctx: StepContext): BfdTransition {
  if (s0.state === 'admin-down') return { next: s0, actions: [] };
  let s: BfdSessionState = {
    ...s0,
    remoteDiscr: p.myDiscriminator,
    remoteState: p.state,
    remoteMinRxUs: p.requiredMinRxUs,
    remoteDesiredMinTxUs: p.desiredMinTxUs,
    remoteDetectMult: p.detectMult,
  };
  if (p.final && s.polling) s = { ...s, polling: false, usedMinTxUs: s.desiredMinTxUs, usedMinRxUs: s.requiredMinRxUs };

  let to: BfdState | undefined;
  let reason: BfdStateReason | undefined;
  let diag = s.diag;
  if (p.state === 'admin-down') {
    if (s.state !== 'down') [to, reason, diag] = ['down', { type: 'neighbor-admin-down' }, Diag.neighborSignaledDown];
  } else if (s.state === 'down') {
    if (p.state === 'down') [to, reason] = ['init', { type: 'handshake', remoteState: p.state }];
    else if (p.state === 'init') [to, reason] = ['up', { type: 'handshake', remoteState: p.state }];
  } else if (s.state === 'init') {
    if (p.state === 'init' || p.state === 'up') [to, reason] = ['up', { type: 'handshake', remoteState: p.state }];
  } else if (p.state === 'down') {
    [to, reason, diag] = ['down', { type: 'neighbor-down' }, Diag.neighborSignaledDown];
  }

  const actions: BfdAction[] = [];
  const from = s.state;
  if (to && reason) {
    s = moveTo(cfg, s, to, to === 'up' ? Diag.none : diag);
    actions.push({ type: 'state', from, to, reason });
  }
  actions.push({ type: 'arm', timer: 'detect', ms: detectionMs(s) });
  // §6.8.7: a Poll is answered at once with a Final (never both bits in one packet); a state
  // change is told at once too, so the peer's side of the handshake does not wait a TX interval.
  if (p.poll) actions.push({ type: 'send', packet: buildPacket(cfg, s, { final: true }) });
  else if (to) actions.push({ type: 'send', packet: buildPacket(cfg, s, { poll: s.polling }) });
  if (txIntervalUs(s) !== txIntervalUs(s0)) actions.push(txArm(cfg, s, ctx));
  return { next: s, actions };
}

export function step(cfg: BfdConfig, s: BfdSessionState, e: BfdEvent, ctx: StepContext): BfdTransition {
  switch (e.type) {
    case 'start': {
      const next = s.adminDown ? { ...moveTo(cfg, s, 'down', Diag.none), adminDown: false } : s;
      const actions: BfdAction[] = [];
      if (maySend(cfg, next)) actions.push({ type: 'send', packet: buildPacket(cfg, next) });
      actions.push(txArm(cfg, next, ctx));
      return { next, actions };
    }
    case 'received':
      return onReceived(cfg, s, e.packet, ctx);
    case 'timer':
      if (e.timer === 'tx') {
        const actions: BfdAction[] = [];
        if (maySend(cfg, s) && txIntervalUs(s) > 0) actions.push({ type: 'send', packet: buildPacket(cfg, s, { poll: s.polling }) });
        actions.push(txArm(cfg, s, ctx));
        return { next: s, actions };
      } else {
        // §6.8.1, §6.8.4: a detection time of silence forgets the peer, and takes Init/Up Down.
        const forgot: BfdSessionState = { ...s, remoteDiscr: 0, remoteState: 'down', remoteMinRxUs: 1, remoteDesiredMinTxUs: 0, remoteDetectMult: 0 };
        if (s.state !== 'init' && s.state !== 'up') return { next: forgot, actions: [] };
        const next = moveTo(cfg, forgot, 'down', Diag.controlDetectionTimeExpired);
        const actions: BfdAction[] = [{ type: 'state', from: s.state, to: 'down', reason: { type: 'detect-timeout', detectMs: detectionMs(s) } }];
        if (maySend(cfg, next)) actions.push({ type: 'send', packet: buildPacket(cfg, next) });
        actions.push(txArm(cfg, next, ctx));
        return { next, actions };
      }
    case 'config': {
      const c = e.config;
      const up = s.state === 'up';
      const next = withIntervals(s, up ? c.desiredMinTxUs : Math.max(SLOW_TX_US, c.desiredMinTxUs), c.requiredMinRxUs, up);
      const actions: BfdAction[] = [];
      if (next.polling && !s.polling && maySend(c, next)) actions.push({ type: 'send', packet: buildPacket(c, next, { poll: true }) });
      if (txIntervalUs(next) !== txIntervalUs(s)) actions.push(txArm(c, next, ctx));
      return { next, actions };
    }
    case 'admin-down': {
      if (s.state === 'admin-down') return { next: s, actions: [] };
      const next: BfdSessionState = { ...moveTo(cfg, s, 'admin-down', Diag.administrativelyDown), adminDown: true };
      const actions: BfdAction[] = [{ type: 'state', from: s.state, to: 'admin-down', reason: { type: 'admin-down' } }, { type: 'disarm', timer: 'detect' }];
      if (maySend(cfg, next)) actions.push({ type: 'send', packet: buildPacket(cfg, next) });
      return { next, actions };
    }
  }
}
