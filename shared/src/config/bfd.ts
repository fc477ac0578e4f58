// BFDProfile -> BFDProfile model, with MetalLB's ranges and FRR's defaults. Every field is in
// effect in the speaker's BFD sessions (speaker/src/bfd/port.ts says how), except echo.
import type { BFDProfile } from './model.js';
import type { RawObject } from './names.js';
import { optBool, optInt } from './read.js';

export function parseBFDProfile(o: RawObject): BFDProfile | undefined {
  const { spec, scope } = o;
  const before = scope.count;
  const ms = (key: string, def: number): number => optInt(spec, key, `spec.${key}`, scope, 10, 60000) ?? def;
  const receiveInterval = ms('receiveInterval', 300);
  const transmitInterval = ms('transmitInterval', 300);
  // MetalLB's echo fields: the interval is checked (so a MetalLB config reads), but Herald has no
  // Echo function (RFC 5880 §6.4): asking for it is an error, not a silent no-op.
  ms('echoInterval', 50);
  if (optBool(spec, 'echoMode', 'spec.echoMode', scope) === true) {
    scope.error('spec.echoMode', 'echo mode is not supported (Herald runs BFD in asynchronous mode only); remove it or set it to false');
  }
  const detectMultiplier = optInt(spec, 'detectMultiplier', 'spec.detectMultiplier', scope, 2, 255) ?? 3;
  const minimumTtl = optInt(spec, 'minimumTtl', 'spec.minimumTtl', scope, 1, 254) ?? 254;
  const passiveMode = optBool(spec, 'passiveMode', 'spec.passiveMode', scope) ?? false;
  if (scope.count !== before) return undefined;
  return Object.freeze({ name: o.name, receiveInterval, transmitInterval, detectMultiplier, passiveMode, minimumTtl });
}
