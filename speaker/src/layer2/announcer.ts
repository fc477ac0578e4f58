// The L2 shell: opens one packet connection per selected interface, answers ARP/NDP for the IPs
// this node owns (through the pure `respond`), and on takeover sends a burst of gratuitous ARP /
// unsolicited NA (default 3 rounds, 100 ms apart), then nothing periodic. Time comes from an
// injected Clock.
//
// Work is in proportion to change: applyOwned() takes what was added and removed (setOwned()
// takes a full set and diffs it), multicast memberships are counted per interface as IPs come
// and go, and a takeover of thousands of IPs sends its gratuitous frames in slices of
// `sendsPerSlice` per macrotask, so the heartbeats sharing this thread are never held back by a
// long run of sends (a first round of 256 IPs still goes out at once).
import { systemClock, type Clock, type TimerHandle } from '@herald/shared/clock';
import { createLogger, type Logger } from '@herald/shared/log';
import type { IP } from '@herald/shared/net';
import type { PacketConn } from '../sys/packet-socket.js';
import { MAC } from '../wire/ethernet.js';
import { multicastMac, solicitedNodeAddress } from '../wire/ndp.js';
import { gratuitousFrames } from './gratuitous.js';
import { selectInterfaces, type InterfaceSelection, type LinkState } from './interfaces.js';
import { dropLabel, respond, type L2Protocol } from './responder.js';

export interface OwnedIP {
  readonly ip: IP;
  /** The advertisement's interfaces; empty: every suitable interface. */
  readonly interfaces: readonly string[];
}

/** Where the announcer counts what it does (prom-client counters on the main thread, or a tally). */
export interface L2Counters {
  request(ip: IP, protocol: L2Protocol): void;
  response(ip: IP, protocol: L2Protocol): void;
  gratuitous(ip: IP, frames: number): void;
  dropped(reason: string): void;
}

export interface AnnouncerOptions {
  readonly counters: L2Counters;
  /** Opens a packet connection on an interface (PacketSocket in production, a fake in tests). */
  readonly openConn: (ifname: string, onFrame: (frame: Buffer) => void) => PacketConn;
  /** Lists the links of this namespace (listLinks in production). */
  readonly listLinks: () => readonly LinkState[];
  /** Checked before every answer and gratuitous frame: true stops both (a self-fenced speaker). */
  readonly silenced?: () => boolean;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Gratuitous rounds on takeover and the gap between them. Default 3 and 100 ms. */
  readonly burstCount?: number;
  readonly burstIntervalMs?: number;
  /** How often to rescan links (0: only when rescan() is called). Default 1000 ms. */
  readonly rescanMs?: number;
  /** Gratuitous (IP, interface) rounds sent per macrotask before yielding. Default 256. */
  readonly sendsPerSlice?: number;
}

interface Iface {
  readonly conn: PacketConn;
  /** The ifindex it was opened on: a link re-created under the same name gets a new socket. */
  readonly index: number;
  /** Solicited-node multicast MACs needed, with how many owned IPs need each. */
  readonly groups: Map<string, number>;
  /** Those with a membership of their own in the kernel (all of them, unless in all-multicast mode). */
  readonly joined: Set<string>;
  /** All-multicast mode: too many groups to join one by one (ALL_MULTICAST_ABOVE). */
  allMulticast: boolean;
}

/**
 * Above this many solicited-node groups on one interface the socket asks for all multicast
 * instead (as a NIC does when its filter is full; the BPF filter still passes only ARP and NS):
 * a join or leave is a syscall, and a takeover or fence of thousands of IPv6 addresses made the
 * packet thread spend seconds in them while its heartbeats waited (10,000-Service burst, lab,
 * 2026-12-04). Back to joining one by one below ALL_MULTICAST_BELOW, so a flap at the edge
 * costs nothing.
 */
export const ALL_MULTICAST_ABOVE = 256;
export const ALL_MULTICAST_BELOW = 128;

interface Burst {
  readonly ip: IP;
  readonly ifname: string;
  round: number;
  timer: TimerHandle | undefined;
}

/** At most this many IPs named in one log line (the count is always there). */
const LOG_IPS = 20;

export class L2Announcer {
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly burstCount: number;
  private readonly burstIntervalMs: number;
  private readonly rescanMs: number;
  private readonly sendsPerSlice: number;
  private owned = new Map<string, OwnedIP>();
  /** Owned IPs not answered (no replies, no gratuitous frames) until unmuted: claims in flight (handover.ts). */
  private readonly muted = new Set<string>();
  /** How many owned IPs name each interface, and how many name none (every interface). */
  private readonly named = new Map<string, number>();
  private anyInterface = 0;
  private readonly ifaces = new Map<string, Iface>();
  private readonly bursts = new Map<string, Burst>();
  /** Bursts whose next round is due now, in order; drained sendsPerSlice at a time. */
  private readonly due: string[] = [];
  private dueTimer: TimerHandle | undefined;
  private rescanTimer: TimerHandle | undefined;
  private lastSelection: InterfaceSelection = { selected: [], rejected: [] };
  private stopped = false;

