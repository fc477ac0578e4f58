// What one established session has sent its peer, and what it still owes it. Pure. A changed key
// goes into a queue (prefix -> the latest wanted state, nothing else), sorted into buckets that
// share one UPDATE shape: withdrawals per family, announcements per attribute set. `next()` packs
// UPDATEs from the oldest bucket first, each message full unless its bucket ran out, so a queue
// that grew while the peer read slowly goes out in as few messages as fit. A key added and
// withdrawn while queued sends nothing; one changed twice sends once, with the latest attributes.
import type { Community } from '@herald/shared/config';
import type { Family, IP, Prefix } from '@herald/shared/net';
import {
  UpdatePacker,
  endOfRib,
  type AddressFamily,
  linkBandwidth,
  type CodecContext,
  type LargeCommunity,
  type PackKind,
  type PathAttributes,
  type StandardCommunity,
} from '../wire/bgp/index.js';
import { BANDWIDTH_PER_ENDPOINT, type Advertisement } from './advertisement.js';
import type { DesiredRoute, DesiredRoutes } from './desired-routes.js';

export type { Advertisement } from './advertisement.js';

/** Per-session facts that shape the attributes. */
export interface RibOutContext {
  readonly localAS: number;
  readonly ibgp: boolean;
  readonly codec: CodecContext;
  readonly families: readonly AddressFamily[];
  /** Next hops per family: IPv4 one address; IPv6 global and optional link-local. */
  readonly nextHops: { readonly 4?: readonly IP[]; readonly 6?: readonly IP[] };
}

export function attributesFor(a: Advertisement, ctx: RibOutContext): PathAttributes {
  const cs: readonly Community[] = a.communities ?? [];
  const std = cs.filter((c): c is StandardCommunity => c.type === 'standard');
  const large = cs.filter((c): c is LargeCommunity => c.type === 'large');
  return {
    origin: 0,
    asPath: ctx.ibgp ? [] : [{ type: 'sequence', asns: [ctx.localAS] }],
    ...(ctx.ibgp ? { localPref: a.localPref ?? 100 } : {}),
    ...(std.length ? { communities: std } : {}),
    ...(large.length ? { largeCommunities: large } : {}),
    ...(a.weight !== undefined ? { extendedCommunities: [linkBandwidth(ctx.localAS, a.weight * BANDWIDTH_PER_ENDPOINT)] } : {}),
  };
}

/** One key's state on this session: what the peer has, where it waits in the queue, what is wanted. */
interface Slot {
  readonly key: string;
  /** What the peer has from us under this key (undefined: nothing). */
  sentPrefix: Prefix | undefined;
  sentSig: string;
  /** The route-refresh generation it was sent in (older: send again). */
  sentGen: number;
  /** The queue bucket it waits in, and its sequence number there. */
  bucket: Bucket | undefined;
  seq: number;
  /** The wanted route as of the last change (undefined: withdraw). */
  want: DesiredRoute | undefined;
}

interface Bucket {
  readonly kind: PackKind;
  /** Announcements: the attribute signature every slot in here has. */
  readonly sig: string;
  /** Ascending seq (insertion order). */
  readonly slots: Set<Slot>;
}

function front(b: Bucket): number {
  return b.slots.values().next().value?.seq ?? Infinity;
}

export class AdjRibOut {
  /** Keys the peer has, or that wait in the queue. */
  private readonly slots = new Map<string, Slot>();
  private sentCount = 0;
  private queuedCount = 0;
  /** Buckets holding slots (oldest() looks at these). */
  private readonly active = new Set<Bucket>();
  /** Announcement buckets by attribute signature (interned strings: cheap keys). */
  private readonly byAttrs = new Map<string, Bucket>();
  private readonly withdrawn: Record<Family, Bucket> = {
    4: { kind: { type: 'withdraw', family: 4 }, sig: '', slots: new Set() },
    6: { kind: { type: 'withdraw', family: 6 }, sig: '', slots: new Set() },
  };
  private seq = 0;
  private gen = 0;
  /** End-of-RIB is owed once every slot queued up to this sequence number is sent. */
  private eorAfter: number | undefined;
  /** No End-of-RIB yet: the speaker's initial table is not complete (see holdEndOfRib). */
  private eorHeld = false;
  private readonly ok: Record<Family, boolean>;

  constructor(
    private readonly ctx: RibOutContext,
    private readonly desired: Pick<DesiredRoutes, 'entries'>,
  ) {
    const has = (f: Family) => ctx.families.some((x) => x.afi === (f === 4 ? 1 : 2) && x.safi === 1) && (ctx.nextHops[f]?.length ?? 0) > 0;
    this.ok = { 4: has(4), 6: has(6) };
  }

  /** Prefixes the peer has from us (sent, or written to the socket). */
  get size(): number {
    return this.sentCount;
  }

  /** Prefixes whose UPDATE is still to be sent. */
  get queued(): number {
    return this.queuedCount;
  }

  /** Something is owed: queued prefixes, or an End-of-RIB. */
  get busy(): boolean {
    return this.queuedCount > 0 || (this.eorAfter !== undefined && !this.eorHeld);
  }

