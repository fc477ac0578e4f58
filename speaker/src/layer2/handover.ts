// Make-before-break between live speakers: who may start answering for an L2 IP, and when the
// one answering may stop. Pure: the packet thread feeds it the owner table's changes, the
// membership's handover peers and the claim / released messages, and carries out what it returns.
//
// The liveness rule (membership/liveness.ts) already makes a takeover from a *dead* owner safe:
// a node that any unfenced speaker counts dead is fenced. What it cannot cover is two live nodes
// whose views of an IP differ for a moment:
// - a speaker that starts, or comes back from a fence, is counted live by its peers (they stop
//   answering its IPs) well before it may answer itself (its rejoin wait): the IPs fall silent;
// - the inputs of the ranking (EndpointSlices under externalTrafficPolicy Local, a pool or node
//   label) reach each speaker through its own informer, so for a moment one speaker's table says
//   "mine" while another's still says "mine" too: two MACs answer.
// So between live nodes an IP moves by handshake:
// - Claim. A node that gains an IP from a live change (a new ranking, or its own fence lifting)
//   does not answer it yet. It sends `claim` and waits until every handover peer (live, linked
//   to us, and speaking this protocol) has said `released`. A gain from a peer's death is taken at
//   once: the liveness rule covers it, and a failover waits for nobody.
// - Answer a claim. A node says `released` for an IP only when its own view says it is not the
//   owner, after it stopped answering. If its view still says "mine" (its informer is behind),
//   it keeps the claim and says `released` the moment its view changes.
// - Hold. A node that loses an IP to a live handover peer keeps answering until that peer claims
//   it (or holdMs passes): the successor is often still in its rejoin wait, or has not yet
//   received its rankings.
// A hold lasts only while we hear the successor, and ends when we fence.
// A claimer that is refused keeps waiting (and resends every resendMs): one node answers, the one
// whose view is behind, until the views agree. A peer that cannot hear us (not linked) or that
// speaks an older protocol is not waited for: as before the handover, the rejoin wait covers it.
import type { IP } from '@herald/shared/net';
import type { OwnedIP } from './announcer.js';

export interface HandoverConfig {
  /** How long a node keeps answering an IP it lost to a live successor that has not claimed it. */
  readonly holdMs: number;
  /** How often unanswered claims are sent again. */
  readonly resendMs: number;
  /** A claim still waiting this long is reported (once per IP). */
  readonly slowAfterMs: number;
}

export const defaultHandoverConfig: HandoverConfig = { holdMs: 30_000, resendMs: 100, slowAfterMs: 2_000 };

interface Incoming {
  readonly ip: OwnedIP;
  readonly waitFor: Set<string>;
  readonly since: number;
  /** When the claim last went out. */
  sentAt: number;
  reported: boolean;
}

/** At most this many claims are sent again per tick (a backlog of thousands goes out over ticks). */
const RESEND_PER_TICK = 2048;

interface Outgoing {
  readonly ip: IP;
  successor: string;
  readonly since: number;
}

interface HeardClaim {
  readonly from: string;
  readonly incarnation: bigint;
  readonly at: number;
}

/** Tell `to` (of that incarnation) that we released these IPs it claimed. */
export interface ReleasedNote {
  readonly to: string;
  readonly incarnation: bigint;
  readonly ips: IP[];
}

/** What the caller does: stop answering `release`, start answering `answer`, send `claim` and `released`. */
export interface HandoverActions {
  readonly answer: OwnedIP[];
  readonly release: IP[];
  readonly claim: IP[];
  readonly released: ReleasedNote[];
}

/** A claim that has waited past slowAfterMs, with the peers it still waits for. */
export interface SlowClaim {
  readonly ip: string;
  readonly waitingMs: number;
  readonly waitFor: string[];
}

function none(): { answer: OwnedIP[]; release: IP[]; claim: IP[]; released: ReleasedNote[] } {
  return { answer: [], release: [], claim: [], released: [] };
}

function addReleased(out: ReleasedNote[], to: string, incarnation: bigint, ip: IP): void {
  const n = out.find((r) => r.to === to && r.incarnation === incarnation);
  if (n) n.ips.push(ip);
  else out.push({ to, incarnation, ips: [ip] });
}

export class Handover {
  private readonly incoming = new Map<string, Incoming>();
  private readonly outgoing = new Map<string, Outgoing>();
  /** Claims we refused (our view said "mine"), kept until we release or they age out. */
  private readonly refused = new Map<string, HeardClaim>();

  constructor(readonly config: HandoverConfig = defaultHandoverConfig) {}

  /** IPs waiting for `released` before we answer them. */
  get claiming(): number {
    return this.incoming.size;
  }

  /** IPs we answer only until their successor claims them. */
  get holding(): number {
    return this.outgoing.size;
  }

  isClaiming(ip: IP): boolean {
    return this.incoming.has(ip.key);
  }

  isHolding(ip: IP): boolean {
    return this.outgoing.has(ip.key);
  }

  /**
   * We gained these IPs by our view. `peers`: whom to wait for (empty for a gain that needs no
   * claim: a peer's death, or no handover peers). `answering(ip)`: the announcer answers it now.
   */
  gain(ips: readonly OwnedIP[], peers: ReadonlySet<string>, answering: (ip: IP) => boolean, now: number): HandoverActions {
    const out = none();
    for (const o of ips) {
      const k = o.ip.key;
      this.refused.delete(k);
      if (this.outgoing.delete(k)) continue; // we never stopped answering it
      const pending = this.incoming.get(k);
      if (pending) {
        // Already claiming: a new interface list replaces the old.
        this.incoming.set(k, { ...pending, ip: o });
        continue;
      }
      if (peers.size === 0 || answering(o.ip)) {
        out.answer.push(o);
        continue;
      }
      this.incoming.set(k, { ip: o, waitFor: new Set(peers), since: now, sentAt: now, reported: false });
      out.claim.push(o.ip);
    }
    return out;
  }

