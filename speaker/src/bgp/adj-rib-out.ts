// What we advertise to one peer: desired routes in, UPDATE messages out. Pure. The diff between
// what was sent and what is wanted becomes incremental announcements and withdrawals.
import type { Community } from '@herald/shared/config';
import type { IP, Prefix } from '@herald/shared/net';
import {
  buildAnnouncements,
  buildWithdrawals,
  encodeAttributes,
  endOfRib,
  type AddressFamily,
  type CodecContext,
  type LargeCommunity,
  type PathAttributes,
  type RouteGroup,
  type StandardCommunity,
} from '../wire/bgp/index.js';

/** One prefix to advertise, with the per-advertisement attributes. */
export interface Advertisement {
  readonly prefix: Prefix;
  /** Sent on iBGP only (RFC 4271 §5.1.5). */
  readonly localPref?: number;
  readonly communities?: readonly Community[];
}

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
  const std = (a.communities ?? []).filter((c): c is StandardCommunity => c.type === 'standard');
  const large = (a.communities ?? []).filter((c): c is LargeCommunity => c.type === 'large');
  return {
    origin: 0,
    asPath: ctx.ibgp ? [] : [{ type: 'sequence', asns: [ctx.localAS] }],
    ...(ctx.ibgp ? { localPref: a.localPref ?? 100 } : {}),
    ...(std.length ? { communities: std } : {}),
    ...(large.length ? { largeCommunities: large } : {}),
  };
}

function communityText(c: Community): string {
  return c.type === 'standard' ? `${c.asn}:${c.value}` : `${c.global}:${c.local1}:${c.local2}`;
}

function familyOk(p: Prefix, ctx: RibOutContext): boolean {
  const afi = p.family === 4 ? 1 : 2;
  return ctx.families.some((f) => f.afi === afi && f.safi === 1) && (ctx.nextHops[p.family]?.length ?? 0) > 0;
}

export class AdjRibOut {
  /** prefix text -> attribute key of what the peer has from us. */
  private readonly sent = new Map<string, { prefix: Prefix; key: string }>();

  constructor(private readonly ctx: RibOutContext) {}

  get size(): number {
    return this.sent.size;
  }

  /** The messages that bring the peer from what it has to `want` (incremental). */
  update(want: ReadonlyMap<string, Advertisement>): Buffer[] {
    const withdraw: Prefix[] = [];
    for (const [k, v] of this.sent) {
      if (!want.has(k) || !familyOk(v.prefix, this.ctx)) {
        withdraw.push(v.prefix);
        this.sent.delete(k);
      }
    }
    const groups = new Map<string, { attrs: PathAttributes; nextHops: readonly IP[]; prefixes: Prefix[] }>();
    // Many prefixes share one advertisement's attributes: encode each distinct set once.
    const memo = new Map<string, { attrs: PathAttributes; key: string }>();
    for (const [k, a] of want) {
      if (!familyOk(a.prefix, this.ctx)) continue;
      const sig = `${a.prefix.family}|${a.localPref ?? ''}|${(a.communities ?? []).map(communityText).join(',')}`;
      let m = memo.get(sig);
      if (!m) {
        const attrs = attributesFor(a, this.ctx);
        memo.set(sig, (m = { attrs, key: `${a.prefix.family}|${encodeAttributes(attrs, this.ctx.codec).toString('hex')}` }));
      }
      const { attrs, key } = m;
      const nextHops = this.ctx.nextHops[a.prefix.family]!;
      if (this.sent.get(k)?.key === key) continue;
      this.sent.set(k, { prefix: a.prefix, key });
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { attrs, nextHops, prefixes: [] }));
      g.prefixes.push(a.prefix);
    }
    return [...buildWithdrawals(withdraw, this.ctx.codec), ...buildAnnouncements([...groups.values()] as RouteGroup[], this.ctx.codec)];
  }

  /** Everything again (after route refresh), plus End-of-RIB per family. */
  full(want: ReadonlyMap<string, Advertisement>): Buffer[] {
    this.sent.clear();
    return [...this.update(want), ...this.ctx.families.map((f) => endOfRib(f.afi, this.ctx.codec))];
  }
}
