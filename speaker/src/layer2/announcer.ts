// The L2 shell: opens one packet connection per selected interface, answers ARP/NDP for the IPs
// this node owns (through the pure `respond`), and on takeover sends a burst of gratuitous ARP /
// unsolicited NA (default 3 rounds, 100 ms apart), then nothing periodic. The later speaker
// reconcile calls setOwned() with the full desired set; the difference drives takeover bursts and
// handoffs (an IP removed is no longer answered, at once). Time comes from an injected Clock.
import { systemClock, type Clock, type TimerHandle } from '@herald/shared/clock';
import { createLogger, type Logger } from '@herald/shared/log';
import type { Registry } from '@herald/shared/metrics';
import type { IP } from '@herald/shared/net';
import type { PacketConn } from '../sys/packet-socket.js';
import { MAC } from '../wire/ethernet.js';
import { multicastMac, solicitedNodeAddress } from '../wire/ndp.js';
import { gratuitousFrames } from './gratuitous.js';
import { selectInterfaces, type InterfaceSelection, type LinkState } from './interfaces.js';
import { L2Metrics } from './metrics.js';
import { dropLabel, respond } from './responder.js';

export interface OwnedIP {
  readonly ip: IP;
  /** The advertisement's interfaces; empty: every suitable interface. */
  readonly interfaces: readonly string[];
}

export interface AnnouncerOptions {
  readonly registry: Registry;
  /** Opens a packet connection on an interface (PacketSocket in production, a fake in tests). */
  readonly openConn: (ifname: string, onFrame: (frame: Buffer) => void) => PacketConn;
  /** Lists the links of this namespace (listLinks in production). */
  readonly listLinks: () => readonly LinkState[];
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Gratuitous rounds on takeover and the gap between them. Default 3 and 100 ms. */
  readonly burstCount?: number;
  readonly burstIntervalMs?: number;
  /** How often to rescan links (0: only when rescan() is called). Default 1000 ms. */
  readonly rescanMs?: number;
}

interface Iface {
  readonly conn: PacketConn;
  /** The ifindex it was opened on: a link re-created under the same name gets a new socket. */
  readonly index: number;
  /** Solicited-node multicast MACs joined, with how many owned IPs need each. */
  readonly groups: Map<string, number>;
}

export class L2Announcer {
  readonly metrics: L2Metrics;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly burstCount: number;
  private readonly burstIntervalMs: number;
  private readonly rescanMs: number;
  private owned = new Map<string, OwnedIP>();
  private readonly ifaces = new Map<string, Iface>();
  private readonly bursts = new Map<string, TimerHandle>();
  private rescanTimer: TimerHandle | undefined;
  private lastSelection: InterfaceSelection = { selected: [], rejected: [] };
  private stopped = false;

