// Which session a received BFD packet belongs to, or why it is dropped (RFC 5880 §6.8.6,
// RFC 5881 §5, RFC 5883 §2): the codec's checks, then Your Discriminator (or, when it is 0, the
// source address), then the source address and the TTL against that session's minimum. Pure.
import type { IP } from '@herald/shared/net';
import { parseControl, type ControlPacket, type DropReason } from '../wire/bfd/index.js';

export interface DemuxEntry<S> {
  readonly session: S;
  readonly localDiscr: number;
  readonly peerAddress: IP;
  readonly multihop: boolean;
  /** Lowest TTL accepted: 255 for single hop (RFC 5881 §5), the profile's minimum for multihop. */
  readonly minTtl: number;
}

export type DemuxResult<S> = { readonly ok: true; readonly session: S; readonly packet: ControlPacket } | { readonly ok: false; readonly reason: DropReason };

const peerKey = (multihop: boolean, peer: IP): string => `${multihop ? 'mh' : 'sh'}|${peer.toString()}`;

export class BfdDemux<S> {
  private readonly byDiscr = new Map<number, DemuxEntry<S>>();
  private readonly byPeer = new Map<string, DemuxEntry<S>>();

  add(e: DemuxEntry<S>): void {
    const k = peerKey(e.multihop, e.peerAddress);
    if (this.byDiscr.has(e.localDiscr)) throw new Error(`discriminator ${e.localDiscr} is in use`);
    if (this.byPeer.has(k)) throw new Error(`a ${e.multihop ? 'multihop' : 'single-hop'} BFD session with ${e.peerAddress.toString()} exists`);
    this.byDiscr.set(e.localDiscr, e);
    this.byPeer.set(k, e);
  }

  remove(e: DemuxEntry<S>): void {
    if (this.byDiscr.get(e.localDiscr) === e) this.byDiscr.delete(e.localDiscr);
    const k = peerKey(e.multihop, e.peerAddress);
    if (this.byPeer.get(k) === e) this.byPeer.delete(k);
  }

  hasDiscriminator(d: number): boolean {
    return this.byDiscr.has(d);
  }

  hasPeer(multihop: boolean, peer: IP): boolean {
    return this.byPeer.has(peerKey(multihop, peer));
  }

  get size(): number {
    return this.byDiscr.size;
  }

  classify(payload: Buffer, from: IP, ttl: number | undefined, multihop: boolean): DemuxResult<S> {
    const r = parseControl(payload);
    if (!r.ok) return r;
    const p = r.packet;
    let e: DemuxEntry<S> | undefined;
    if (p.yourDiscriminator !== 0) {
      e = this.byDiscr.get(p.yourDiscriminator);
      if (!e || e.multihop !== multihop) return { ok: false, reason: { type: 'unknown-discriminator', discriminator: p.yourDiscriminator } };
      if (!e.peerAddress.equals(from)) return { ok: false, reason: { type: 'unknown-peer', address: from.toString() } };
    } else {
      e = this.byPeer.get(peerKey(multihop, from));
      if (!e) return { ok: false, reason: { type: 'unknown-peer', address: from.toString() } };
    }
    // A kernel that gave no TTL is a bug here (IP_RECVTTL is set): treat it as failing the check.
    if (ttl === undefined || ttl < e.minTtl) return { ok: false, reason: { type: 'bad-ttl', ttl: ttl ?? -1, min: e.minTtl } };
    return { ok: true, session: e.session, packet: p };
  }
}
