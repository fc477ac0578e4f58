// One UPDATE at a time, filled with prefixes up to the 4096-byte maximum: the streaming form of
// the update builder. A caller that pulls prefixes from a queue asks `fits(p)` before `add(p)`,
// and `finish()` encodes the message. Every message shares one kind: announcements with one set of
// attributes and next hops (IPv4 in the NLRI field, IPv6 in MP_REACH_NLRI), or withdrawals of
// one family (IPv4 in the withdrawn field, IPv6 in MP_UNREACH_NLRI).
import type { Family, IP, Prefix } from '@herald/shared/net';
import { familyAfi } from './attributes.js';
import { encodeMessage } from './message.js';
import { prefixWireLength } from './nlri.js';
import { MAX_MESSAGE_LENGTH, SAFI, type CodecContext, type PathAttributes, type UpdateMessage } from './types.js';

export type PackKind =
  /** `attrs` without NEXT_HOP or MP attributes: the packer adds them from `nextHops`. */
  | { readonly type: 'announce'; readonly family: Family; readonly attrs: PathAttributes; readonly nextHops: readonly IP[] }
  | { readonly type: 'withdraw'; readonly family: Family };

/** IPv4 announced with an IPv4 next hop goes in the classic NLRI field; anything else in MP_REACH. */
function classicV4(k: PackKind): boolean {
  return k.family === 4 && (k.type === 'withdraw' || k.nextHops[0]?.family === 4);
}

function message(k: PackKind, ps: readonly Prefix[]): UpdateMessage {
  if (k.type === 'withdraw') {
    if (k.family === 4) return { type: 'update', withdrawn: ps, attributes: {}, nlri: [] };
    return { type: 'update', withdrawn: [], attributes: { mpUnreach: { afi: familyAfi(k.family), safi: SAFI.unicast, withdrawn: ps } }, nlri: [] };
  }
  if (classicV4(k)) return { type: 'update', withdrawn: [], attributes: { ...k.attrs, nextHop: k.nextHops[0] }, nlri: ps };
  return { type: 'update', withdrawn: [], attributes: { ...k.attrs, mpReach: { afi: familyAfi(k.family), safi: SAFI.unicast, nextHops: k.nextHops, nlri: ps } }, nlri: [] };
}

/** Bytes left for prefixes in one message of this kind. */
export function prefixBudget(k: PackKind, ctx: CodecContext): number {
  const base = encodeMessage(message(k, []), ctx).length;
  // An MP attribute that outgrows 255 bytes takes the 2-byte (extended) length: one byte more.
  return MAX_MESSAGE_LENGTH - base - (classicV4(k) ? 0 : 1);
}

export class UpdatePacker {
  private readonly budget: number;
  private prefixes: Prefix[] = [];
  private used = 0;

  constructor(
    readonly kind: PackKind,
    private readonly ctx: CodecContext,
  ) {
    this.budget = prefixBudget(kind, ctx);
  }

  /** Prefixes in the message being filled. */
  get count(): number {
    return this.prefixes.length;
  }

  /** Whether p still fits in the message being filled (always true for an empty one). */
  fits(p: Prefix): boolean {
    return this.prefixes.length === 0 || this.used + prefixWireLength(p) <= this.budget;
  }

  /** Adds p (of the packer's family) to the message being filled; check `fits` first. */
  add(p: Prefix): void {
    if (p.family !== this.kind.family) throw new RangeError(`UpdatePacker: IPv${p.family} prefix ${p.toString()} in an IPv${this.kind.family} message`);
    this.prefixes.push(p);
    this.used += prefixWireLength(p);
  }

  /** Encodes the message filled so far and starts an empty one. */
  finish(): Buffer {
    const out = encodeMessage(message(this.kind, this.prefixes), this.ctx);
    this.prefixes = [];
    this.used = 0;
    return out;
  }
}

/** All of `ps` (one family), packed: every message full but the last. */
export function packAll(kind: PackKind, ps: readonly Prefix[], ctx: CodecContext): Buffer[] {
  const out: Buffer[] = [];
  const pk = new UpdatePacker(kind, ctx);
  for (const p of ps) {
    if (!pk.fits(p)) out.push(pk.finish());
    pk.add(p);
  }
  if (pk.count) out.push(pk.finish());
  return out;
}
