// Which IPs this node announces, per mode, as series to export (herald_speaker_announced), kept
// from state changes only: nothing here scans on a scrape. Pure: the caller passes a sink (the
// prom-client gauge in announced-metrics.ts; a recording fake in tests).
//
//   - L2: an IP is announced while the packet thread's announcer holds it (the owner table said
//     it is ours) and this speaker is not fenced: exactly when it answers ARP/NDP. The packet
//     thread sends what its announcer took on and let go (HeldChanges, with its counters).
//   - BGP: an IP is announced while this node routes it to at least one peer whose session is
//     Established.
//
// Also the IPs no node is expected to announce, with why (herald_speaker_ip_unannounceable): the
// "IP with no announcer" alert leaves them out.
import type { Unannounceable } from '../announce/announce-state.js';
import type { HeldChanges } from '../layer2/held-log.js';

export type AnnounceMode = 'l2' | 'bgp';

export interface AnnouncedSink {
  set(ip: string, mode: AnnounceMode): void;
  remove(ip: string, mode: AnnounceMode): void;
}

export interface UnannounceableSink {
  set(ip: string, reason: Unannounceable): void;
  remove(ip: string, reason: Unannounceable): void;
}

/** The L2 side: the announcer's held set, silenced while fenced. */
export class L2Announced {
  private readonly held = new Set<string>();
  // A speaker starts fenced (it has to rejoin).
  private fenced = true;

  constructor(private readonly sink: AnnouncedSink) {}

  apply(c: HeldChanges): void {
    if (c.reset) {
      if (!this.fenced) for (const ip of this.held) this.sink.remove(ip, 'l2');
      this.held.clear();
    }
    for (const ip of c.removed) {
      if (this.held.delete(ip) && !this.fenced) this.sink.remove(ip, 'l2');
    }
    for (const ip of c.added) {
      if (this.held.has(ip)) continue;
      this.held.add(ip);
      if (!this.fenced) this.sink.set(ip, 'l2');
    }
  }

  setFenced(fenced: boolean): void {
    if (fenced === this.fenced) return;
    this.fenced = fenced;
    for (const ip of this.held) {
      if (fenced) this.sink.remove(ip, 'l2');
      else this.sink.set(ip, 'l2');
    }
  }
}

/** The BGP side: per IP, the peers it is routed to; announced once one of them is Established. */
export class BgpAnnounced {
  private readonly peers = new Map<string, readonly string[]>();
  private readonly announced = new Set<string>();
  private established: ReadonlySet<string> = new Set();

  constructor(private readonly sink: AnnouncedSink) {}

  /** The peers this node routes an IP to now (empty or undefined: none). */
  setIP(ip: string, peers: readonly string[] | undefined): void {
    if (peers && peers.length) this.peers.set(ip, peers);
    else this.peers.delete(ip);
    this.update(ip);
  }

  /** The peers whose session is Established now. O(IPs routed) when the set changes. */
  setEstablished(peers: ReadonlySet<string>): void {
    if (peers.size === this.established.size && [...peers].every((p) => this.established.has(p))) return;
    this.established = new Set(peers);
    for (const ip of this.peers.keys()) this.update(ip);
    for (const ip of [...this.announced]) if (!this.peers.has(ip)) this.update(ip);
  }

  private update(ip: string): void {
    const on = (this.peers.get(ip) ?? []).some((p) => this.established.has(p));
    if (on === this.announced.has(ip)) return;
    if (on) {
      this.announced.add(ip);
      this.sink.set(ip, 'bgp');
    } else {
      this.announced.delete(ip);
      this.sink.remove(ip, 'bgp');
    }
  }
}

/** IPs no node is expected to announce, and why. */
export class UnannounceableIPs {
  private readonly reasons = new Map<string, Unannounceable>();

  constructor(private readonly sink: UnannounceableSink) {}

  setIP(ip: string, reason: Unannounceable | undefined): void {
    const was = this.reasons.get(ip);
    if (was === reason) return;
    if (was) this.sink.remove(ip, was);
    if (reason) {
      this.reasons.set(ip, reason);
      this.sink.set(ip, reason);
    } else this.reasons.delete(ip);
  }
}
