// How the BGP side asks for BFD sessions and hears their states: the BfdPort (the packet thread
// through FastPath in the speaker; LocalBfd in tests and probes), with plain-data session specs
// that cross threads by structured clone. peerSpec() is where BFDProfile fields take effect.
import type { BFDProfile, BGPPeer } from '@herald/shared/config';
import { IP } from '@herald/shared/net';
import type { BfdState, DropType } from '../wire/bfd/index.js';
import type { BfdPeerSpec, BfdSessionStatus } from './endpoint.js';
import type { BfdStateReason } from './fsm-types.js';

/** A BfdPeerSpec as plain data (addresses as text). */
export interface BfdSessionWire {
  readonly key: string;
  readonly peerAddress: string;
  readonly localAddress?: string;
  readonly multihop: boolean;
  readonly desiredMinTxUs: number;
  readonly requiredMinRxUs: number;
  readonly detectMult: number;
  readonly passive: boolean;
  readonly minimumTtl: number;
}

export type BfdStateChange = { readonly key: string; readonly from: BfdState; readonly to: BfdState; readonly reason: BfdStateReason };

export interface BfdPort {
  /** The sessions wanted now (the whole set). */
  setBfdSessions(sessions: readonly BfdSessionWire[]): void;
  onBfdState(cb: (c: BfdStateChange) => void): void;
  /** The latest status of a session (the packet thread's last report, or live). */
  bfdStatus(key: string): BfdSessionStatus | undefined;
  /** Packets dropped by reason since start. */
  bfdDrops(): ReadonlyMap<DropType, number>;
}

/**
 * A BGPPeer's BFD session with its profile (MetalLB's meanings): receiveInterval is our
 * Required Min RX, transmitInterval our Desired Min TX (ms), detectMultiplier, passiveMode, and
 * minimumTtl the lowest TTL accepted on a multihop session (single hop accepts 255 only, RFC
 * 5881 §5). An eBGP multihop peer gets a multihop BFD session (RFC 5883).
 */
export function peerSpec(peer: BGPPeer, profile: BFDProfile): BfdSessionWire {
  return {
    key: peer.name,
    peerAddress: peer.peerAddress.toString(),
    ...(peer.sourceAddress ? { localAddress: peer.sourceAddress.toString() } : {}),
    multihop: peer.ebgpMultiHop,
    desiredMinTxUs: profile.transmitInterval * 1000,
    requiredMinRxUs: profile.receiveInterval * 1000,
    detectMult: profile.detectMultiplier,
    passive: profile.passiveMode,
    minimumTtl: profile.minimumTtl,
  };
}

export function specFromWire(w: BfdSessionWire): BfdPeerSpec {
  return {
    key: w.key,
    peerAddress: IP.parse(w.peerAddress),
    ...(w.localAddress ? { localAddress: IP.parse(w.localAddress) } : {}),
    multihop: w.multihop,
    minimumTtl: w.minimumTtl,
    config: { desiredMinTxUs: w.desiredMinTxUs, requiredMinRxUs: w.requiredMinRxUs, detectMult: w.detectMult, passive: w.passive },
  };
}
