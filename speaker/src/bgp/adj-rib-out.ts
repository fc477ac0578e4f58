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
  type CodecContext,
  type LargeCommunity,
  type PackKind,
  type PathAttributes,
  type StandardCommunity,
} from '../wire/bgp/index.js';
import type { Advertisement } from './advertisement.js';
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
  };
}

interface Sent {
  readonly prefix: Prefix;
  readonly sig: string;
  /** The route-refresh generation it was sent in (older: send again). */
  readonly gen: number;
}

interface Bucket {
  readonly id: string;
  readonly kind: PackKind;
  /** Announcements: the attribute signature every key in here has. */
  readonly sig: string;
  /** key -> sequence number, ascending (insertion order). */
  readonly keys: Map<string, number>;
}

function front(b: Bucket): number {
  return b.keys.values().next().value ?? Infinity;
}

export class AdjRibOut {
  private readonly sent = new Map<string, Sent>();
  private readonly buckets = new Map<string, Bucket>();
  /** Queued key -> its bucket. */
  private readonly queuedIn = new Map<string, Bucket>();
  private seq = 0;
  private gen = 0;
  /** End-of-RIB is owed once every key queued up to this sequence number is sent. */
  private eorAfter: number | undefined;
  private readonly ok: Record<Family, boolean>;

  constructor(
    private readonly ctx: RibOutContext,
    private readonly desired: Pick<DesiredRoutes, 'get' | 'keys'>,
  ) {
    const has = (f: Family) => ctx.families.some((x) => x.afi === (f === 4 ? 1 : 2) && x.safi === 1) && (ctx.nextHops[f]?.length ?? 0) > 0;
    this.ok = { 4: has(4), 6: has(6) };
  }

  /** Prefixes the peer has from us (sent, or written to the socket). */
  get size(): number {
    return this.sent.size;
  }

  /** Prefixes whose UPDATE is still to be sent. */
  get queued(): number {
    return this.queuedIn.size;
  }

  /** Something is owed: queued prefixes, or an End-of-RIB. */
  get busy(): boolean {
    return this.queuedIn.size > 0 || this.eorAfter !== undefined;
  }

  /** The whole wanted table, then End-of-RIB per family (a new session). */
  sendTable(): void {
    for (const k of this.desired.keys()) this.changed(k);
    this.eorAfter = this.seq;
  }

  /** ROUTE-REFRESH: everything again, then End-of-RIB, through the same queue. */
  refresh(): void {
    this.gen++;
    for (const k of this.sent.keys()) this.changed(k);
    for (const k of this.desired.keys()) this.changed(k);
    this.eorAfter = this.seq;
  }

  /** The wanted state of `key` changed (or may have): queue it, move it, or drop it from the queue. */
  changed(key: string): void {
    const d = this.desired.get(key);
    const want = d && this.ok[d.adv.prefix.family] ? d : undefined;
    const s = this.sent.get(key);
    let target: Bucket | undefined;
    if (want) {
      // A key whose prefix changed: the old prefix goes first, then the new one (see drain).
      if (s && !s.prefix.equals(want.adv.prefix)) target = this.withdrawals(s.prefix.family);
      else if (!s || s.sig !== want.sig || s.gen !== this.gen) target = this.announcements(want);
    } else if (s) target = this.withdrawals(s.prefix.family);
    const cur = this.queuedIn.get(key);
    if (cur === target) return;
    if (cur) {
      cur.keys.delete(key);
      if (cur.keys.size === 0) this.buckets.delete(cur.id);
    }
    if (target) {
      target.keys.set(key, ++this.seq);
      this.queuedIn.set(key, target);
    } else this.queuedIn.delete(key);
  }

  /**
   * Up to `maxMessages` UPDATEs (End-of-RIB markers come on top when due), taken oldest bucket
   * first; what is packed counts as sent. Empty when nothing is owed.
   */
  next(maxMessages: number): Buffer[] {
    const out: Buffer[] = [];
    for (let b = this.oldest(); b && out.length < maxMessages; b = this.oldest()) this.drain(b, out, maxMessages);
    if (this.eorAfter !== undefined) {
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
    for (const b of this.buckets.values()) if (!best || front(b) < front(best)) best = b;
    return best;
  }

  private drain(b: Bucket, out: Buffer[], maxMessages: number): void {
    const pk = new UpdatePacker(b.kind, this.ctx.codec);
    const again: string[] = [];
    for (const k of b.keys.keys()) {
      const p = b.kind.type === 'withdraw' ? this.sent.get(k)!.prefix : this.desired.get(k)!.adv.prefix;
      if (!pk.fits(p)) {
        out.push(pk.finish());
        if (out.length >= maxMessages) break;
      }
      pk.add(p);
      b.keys.delete(k);
      this.queuedIn.delete(k);
      if (b.kind.type === 'announce') this.sent.set(k, { prefix: p, sig: b.sig, gen: this.gen });
      else {
        this.sent.delete(k);
        if (this.desired.get(k)) again.push(k);
      }
    }
    if (pk.count) out.push(pk.finish());
    if (b.keys.size === 0) this.buckets.delete(b.id);
    for (const k of again) this.changed(k);
  }

  private withdrawals(family: Family): Bucket {
    return this.bucket(`w${family}`, () => ({ type: 'withdraw', family }), '');
  }

  private announcements(d: DesiredRoute): Bucket {
    const family = d.adv.prefix.family;
    return this.bucket(`a${d.sig}`, () => ({ type: 'announce', family, attrs: attributesFor(d.adv, this.ctx), nextHops: this.ctx.nextHops[family]! }), d.sig);
  }

  private bucket(id: string, kind: () => PackKind, sig: string): Bucket {
    let b = this.buckets.get(id);
    if (!b) this.buckets.set(id, (b = { id, kind: kind(), sig, keys: new Map() }));
    return b;
  }
}