  constructor(private readonly opts: AnnouncerOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? createLogger({ component: 'speaker-l2' });
    this.burstCount = opts.burstCount ?? 3;
    this.burstIntervalMs = opts.burstIntervalMs ?? 100;
    this.rescanMs = opts.rescanMs ?? 1000;
    this.sendsPerSlice = Math.max(1, opts.sendsPerSlice ?? 256);
  }

  /** Opens the interfaces and starts the periodic link rescan. */
  start(): void {
    this.rescan();
    this.scheduleRescan();
  }

  private scheduleRescan(): void {
    if (this.rescanMs <= 0 || this.stopped) return;
    this.rescanTimer = this.clock.setTimeout(() => {
      this.rescan();
      this.scheduleRescan();
    }, this.rescanMs);
  }

  /** The interfaces open now, sorted. */
  interfaces(): string[] {
    return [...this.ifaces.keys()].sort();
  }

  selection(): InterfaceSelection {
    return this.lastSelection;
  }

  /** How many IPs are owned now. */
  get size(): number {
    return this.owned.size;
  }

  /** The IPs announced on ifname (O(owned): only when an interface opens). */
  private ipsOn(ifname: string): OwnedIP[] {
    return [...this.owned.values()].filter((o) => on(o, ifname));
  }

  /**
   * Replaces the owned set. New IPs (or IPs on new interfaces) get a gratuitous burst; IPs no
   * longer owned stop being answered at once. Returns what changed.
   */
  setOwned(entries: readonly OwnedIP[]): { added: IP[]; removed: IP[] } {
    const next = new Map(entries.map((e) => [e.ip.key, e]));
    const removed = [...this.owned.values()].filter((o) => !next.has(o.ip.key)).map((o) => o.ip);
    const added = entries.filter((e) => !this.owned.has(e.ip.key)).map((e) => e.ip);
    this.applyOwned(entries.filter((e) => !sameOwned(this.owned.get(e.ip.key), e)), removed);
    return { added, removed };
  }

  /**
   * Adds (or updates the interfaces of) `added` and stops answering for `removed`, at once.
   * Cost in proportion to the change (plus a link rescan when the interface set may change).
   */
  applyOwned(added: readonly OwnedIP[], removed: readonly IP[]): void {
    if (this.stopped) return;
    const before = { any: this.anyInterface > 0 || this.owned.size === 0, named: new Set(this.named.keys()) };
    const gone: IP[] = [];
    for (const ip of removed) if (this.drop(ip.key)) gone.push(ip);
    const fresh: IP[] = [];
    for (const o of added) {
      const cur = this.owned.get(o.ip.key);
      if (sameOwned(cur, o)) continue;
      if (cur) {
        // New interfaces for a held IP: it stays muted if it was.
        const wasMuted = this.muted.has(o.ip.key);
        this.drop(o.ip.key);
        if (wasMuted) this.muted.add(o.ip.key);
      }
      this.owned.set(o.ip.key, o);
      this.count(o, +1);
      for (const name of this.ifaces.keys()) if (on(o, name)) this.joinFor(o.ip, name, +1);
      for (const name of this.ifaces.keys()) if (on(o, name)) this.startBurst(o.ip, name);
      fresh.push(o.ip);
    }
    const after = { any: this.anyInterface > 0 || this.owned.size === 0, named: new Set(this.named.keys()) };
    if (before.any !== after.any || !sameSet(before.named, after.named)) this.rescan();
    this.drain();
    if (fresh.length || gone.length) {
      this.log.info('l2-owned-changed', { added: fresh.length, removed: gone.length, addedIps: fresh.slice(0, LOG_IPS).map(String), removedIps: gone.slice(0, LOG_IPS).map(String), owned: this.owned.size });
    }
  }

  /** Holds these IPs without answering for them (before applyOwned adds them, or while held). */
  mute(ips: readonly IP[]): void {
    for (const ip of ips) {
      this.muted.add(ip.key);
      for (const name of this.ifaces.keys()) this.cancelBurst(burstKey(ip.key, name));
    }
  }

  /** Answers these IPs again, if held, with a gratuitous burst (the takeover's). */
  unmute(ips: readonly IP[]): void {
    if (this.stopped) return;
    for (const ip of ips) {
      if (!this.muted.delete(ip.key)) continue;
      const o = this.owned.get(ip.key);
      if (o) for (const name of this.ifaces.keys()) if (on(o, name)) this.startBurst(o.ip, name);
    }
    this.drain();
  }

