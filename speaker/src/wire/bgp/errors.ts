// BGP decode errors carry the NOTIFICATION code and subcode (RFC 4271 §4.5, RFC 7606), so the
// FSM answers a bad message without translating.

export const ErrorCode = {
  messageHeader: 1,
  openMessage: 2,
  updateMessage: 3,
  holdTimerExpired: 4,
  fsm: 5,
  cease: 6,
  routeRefresh: 7,
} as const;

export const HeaderSubcode = { connectionNotSynchronized: 1, badMessageLength: 2, badMessageType: 3 } as const;

export const OpenSubcode = {
  unsupportedVersion: 1,
  badPeerAS: 2,
  badBgpIdentifier: 3,
  unsupportedOptionalParameter: 4,
  unacceptableHoldTime: 6,
  unsupportedCapability: 7,
} as const;

export const UpdateSubcode = {
  malformedAttributeList: 1,
  unrecognizedWellKnown: 2,
  missingWellKnown: 3,
  attributeFlagsError: 4,
  attributeLengthError: 5,
  invalidOrigin: 6,
  invalidNextHop: 8,
  optionalAttributeError: 9,
  invalidNetworkField: 10,
  malformedAsPath: 11,
} as const;

export const CeaseSubcode = {
  maxPrefixes: 1,
  adminShutdown: 2,
  peerDeconfigured: 3,
  adminReset: 4,
  connectionRejected: 5,
  otherConfigChange: 6,
  collisionResolution: 7,
  outOfResources: 8,
  hardReset: 9,
  /** RFC 9384. */
  bfdDown: 10,
} as const;

/** A message (or part of one) that cannot be decoded; says which NOTIFICATION to send. */
export class DecodeError extends Error {
  override readonly name = 'DecodeError';
  constructor(
    message: string,
    readonly code: number,
    readonly subcode: number,
    readonly data: Buffer = Buffer.alloc(0),
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Thrown by encoders for values that cannot be put on the wire (a programming error). */
export class EncodeError extends Error {
  override readonly name = 'EncodeError';
}