  /**
   * Our fence lifted: every IP we hold must be claimed again (peers may have answered them
   * meanwhile). `held`: what the announcer holds. Returns the claims; the caller mutes them.
   */
  reclaim(held: readonly OwnedIP[], peers: ReadonlySet<string>, now: number): HandoverActions {
    const out = none();
    if (peers.size === 0) return out;
    for (const o of held) {
      const k = o.ip.key;
      if (this.incoming.has(k)) continue;
      this.outgoing.delete(k);
      this.incoming.set(k, { ip: o, waitFor: new Set(peers), since: now, sentAt: now, reported: false });
      out.claim.push(o.ip);
    }
    return out;
  }

  /**
   * We lost these IPs by our view. `successor(ip)`: the new owner when it is a live handover
   * peer (we hold for it), else undefined (we stop at once).
   */
  lose(ips: readonly IP[], successor: (ip: IP) => string | undefined, now: number): HandoverActions {
    const out = none();
    for (const ip of ips) {
      const k = ip.key;
      if (this.incoming.delete(k)) {
        out.release.push(ip);
        continue;
      }
      const s = successor(ip);
      const claim = this.refused.get(k);
      if (s === undefined || (claim && claim.from === s)) {
        this.outgoing.delete(k);
        out.release.push(ip);
        if (claim) {
          this.refused.delete(k);
          addReleased(out.released, claim.from, claim.incarnation, ip);
        }
        continue;
      }
      const held = this.outgoing.get(k);
      if (held) held.successor = s;
      else this.outgoing.set(k, { ip, successor: s, since: now });
    }
    return out;
  }

  /** The IP is gone from the table altogether (no successor to wait for). */
  forget(ips: readonly IP[]): HandoverActions {
    const out = none();
    for (const ip of ips) {
      const k = ip.key;
      const claim = this.refused.get(k);
      this.refused.delete(k);
      this.incoming.delete(k);
      this.outgoing.delete(k);
      out.release.push(ip);
      if (claim) addReleased(out.released, claim.from, claim.incarnation, ip);
    }
    return out;
  }

  /**
   * A peer claims these IPs. `ours(ip)`: our view makes us the owner (we refuse and remember).
   * Otherwise we stop answering (if we did) and say released.
   */
  onClaim(from: string, incarnation: bigint, ips: readonly IP[], ours: (ip: IP) => boolean, now: number): HandoverActions {
    const out = none();
    for (const ip of ips) {
      const k = ip.key;
      if (ours(ip)) {
        this.refused.set(k, { from, incarnation, at: now });
        continue;
      }
      if (this.outgoing.delete(k) || this.incoming.delete(k)) out.release.push(ip);
      addReleased(out.released, from, incarnation, ip);
    }
    return out;
  }

  /** A peer released IPs we claimed. */
  onReleased(from: string, ips: readonly IP[]): HandoverActions {
    const out = none();
    for (const ip of ips) {
      const inc = this.incoming.get(ip.key);
      if (!inc) continue;
      inc.waitFor.delete(from);
      if (inc.waitFor.size === 0) {
        this.incoming.delete(ip.key);
        out.answer.push(inc.ip);
      }
    }
    return out;
  }

  /** The handover peers changed (a death, a link lost): claims stop waiting for those gone. */
  peersChanged(peers: ReadonlySet<string>): HandoverActions {
    const out = none();
    for (const [k, inc] of this.incoming) {
      for (const n of inc.waitFor) if (!peers.has(n)) inc.waitFor.delete(n);
      if (inc.waitFor.size === 0) {
        this.incoming.delete(k);
        out.answer.push(inc.ip);
      }
    }
    // A hold for a successor that is no longer a peer ends (the table re-adds the IP if it is ours).
    return out;
  }

  /**
   * Periodic: claims to send again, holds to end (past holdMs, or for a successor we no longer
   * hear: `hears`), claims waiting too long. A hold must end before the successor stops waiting
   * for us: it waits while our lists name it, and they name it until we have not heard it for
   * silentAfter, which is when `hears` turns false.
   */
  tick(now: number, hears: (node: string) => boolean): HandoverActions & { slow: SlowClaim[] } {
    const out = { ...none(), slow: [] as SlowClaim[] };
    const c = this.config;
    for (const inc of this.incoming.values()) {
      if (out.claim.length >= RESEND_PER_TICK) break;
      if (now - inc.sentAt < c.resendMs) continue;
      inc.sentAt = now;
      out.claim.push(inc.ip.ip);
    }
    for (const inc of this.incoming.values()) {
      if (inc.reported || now - inc.since < c.slowAfterMs) continue;
      inc.reported = true;
      out.slow.push({ ip: inc.ip.ip.toString(), waitingMs: now - inc.since, waitFor: [...inc.waitFor].sort() });
    }
    for (const [k, o] of this.outgoing) {
      if (now - o.since < c.holdMs && hears(o.successor)) continue;
      this.outgoing.delete(k);
      out.release.push(o.ip);
    }
    for (const [k, r] of this.refused) if (now - r.at > c.holdMs) this.refused.delete(k);
    return out;
  }

  /** Our fence began: holds end (peers may take the IPs without asking us; we answer nothing). */
  dropHolds(): IP[] {
    const ips = [...this.outgoing.values()].map((o) => o.ip);
    this.outgoing.clear();
    return ips;
  }

  /** Everything pending, dropped (we leave or stop). */
  clear(): void {
    this.incoming.clear();
    this.outgoing.clear();
    this.refused.clear();
  }
}