  /** Owned IPs that are muted. */
  get mutedCount(): number {
    return this.muted.size;
  }

  /** True if the IP is held and not muted (answered whenever the announcer is not silenced). */
  answers(ip: IP): boolean {
    return this.owned.has(ip.key) && !this.muted.has(ip.key);
  }

  /**
   * Sends the gratuitous bursts again for every IP held, paced like a takeover: after a fence
   * lifts (the announcer kept its IPs, silenced), since peers may have answered for some meanwhile.
   */
  reannounce(): void {
    if (this.stopped) return;
    for (const o of this.owned.values()) for (const name of this.ifaces.keys()) if (on(o, name)) this.startBurst(o.ip, name);
    this.drain();
  }

  /** Forgets an owned IP: no more answers, bursts or multicast groups for it. */
  private drop(key: string): boolean {
    this.muted.delete(key);
    const o = this.owned.get(key);
    if (!o) return false;
    this.owned.delete(key);
    this.count(o, -1);
    for (const name of this.ifaces.keys()) {
      if (!on(o, name)) continue;
      this.cancelBurst(burstKey(key, name));
      this.joinFor(o.ip, name, -1);
    }
    return true;
  }

  private count(o: OwnedIP, d: 1 | -1): void {
    if (o.interfaces.length === 0) this.anyInterface += d;
    for (const n of o.interfaces) {
      const v = (this.named.get(n) ?? 0) + d;
      if (v > 0) this.named.set(n, v);
      else this.named.delete(n);
    }
  }

  /** Re-reads links and opens/closes connections to match. */
  rescan(): void {
    if (this.stopped) return;
    const links = this.opts.listLinks();
    const auto = selectInterfaces(links, []);
    const wanted = [...this.named.keys()];
    const configured = wanted.length ? selectInterfaces(links, wanted) : { selected: [], rejected: [] };
    const useAuto = this.anyInterface > 0 || this.owned.size === 0;
    const chosen = new Map([...(useAuto ? auto.selected : []), ...configured.selected].map((l) => [l.name, l.index]));
    this.lastSelection = { selected: [...auto.selected, ...configured.selected], rejected: [...configured.rejected] };
    for (const [name, iface] of this.ifaces) {
      if (chosen.get(name) === iface.index) continue;
      iface.conn.close();
      this.ifaces.delete(name);
      for (const [k, b] of this.bursts) if (b.ifname === name) this.cancelBurst(k);
      this.log.info('l2-interface-closed', { iface: name });
    }
    for (const [name, index] of [...chosen].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (this.ifaces.has(name)) continue;
      try {
        const conn = this.opts.openConn(name, (frame) => this.onFrame(name, frame));
        this.ifaces.set(name, { conn, index, groups: new Map(), joined: new Set(), allMulticast: false });
        this.log.info('l2-interface-opened', { iface: name, mac: conn.mac.toString() });
        for (const o of this.ipsOn(name)) {
          this.joinFor(o.ip, name, +1);
          this.startBurst(o.ip, name);
        }
      } catch (err) {
        this.log.warn('l2-interface-open-failed', { iface: name, err });
      }
    }
    this.drain();
  }

  /** Counts one IPv6 address's solicited-node group on an interface up or down, joining or leaving. */
  private joinFor(ip: IP, ifname: string, d: 1 | -1): void {
    if (ip.family !== 6) return;
    const iface = this.ifaces.get(ifname);
    if (!iface) return;
    const mac = multicastMac(solicitedNodeAddress(ip));
    const k = mac.toString();
    const n = (iface.groups.get(k) ?? 0) + d;
    if (n > 0) {
      const fresh = !iface.groups.has(k);
      iface.groups.set(k, n);
      if (fresh && !iface.allMulticast) {
        // If all-multicast cannot be had, join this one by one after all.
        if (iface.groups.size > ALL_MULTICAST_ABOVE && this.allMulticast(iface, ifname, true)) return;
        if (this.tryGroup(() => iface.conn.joinMulticast(mac), ifname, k, 'join')) iface.joined.add(k);
      }
    } else if (iface.groups.delete(k)) {
      if (iface.joined.delete(k)) this.tryGroup(() => iface.conn.leaveMulticast(MAC.parse(k)), ifname, k, 'leave');
      if (iface.allMulticast && iface.groups.size < ALL_MULTICAST_BELOW) this.allMulticast(iface, ifname, false);
    }
  }

  /** Into all-multicast mode, or back out of it (joining each needed group first, so none is missed). */
  private allMulticast(iface: Iface, ifname: string, on: boolean): boolean {
    if (!on) {
      for (const k of iface.groups.keys()) {
        if (!iface.joined.has(k) && this.tryGroup(() => iface.conn.joinMulticast(MAC.parse(k)), ifname, k, 'join')) iface.joined.add(k);
      }
    }
    if (!this.tryGroup(() => iface.conn.setAllMulticast(on), ifname, 'all', on ? 'all-multicast-on' : 'all-multicast-off')) return false;
    iface.allMulticast = on;
    this.log.info('l2-all-multicast', { iface: ifname, on, groups: iface.groups.size, joined: iface.joined.size });
    return true;
  }

