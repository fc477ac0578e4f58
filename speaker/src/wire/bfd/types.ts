// BFD control packet values (RFC 5880 §4.1): states, diagnostics, the packet and its optional
// authentication section. Intervals are microseconds, as on the wire.

/** Session states as sent in the Sta field (RFC 5880 §4.1: 0 AdminDown, 1 Down, 2 Init, 3 Up). */
export type BfdState = 'admin-down' | 'down' | 'init' | 'up';

export const STATE_CODES: Readonly<Record<BfdState, number>> = { 'admin-down': 0, down: 1, init: 2, up: 3 };
export const STATES: readonly BfdState[] = ['admin-down', 'down', 'init', 'up'];

/** Diagnostic codes (RFC 5880 §4.1). */
export const Diag = {
  none: 0,
  controlDetectionTimeExpired: 1,
  echoFailed: 2,
  neighborSignaledDown: 3,
  forwardingPlaneReset: 4,
  pathDown: 5,
  concatenatedPathDown: 6,
  administrativelyDown: 7,
  reverseConcatenatedPathDown: 8,
} as const;

/** Authentication types (RFC 5880 §4.1, §4.2-4.4). */
export const AuthType = { simplePassword: 1, keyedMd5: 2, meticulousKeyedMd5: 3, keyedSha1: 4, meticulousKeyedSha1: 5 } as const;

/** The authentication section, parsed (Herald does not authenticate: sessions drop these packets). */
export type AuthSection =
  | { readonly type: 'simple-password'; readonly keyId: number; readonly password: Buffer }
  | {
      readonly type: 'keyed-md5' | 'meticulous-keyed-md5' | 'keyed-sha1' | 'meticulous-keyed-sha1';
      readonly keyId: number;
      readonly sequence: number;
      /** 16 bytes (MD5) or 20 bytes (SHA1). */
      readonly digest: Buffer;
    };

export interface ControlPacket {
  readonly diag: number;
  readonly state: BfdState;
  readonly poll: boolean;
  readonly final: boolean;
  /** C: the transmitter's BFD does not share fate with its control plane. */
  readonly controlPlaneIndependent: boolean;
  /** D: demand mode. */
  readonly demand: boolean;
  readonly detectMult: number;
  readonly myDiscriminator: number;
  readonly yourDiscriminator: number;
  readonly desiredMinTxUs: number;
  readonly requiredMinRxUs: number;
  readonly requiredMinEchoRxUs: number;
  readonly auth?: AuthSection;
}

/** UDP ports (RFC 5881 §4, RFC 5883 §5) and the source port range (RFC 5881 §4). */
export const SINGLE_HOP_PORT = 3784;
export const MULTIHOP_PORT = 4784;
export const SOURCE_PORT_MIN = 49152;
export const SOURCE_PORT_MAX = 65535;
export const HEADER_LENGTH = 24;
