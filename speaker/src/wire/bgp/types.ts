// BGP-4 messages as values (RFC 4271, 4760, 6793, 2918, 1997, 4360, 8092, 4724). A discriminated union
// on `type`; encoders and decoders in this folder are the only code that sees bytes.
import type { Community } from '@herald/shared/config';
import type { IP, Prefix } from '@herald/shared/net';
import type { ExtendedCommunity } from './extended-community.js';

export const MessageType = { open: 1, update: 2, notification: 3, keepalive: 4, routeRefresh: 5 } as const;

export const HEADER_LENGTH = 19;
export const MAX_MESSAGE_LENGTH = 4096;
export const AS_TRANS = 23456;

export const AFI = { ipv4: 1, ipv6: 2 } as const;
export const SAFI = { unicast: 1 } as const;

export interface AddressFamily {
  readonly afi: number;
  readonly safi: number;
}

export type Capability =
  | { readonly type: 'multiprotocol'; readonly afi: number; readonly safi: number }
  | { readonly type: 'route-refresh' }
  | { readonly type: 'four-octet-as'; readonly asn: number }
  | {
      readonly type: 'graceful-restart';
      /** The R (restart state) bit. */
      readonly restarting: boolean;
      /** Seconds, 0..4095. */
      readonly restartTime: number;
      readonly families: readonly { readonly afi: number; readonly safi: number; readonly forwardingPreserved: boolean }[];
    }
  | { readonly type: 'unknown'; readonly code: number; readonly value: Buffer };

export const CapabilityCode = { multiprotocol: 1, routeRefresh: 2, gracefulRestart: 64, fourOctetAs: 65 } as const;

export interface OpenMessage {
  readonly type: 'open';
  readonly version: number;
  /** The 2-byte My Autonomous System field (AS_TRANS when the real ASN needs 4 bytes). */
  readonly myAS: number;
  readonly holdTime: number;
  /** The BGP Identifier, as an IPv4 address. */
  readonly routerId: IP;
  readonly capabilities: readonly Capability[];
}

export const Origin = { igp: 0, egp: 1, incomplete: 2 } as const;
export type OriginValue = (typeof Origin)[keyof typeof Origin];

export interface AsPathSegment {
  readonly type: 'set' | 'sequence';
  readonly asns: readonly number[];
}

export type LargeCommunity = Extract<Community, { type: 'large' }>;
export type StandardCommunity = Extract<Community, { type: 'standard' }>;

export interface MpReach {
  readonly afi: number;
  readonly safi: number;
  /** One next hop; for IPv6 the global address and optionally a link-local one (RFC 2545). */
  readonly nextHops: readonly IP[];
  readonly nlri: readonly Prefix[];
}

export interface MpUnreach {
  readonly afi: number;
  readonly safi: number;
  readonly withdrawn: readonly Prefix[];
}

export interface UnknownAttribute {
  readonly flags: number;
  readonly code: number;
  readonly value: Buffer;
}

/** Path attributes of one UPDATE. AS numbers are always full 4-byte values here. */
export interface PathAttributes {
  readonly origin?: OriginValue;
  readonly asPath?: readonly AsPathSegment[];
  readonly nextHop?: IP;
  readonly med?: number;
  readonly localPref?: number;
  readonly atomicAggregate?: boolean;
  readonly communities?: readonly StandardCommunity[];
  readonly largeCommunities?: readonly LargeCommunity[];
  /** RFC 4360; Link Bandwidth decoded, the rest as bytes. */
  readonly extendedCommunities?: readonly ExtendedCommunity[];
  readonly mpReach?: MpReach;
  readonly mpUnreach?: MpUnreach;
  /** Attributes this codec does not interpret (kept, in order, for transitive passing). */
  readonly unknown?: readonly UnknownAttribute[];
}

export const AttrCode = {
  origin: 1,
  asPath: 2,
  nextHop: 3,
  med: 4,
  localPref: 5,
  atomicAggregate: 6,
  aggregator: 7,
  communities: 8,
  mpReach: 14,
  mpUnreach: 15,
  extendedCommunities: 16,
  as4Path: 17,
  as4Aggregator: 18,
  largeCommunities: 32,
} as const;

export const AttrFlag = { optional: 0x80, transitive: 0x40, partial: 0x20, extendedLength: 0x10 } as const;

/** Why (part of) an UPDATE was not taken as sent, per RFC 7606. */
export interface AttributeProblem {
  readonly action: 'treat-as-withdraw' | 'attribute-discard';
  readonly attrCode: number;
  readonly code: number;
  readonly subcode: number;
  readonly reason: string;
}

export interface UpdateMessage {
  readonly type: 'update';
  readonly withdrawn: readonly Prefix[];
  readonly attributes: PathAttributes;
  readonly nlri: readonly Prefix[];
  /** Set by the decoder: RFC 7606 says treat this UPDATE's NLRI as withdrawn. */
  readonly treatAsWithdraw?: AttributeProblem;
  /** Set by the decoder: attributes dropped under RFC 7606 attribute-discard. */
  readonly discarded?: readonly AttributeProblem[];
}

export interface NotificationMessage {
  readonly type: 'notification';
  readonly code: number;
  readonly subcode: number;
  readonly data: Buffer;
}

export interface KeepaliveMessage {
  readonly type: 'keepalive';
}

export interface RouteRefreshMessage {
  readonly type: 'route-refresh';
  readonly afi: number;
  readonly safi: number;
}

export type BgpMessage = OpenMessage | UpdateMessage | NotificationMessage | KeepaliveMessage | RouteRefreshMessage;

/** What decoding and encoding depend on: negotiated per session. */
export interface CodecContext {
  /** Both sides sent the 4-octet AS capability: AS_PATH carries 4-byte ASNs. */
  readonly fourOctetAs: boolean;
}