  private tryGroup(f: () => void, iface: string, group: string, op: string): boolean {
    try {
      f();
      return true;
    } catch (err) {
      this.log.warn('l2-multicast-failed', { iface, group, op, err });
      return false;
    }
  }

  private silenced(): boolean {
    return this.opts.silenced?.() ?? false;
  }

  private onFrame(ifname: string, frame: Buffer): void {
    const iface = this.ifaces.get(ifname);
    if (!iface) return;
    const out = respond(frame, { mac: iface.conn.mac, owns: (ip) => this.ownsOn(ifname, ip.key) && !this.silenced() });
    switch (out.type) {
      case 'ignored':
        return;
      case 'dropped':
        this.opts.counters.dropped(dropLabel(out.reason));
        return;
      case 'reply': {
        this.opts.counters.request(out.ip, out.protocol);
        try {
          iface.conn.send(out.frame);
          this.opts.counters.response(out.ip, out.protocol);
        } catch (err) {
          this.log.warn('l2-send-failed', { iface: ifname, ip: out.ip.toString(), err });
        }
        return;
      }
    }
  }

  private sendGratuitous(ip: IP, ifname: string): void {
    const iface = this.ifaces.get(ifname);
    if (!iface || this.silenced()) return;
    const frames = gratuitousFrames(ip, iface.conn.mac);
    try {
      for (const f of frames) iface.conn.send(f);
      this.opts.counters.gratuitous(ip, frames.length);
    } catch (err) {
      this.log.warn('l2-send-failed', { iface: ifname, ip: ip.toString(), err });
    }
  }

  /** Queues round 1 now (sent by drain) and the rest burstIntervalMs apart, while the IP stays owned there. */
  private startBurst(ip: IP, ifname: string): void {
    const key = burstKey(ip.key, ifname);
    this.cancelBurst(key);
    this.bursts.set(key, { ip, ifname, round: 0, timer: undefined });
    this.due.push(key);
  }

  /** Sends due rounds, sendsPerSlice of them, then yields to the event loop for the rest. */
  private drain(): void {
    if (this.dueTimer || this.stopped) return;
    let n = 0;
    while (this.due.length && n < this.sendsPerSlice) {
      const key = this.due.shift()!;
      const b = this.bursts.get(key);
      if (!b || b.timer) continue;
      if (!this.ownsOn(b.ifname, b.ip.key)) {
        this.bursts.delete(key);
        continue;
      }
      this.sendGratuitous(b.ip, b.ifname);
      n++;
      b.round++;
      if (b.round >= this.burstCount) this.bursts.delete(key);
      else
        b.timer = this.clock.setTimeout(() => {
          b.timer = undefined;
          if (this.bursts.get(key) !== b) return;
          this.due.push(key);
          this.drain();
        }, this.burstIntervalMs);
    }
    if (this.due.length)
      this.dueTimer = this.clock.setTimeout(() => {
        this.dueTimer = undefined;
        this.drain();
      }, 0);
  }

  private cancelBurst(key: string): void {
    const b = this.bursts.get(key);
    if (b?.timer) this.clock.clearTimeout(b.timer);
    this.bursts.delete(key);
  }

  private ownsOn(ifname: string, ipKey: string): boolean {
    const o = this.owned.get(ipKey);
    return o !== undefined && this.ifaces.has(ifname) && on(o, ifname) && !this.muted.has(ipKey);
  }

  /** Stops answering and closes every connection. */
  stop(): void {
    this.stopped = true;
    if (this.rescanTimer) this.clock.clearTimeout(this.rescanTimer);
    if (this.dueTimer) this.clock.clearTimeout(this.dueTimer);
    for (const b of this.bursts.values()) if (b.timer) this.clock.clearTimeout(b.timer);
    this.bursts.clear();
    this.due.length = 0;
    for (const iface of this.ifaces.values()) iface.conn.close();
    this.ifaces.clear();
  }
}

function on(o: OwnedIP, ifname: string): boolean {
  return o.interfaces.length === 0 || o.interfaces.includes(ifname);
}

function burstKey(ipKey: string, ifname: string): string {
  return `${ipKey}@${ifname}`;
}

function sameOwned(a: OwnedIP | undefined, b: OwnedIP): boolean {
  return a !== undefined && a.interfaces.length === b.interfaces.length && a.interfaces.every((x, i) => x === b.interfaces[i]);
}

function sameSet(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((x) => b.has(x));
}