  constructor(private readonly opts: AnnouncerOptions) {
    this.metrics = new L2Metrics(opts.registry);
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? createLogger({ component: 'speaker-l2' });
    this.burstCount = opts.burstCount ?? 3;
    this.burstIntervalMs = opts.burstIntervalMs ?? 100;
    this.rescanMs = opts.rescanMs ?? 1000;
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

  /** The IPs announced on ifname. */
  private ipsOn(ifname: string): OwnedIP[] {
    return [...this.owned.values()].filter((o) => o.interfaces.length === 0 || o.interfaces.includes(ifname));
  }

  private ownsOn(ifname: string, ip: IP): boolean {
    return this.ownsOnKey(ifname, ip.key);
  }

  /**
   * Replaces the owned set. New IPs (or IPs on new interfaces) get a gratuitous burst; IPs no
   * longer owned stop being answered at once. Returns what changed.
   */
  setOwned(entries: readonly OwnedIP[]): { added: IP[]; removed: IP[] } {
    const next = new Map(entries.map((e) => [e.ip.key, e]));
    const added: IP[] = [];
    const removed: IP[] = [];
    for (const [k, o] of this.owned) if (!next.has(k)) removed.push(o.ip);
    for (const [k, o] of next) if (!this.owned.has(k)) added.push(o.ip);
    const before = new Map([...this.ifaces.keys()].map((n) => [n, new Set(this.ipsOn(n).map((o) => o.ip.key))]));
    this.owned = next;
    for (const key of [...this.bursts.keys()]) {
      const [ipKey, ifname] = splitBurstKey(key);
      if (!this.ownsOnKey(ifname, ipKey)) this.cancelBurst(key);
    }
    // Interfaces already open: burst the IPs that are new on them. rescan() bursts on new ones.
    for (const [name, had] of before) for (const o of this.ipsOn(name)) if (!had.has(o.ip.key)) this.startBurst(o.ip, name);
    this.rescan();
    if (added.length || removed.length) this.log.info('l2-owned-changed', { added: added.map(String), removed: removed.map(String) });
    return { added, removed };
  }

  /** Re-reads links and opens/closes connections to match; syncs multicast memberships. */
  rescan(): void {
    if (this.stopped) return;
    const wanted = new Set<string>();
    let any = false;
    for (const o of this.owned.values()) {
      if (o.interfaces.length === 0) any = true;
      else for (const n of o.interfaces) wanted.add(n);
    }
    const links = this.opts.listLinks();
    const auto = selectInterfaces(links, []);
    const configured = wanted.size ? selectInterfaces(links, [...wanted]) : { selected: [], rejected: [] };
    const chosen = new Map([...(any || this.owned.size === 0 ? auto.selected : []), ...configured.selected].map((l) => [l.name, l.index]));
    this.lastSelection = { selected: [...auto.selected, ...configured.selected], rejected: [...configured.rejected] };
    for (const [name, iface] of this.ifaces) {
      if (chosen.get(name) === iface.index) continue;
      iface.conn.close();
      this.ifaces.delete(name);
      this.log.info('l2-interface-closed', { iface: name });
    }
    for (const [name, index] of [...chosen].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      if (this.ifaces.has(name)) continue;
      try {
        const conn = this.opts.openConn(name, (frame) => this.onFrame(name, frame));
        this.ifaces.set(name, { conn, index, groups: new Map() });
        this.log.info('l2-interface-opened', { iface: name, mac: conn.mac.toString() });
        for (const o of this.ipsOn(name)) this.startBurst(o.ip, name);
      } catch (err) {
        this.log.warn('l2-interface-open-failed', { iface: name, err });
      }
    }
    this.syncGroups();
  }

  private syncGroups(): void {
    for (const [name, iface] of this.ifaces) {
      const want = new Map<string, number>();
      for (const o of this.ipsOn(name)) {
        if (o.ip.family !== 6) continue;
        const k = multicastMac(solicitedNodeAddress(o.ip)).toString();
        want.set(k, (want.get(k) ?? 0) + 1);
      }
      for (const k of iface.groups.keys()) {
        if (want.has(k)) continue;
        iface.groups.delete(k);
        this.tryGroup(() => iface.conn.leaveMulticast(MAC.parse(k)), name, k, 'leave');
      }
      for (const [k, n] of want) {
        if (!iface.groups.has(k)) this.tryGroup(() => iface.conn.joinMulticast(MAC.parse(k)), name, k, 'join');
        iface.groups.set(k, n);
      }
    }
  }

  private tryGroup(f: () => void, iface: string, group: string, op: string): void {
    try {
      f();
    } catch (err) {
      this.log.warn('l2-multicast-failed', { iface, group, op, err });
    }
  }

  private onFrame(ifname: string, frame: Buffer): void {
    const iface = this.ifaces.get(ifname);
    if (!iface) return;
    const out = respond(frame, { mac: iface.conn.mac, owns: (ip) => this.ownsOn(ifname, ip) });
    switch (out.type) {
      case 'ignored':
        return;
      case 'dropped':
        this.metrics.dropped.inc({ reason: dropLabel(out.reason) });
        return;
      case 'reply': {
        const labels = { ip: out.ip.toString(), protocol: out.protocol };
        this.metrics.requests.inc(labels);
        try {
          iface.conn.send(out.frame);
          this.metrics.responses.inc(labels);
        } catch (err) {
          this.log.warn('l2-send-failed', { iface: ifname, ip: labels.ip, err });
        }
        return;
      }
    }
  }

  private sendGratuitous(ip: IP, ifname: string): void {
    const iface = this.ifaces.get(ifname);
    if (!iface) return;
    for (const f of gratuitousFrames(ip, iface.conn.mac)) {
      try {
        iface.conn.send(f);
        this.metrics.gratuitous.inc({ ip: ip.toString() });
      } catch (err) {
        this.log.warn('l2-send-failed', { iface: ifname, ip: ip.toString(), err });
      }
    }
  }

  /** Sends round 1 now and the rest burstIntervalMs apart, while the IP stays owned there. */
  private startBurst(ip: IP, ifname: string): void {
    const key = `${ip.key}@${ifname}`;
    this.cancelBurst(key);
    let round = 0;
    const fire = (): void => {
      this.bursts.delete(key);
      if (this.stopped || !this.ownsOn(ifname, ip)) return;
      this.sendGratuitous(ip, ifname);
      round++;
      if (round < this.burstCount) this.bursts.set(key, this.clock.setTimeout(fire, this.burstIntervalMs));
    };
    fire();
  }

  private cancelBurst(key: string): void {
    const t = this.bursts.get(key);
    if (t) this.clock.clearTimeout(t);
    this.bursts.delete(key);
  }

  private ownsOnKey(ifname: string, ipKey: string): boolean {
    const o = this.owned.get(ipKey);
    return o !== undefined && this.ifaces.has(ifname) && (o.interfaces.length === 0 || o.interfaces.includes(ifname));
  }

  /** Stops answering and closes every connection. */
  stop(): void {
    this.stopped = true;
    if (this.rescanTimer) this.clock.clearTimeout(this.rescanTimer);
    for (const t of this.bursts.values()) this.clock.clearTimeout(t);
    this.bursts.clear();
    for (const iface of this.ifaces.values()) iface.conn.close();
    this.ifaces.clear();
  }
}

function splitBurstKey(key: string): [string, string] {
  const i = key.indexOf('@');
  return [key.slice(0, i), key.slice(i + 1)];
}
