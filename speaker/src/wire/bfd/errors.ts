// Why a received BFD packet was dropped: the RFC 5880 §6.8.6 reception checks (and the TTL rule
// of RFC 5881 §5 / RFC 5883 §2) as values, so the shell counts them by type and tests assert them.

export type DropReason =
  | { readonly type: 'truncated'; readonly need: number; readonly have: number }
  | { readonly type: 'bad-version'; readonly version: number }
  /** The Length field is below the minimum, or above the bytes received. */
  | { readonly type: 'bad-length'; readonly length: number; readonly received: number }
  | { readonly type: 'zero-detect-mult' }
  | { readonly type: 'multipoint' }
  | { readonly type: 'zero-my-discriminator' }
  /** Your Discriminator zero is only valid in Down or AdminDown. */
  | { readonly type: 'zero-your-discriminator'; readonly state: string }
  | { readonly type: 'bad-auth'; readonly why: string }
  /** A bit set and we use no authentication (RFC 5880 §6.8.6). */
  | { readonly type: 'auth-not-configured' }
  /** Your Discriminator names no session of ours. */
  | { readonly type: 'unknown-discriminator'; readonly discriminator: number }
  /** Your Discriminator zero and no session for the source address. */
  | { readonly type: 'unknown-peer'; readonly address: string }
  | { readonly type: 'bad-ttl'; readonly ttl: number; readonly min: number };

export type DropType = DropReason['type'];

export const DROP_TYPES: readonly DropType[] = [
  'truncated',
  'bad-version',
  'bad-length',
  'zero-detect-mult',
  'multipoint',
  'zero-my-discriminator',
  'zero-your-discriminator',
  'bad-auth',
  'auth-not-configured',
  'unknown-discriminator',
  'unknown-peer',
  'bad-ttl',
];

export function describeDrop(r: DropReason): string {
  switch (r.type) {
    case 'truncated':
      return `truncated: need ${r.need} bytes, have ${r.have}`;
    case 'bad-version':
      return `version ${r.version}, want 1`;
    case 'bad-length':
      return `length field ${r.length} with ${r.received} bytes received`;
    case 'zero-detect-mult':
      return 'detect multiplier 0';
    case 'multipoint':
      return 'multipoint bit set';
    case 'zero-my-discriminator':
      return 'my discriminator 0';
    case 'zero-your-discriminator':
      return `your discriminator 0 in state ${r.state}`;
    case 'bad-auth':
      return `authentication section: ${r.why}`;
    case 'auth-not-configured':
      return 'authenticated packet, and no authentication is configured';
    case 'unknown-discriminator':
      return `no session has discriminator ${r.discriminator}`;
    case 'unknown-peer':
      return `no session for ${r.address}`;
    case 'bad-ttl':
      return `TTL ${r.ttl}, want at least ${r.min}`;
  }
}

/** A packet that fails the reception checks; the shell drops it and counts reason.type. */
export class BfdDropError extends Error {
  override readonly name = 'BfdDropError';
  constructor(
    readonly reason: DropReason,
    options?: ErrorOptions,
  ) {
    super(describeDrop(reason), options);
  }
}
