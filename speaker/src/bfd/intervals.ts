// The interval arithmetic of RFC 5880 §6.8.2-§6.8.4 and §6.8.7, as pure functions of the state.
import type { BfdSessionState } from './fsm-types.js';

/** The TX interval before jitter (µs): the slower of ours in force and what the peer can take. 0: send nothing periodic. */
export function txIntervalUs(s: BfdSessionState): number {
  if (s.remoteMinRxUs === 0) return 0;
  return Math.max(s.usedMinTxUs, s.remoteMinRxUs);
}

/**
 * The jittered interval in ms (§6.8.7): 75-100% of the interval, or 75-90% with a detect
 * multiplier of 1, so that one late packet never means a detection.
 */
export function jitteredMs(intervalUs: number, detectMult: number, random: number): number {
  const r = Math.min(Math.max(random, 0), 0.999999);
  const span = detectMult === 1 ? 0.15 : 0.25;
  return (intervalUs * (0.75 + span * r)) / 1000;
}

/** The detection time in ms (§6.8.4, asynchronous mode): the peer's multiplier times the agreed RX interval. */
export function detectionMs(s: BfdSessionState): number {
  return (s.remoteDetectMult * Math.max(s.usedMinRxUs, s.remoteDesiredMinTxUs)) / 1000;
}
