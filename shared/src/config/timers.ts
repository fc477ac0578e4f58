// BGP hold / keepalive / connect timers from duration strings, with MetalLB's rules: hold 0 or
// >= 3 s (default 90 s, or 3 x keepalive), keepalive <= hold (default hold / 3).
import type { Scope } from './issues.js';
import { parseDuration } from './duration.js';
import { optString, type JSONObject } from './read.js';

export interface Timers {
  readonly holdTime: number;
  readonly keepaliveTime: number;
  readonly connectTime: number;
}

function seconds(o: JSONObject, key: string, scope: Scope): number | undefined {
  const f = `spec.${key}`;
  const s = optString(o, key, f, scope);
  if (s === undefined) return undefined;
  const ms = parseDuration(s);
  if (ms === undefined) {
    scope.error(f, `invalid duration ${JSON.stringify(s)}: want e.g. "90s", "1m30s" or "500ms"`);
    return undefined;
  }
  return ms / 1000;
}

export function parseTimers(spec: JSONObject, scope: Scope): Timers | undefined {
  const before = scope.count;
  const hold = seconds(spec, 'holdTime', scope);
  const keep = seconds(spec, 'keepaliveTime', scope);
  const connect = seconds(spec, 'connectTime', scope);
  if (scope.count !== before) return undefined;
  // BGP carries whole seconds.
  const holdTime = Math.floor(hold ?? (keep !== undefined ? keep * 3 : 90));
  const keepaliveTime = Math.floor(keep ?? holdTime / 3);
  if ((hold ?? 0) > 0 && holdTime < 3) {
    scope.error('spec.holdTime', `invalid hold time ${JSON.stringify(spec['holdTime'])}: must be 0 or >= 3s`);
  } else if (keepaliveTime > holdTime) {
    scope.error('spec.keepaliveTime', `keepalive time ${keepaliveTime}s must not exceed the hold time ${holdTime}s`);
  }
  const connectTime = Math.floor(connect ?? 120);
  if (connectTime < 1 || connectTime > 65535) {
    scope.error('spec.connectTime', `must be between 1s and 65535s, not ${JSON.stringify(spec['connectTime'])}`);
  }
  if (scope.count !== before) return undefined;
  return { holdTime, keepaliveTime, connectTime };
}