  /**
   * The table this session starts with is not yet all the speaker will advertise (it has just
   * started and not finished its first pass): hold the End-of-RIB, which tells a router keeping
   * our stale routes across a restart (RFC 4724 §4.2) to drop every one not sent again.
   */
  holdEndOfRib(): void {
    this.eorHeld = true;
  }

  /** The initial table is complete: End-of-RIB goes after everything queued until now. */
  releaseEndOfRib(): void {
    if (!this.eorHeld) return;
    this.eorHeld = false;
    if (this.eorAfter !== undefined) this.eorAfter = this.seq;
  }

  /** The whole wanted table, then End-of-RIB per family (a new session). */
  sendTable(): void {
    for (const [k, d] of this.desired.entries()) this.changed(k, d);
    this.eorAfter = this.seq;
  }

  /** ROUTE-REFRESH: everything again, then End-of-RIB, through the same queue. */
  refresh(): void {
    this.gen++;
    for (const s of [...this.slots.values()]) this.changed(s.key, s.want);
    for (const [k, d] of this.desired.entries()) this.changed(k, d);
    this.eorAfter = this.seq;
  }

  /**
   * The wanted route of `key` is now `d` (undefined: none): queue the key, move it, or take it
   * off the queue if the peer already has exactly that.
   */
  changed(key: string, d: DesiredRoute | undefined): void {
    const want = d && this.ok[d.adv.prefix.family] ? d : undefined;
    let slot = this.slots.get(key);
    if (!slot) {
      if (!want) return;
      slot = { key, sentPrefix: undefined, sentSig: '', sentGen: 0, bucket: undefined, seq: 0, want };
      this.slots.set(key, slot);
    }
    slot.want = want;
    const sent = slot.sentPrefix;
    let target: Bucket | undefined;
    if (want) {
      // A key whose prefix changed: the old prefix goes first, then the new one (see drain).
      if (sent && !sent.equals(want.adv.prefix)) target = this.withdrawn[sent.family];
      else if (!sent || slot.sentSig !== want.sig || slot.sentGen !== this.gen) target = this.byAttrs.get(want.sig) ?? this.announcements(want);
    } else if (sent) target = this.withdrawn[sent.family];
    const cur = slot.bucket;
    if (cur === target) return;
    if (cur) {
      cur.slots.delete(slot);
      if (cur.slots.size === 0) this.retire(cur);
      this.queuedCount--;
    }
    slot.bucket = target;
    if (target) {
      slot.seq = ++this.seq;
      target.slots.add(slot);
      this.active.add(target);
      this.queuedCount++;
    } else if (!sent) this.slots.delete(key);
  }

  /**
   * Up to `maxMessages` UPDATEs (End-of-RIB markers come on top when due), taken oldest bucket
   * first; what is packed counts as sent. Empty when nothing is owed.
   */
  next(maxMessages: number): Buffer[] {
    const out: Buffer[] = [];
    for (let b = this.oldest(); b && out.length < maxMessages; b = this.oldest()) this.drain(b, out, maxMessages);
    if (this.eorAfter !== undefined && !this.eorHeld) {
      const b = this.oldest();
      if (!b || front(b) > this.eorAfter) {
        this.eorAfter = undefined;
        for (const f of this.ctx.families) out.push(endOfRib(f.afi, this.ctx.codec));
      }
    }
    return out;
  }

  private oldest(): Bucket | undefined {
    let best: Bucket | undefined;
    for (const b of this.active) if (!best || front(b) < front(best)) best = b;
    return best;
  }

  private drain(b: Bucket, out: Buffer[], maxMessages: number): void {
    const pk = new UpdatePacker(b.kind, this.ctx.codec);
    const announce = b.kind.type === 'announce';
    const again: Slot[] = [];
    for (const slot of b.slots) {
      const p = announce ? slot.want!.adv.prefix : slot.sentPrefix!;
      if (!pk.fits(p)) {
        out.push(pk.finish());
        if (out.length >= maxMessages) break;
      }
      pk.add(p);
      b.slots.delete(slot);
      slot.bucket = undefined;
      this.queuedCount--;
      if (announce) {
        if (!slot.sentPrefix) this.sentCount++;
        slot.sentPrefix = p;
        slot.sentSig = b.sig;
        slot.sentGen = this.gen;
      } else {
        slot.sentPrefix = undefined;
        this.sentCount--;
        if (slot.want) again.push(slot);
        else this.slots.delete(slot.key);
      }
    }
    if (pk.count) out.push(pk.finish());
    if (b.slots.size === 0) this.retire(b);
    for (const s of again) this.changed(s.key, s.want);
  }

  /** An announcement bucket for d's attributes (new: none holds slots with them now). */
  private announcements(d: DesiredRoute): Bucket {
    const family = d.adv.prefix.family;
    const b: Bucket = { kind: { type: 'announce', family, attrs: attributesFor(d.adv, this.ctx), nextHops: this.ctx.nextHops[family]! }, sig: d.sig, slots: new Set() };
    this.byAttrs.set(d.sig, b);
    return b;
  }

  /** An empty bucket: out of oldest()'s way; an announcement bucket is forgotten (bounds byAttrs). */
  private retire(b: Bucket): void {
    this.active.delete(b);
    if (b.kind.type === 'announce') this.byAttrs.delete(b.sig);
  }
}
