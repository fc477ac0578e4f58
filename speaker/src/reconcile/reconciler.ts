// The speaker's reconciler: informer events in, announcements out, in proportion to what
// changed. It keeps an AnnounceState (announce/announce-state.ts) and, on each pass, turns the
// Services that changed into state updates, steps the state a slice at a time, and hands the
// results on: L2 rankings to the packet thread, per-peer route changes to the BGP sessions,
// owner-change Events, and status objects to their background writers. A pass never waits on
// the API server; a membership change only re-picks owners (the packet thread already moved
// the IPs itself).
import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import type { BGPPeer, Config } from '@herald/shared/config';
import type { ConfigState, EventRecorder } from '@herald/shared/k8s';
import type { Logger } from '@herald/shared/log';
import type { IP } from '@herald/shared/net';
import { AnnounceState, type AnnounceChanges, type IPFacts, type OwnerChange } from '../announce/announce-state.js';
import { nodeInfo, ownerChangeMessage } from '../announce/index.js';
import { bgpStatusObject, l2StatusObject, statusNames } from '../status/desired-status.js';
import type { StatusWriter } from '../status/status-writer.js';
import type { BgpSessions } from './bgp-sessions.js';
import type { L2Port, MembershipPort } from './ports.js';
import { ServiceIndex } from './service-index.js';

export interface ReconcilerOptions {
  readonly node: string;
  readonly lbClass: string | undefined;
  /** The Service cache (by key "namespace/name"). */
  readonly service: (key: string) => V1Service | undefined;
  readonly membership: MembershipPort;
  /** undefined: L2 mode is off on this speaker (--no-l2). */
  readonly l2: L2Port | undefined;
  /** undefined: BGP mode is off (--no-bgp). */
  readonly bgp: BgpSessions | undefined;
  readonly l2Status: StatusWriter | undefined;
  readonly bgpStatus: StatusWriter | undefined;
  readonly events: EventRecorder;
  readonly log: Logger;
  /** Per IP whose facts changed (BGP peers, why unannounceable): the per-IP metrics. */
  readonly ipFacts?: (changed: ReadonlyMap<string, IPFacts | undefined>) => void;
}

/** What one pass did. */
export interface PassResult {
  /** Work is left: run another pass soon (the caller yields to the event loop first). */
  readonly more: boolean;
  readonly services: number;
  readonly ips: number;
}

export class SpeakerReconciler {
  private readonly state: AnnounceState;
  private readonly index: ServiceIndex;
  private config: Config | undefined;
  private leaving = false;
  /** Until the first complete pass, owner changes are the initial election: no Events. */
  private settled = false;
  /** Services whose status objects may differ, collected over steps, written at the end of a pass. */
  private readonly statusDirty = new Set<string>();
  private interfacesSeen = '';

  constructor(private readonly o: ReconcilerOptions) {
    this.state = new AnnounceState(o.node);
    this.index = new ServiceIndex(o.lbClass);
  }

  // Inputs (informer handlers call these; they only record what changed)

  serviceEvent(svc: V1Service): void {
    this.index.serviceEvent(svc);
  }

  sliceEvent(s: V1EndpointSlice, deleted: boolean): void {
    this.index.sliceEvent(s, deleted);
  }

  nodesChanged(nodes: readonly V1Node[]): void {
    this.state.setNodes(nodes.map(nodeInfo));
  }

  configChanged(cs: ConfigState): void {
    // Invalid: the last good config stays in force (cs.config); none yet: nothing is announced.
    this.config = cs.type === 'none-yet' ? undefined : cs.config;
    this.state.setConfig(this.config);
  }

  membershipChanged(): void {
    this.state.setLiveness(this.o.membership.live(), this.o.membership.fenced());
  }

  /** Graceful handoff began: keep answering ARP/NDP as now, withdraw BGP routes. */
  startLeaving(): void {
    this.leaving = true;
    // First, before the L2 handoff waits on anything: withdraw, then Cease with a reason.
    this.o.bgp?.stopAll(true);
  }

  get pending(): boolean {
    return this.index.pending > 0 || this.state.pending;
  }

  /** Runs until `budgetMs` is spent or nothing is left (`more` says which). */
  pass(budgetMs: number, now: () => number): PassResult {
    const t0 = now();
    let services = 0;
    let ips = 0;
    do {
      for (const { key, state } of this.index.take(200, this.o.service)) {
        services++;
        if (state !== 'same') this.state.setService(key, state);
      }
      const c = this.state.step(500);
      ips += c.processed;
      this.apply(c);
    } while (this.pending && now() - t0 < budgetMs);
    const more = this.pending;
    if (!more) {
      this.writeStatuses();
      if (!this.settled) {
        this.settled = true;
        this.o.l2Status?.synced();
        this.o.bgpStatus?.synced();
      }
    }
    return { more, services, ips };
  }

  private apply(c: AnnounceChanges): void {
    const { o } = this;
    if (o.l2 && (c.l2Upserts.length || c.l2Removes.length)) o.l2.setL2(c.l2Upserts, c.l2Removes);
    if (o.bgp && !this.leaving) {
      if (c.sessionPeers) o.bgp.setPeers(c.sessionPeers.map((n) => this.config?.peers.get(n)).filter((p): p is BGPPeer => p !== undefined), this.config?.bfdProfiles);
      if (c.routes.size) o.bgp.applyRoutes(c.routes);
    }
    if (this.settled && o.l2) for (const oc of c.owners) this.ownerEvent(oc);
    for (const s of c.statuses) this.statusDirty.add(s);
    if (c.ipFacts.size) o.ipFacts?.(c.ipFacts);
  }

  /**
   * An Event on each Service whose IP changed L2 owner, written once: by the new owner, or by
   * the old one when nobody owns the IP now.
   */
  private ownerEvent(oc: OwnerChange): void {
    const self = this.o.node;
    if (oc.after !== self && !(oc.after === undefined && oc.before === self)) return;
    const why = oc.before === undefined ? undefined : this.state.explainL2(oc.ip);
    const old = oc.before === undefined ? undefined : why?.election.verdicts(oc.before);
    for (const key of oc.services) {
      const svc = this.o.service(key);
      if (!svc) continue;
      const i = why?.rank.services.indexOf(key) ?? -1;
      const msg = ownerChangeMessage(oc.ip, oc.after, oc.before, i >= 0 ? old?.[i] : undefined);
      const ref = { apiVersion: 'v1', kind: 'Service', namespace: svc.metadata?.namespace ?? 'default', name: svc.metadata?.name ?? '', uid: svc.metadata?.uid };
      this.o.events.record(ref, oc.after ? 'Normal' : 'Warning', oc.after ? 'AnnouncedFromNode' : 'NotAnnounced', msg);
      this.o.log.info('l2-owner-changed', { service: key, ip: oc.ip.toString(), owner: oc.after ?? null, was: oc.before ?? null });
    }
  }

  /** Hands the status objects of every Service that may have changed to the writers. */
  private writeStatuses(): void {
    const { o } = this;
    if (this.leaving) return;
    const open = o.l2?.interfaces() ?? [];
    // The open interfaces stand in for "every interface": when they change, so may any status.
    const seen = open.join(',');
    if (seen !== this.interfacesSeen) {
      this.interfacesSeen = seen;
      for (const e of this.state.l2Owners()) if (e.owner === o.node) for (const s of e.services) this.statusDirty.add(s);
    }
    for (const key of this.statusDirty) {
      const names = statusNames(key, o.node);
      if (o.l2Status) {
        const ifaces = o.l2 ? this.state.l2Interfaces(key, open) : undefined;
        o.l2Status.set(names.l2, ifaces ? l2StatusObject(key, o.node, ifaces) : undefined);
      }
      if (o.bgpStatus) {
        const peers = o.bgp ? this.state.bgpPeers(key) : undefined;
        o.bgpStatus.set(names.bgp, peers ? bgpStatusObject(key, o.node, peers) : undefined);
      }
    }
    this.statusDirty.clear();
  }

  // Reads

  /** The L2 owner of an IP as this speaker computes it (tests, the lab view). */
  ownerOf(ip: IP): string | undefined {
    return this.state.ownerOf(ip);
  }

  /** Every L2 IP with its owner. */
  l2Owners(): { ip: IP; owner: string | undefined; services: readonly string[] }[] {
    return [...this.state.l2Owners()];
  }

  /** The prefixes this node advertises to a peer now. */
  routesFor(peer: string): ReadonlyMap<string, unknown> {
    return this.state.routesFor(peer);
  }

  get serviceCount(): number {
    return this.state.serviceCount;
  }

  /** Stops announcing: L2 answers nothing, BGP sessions close, this node's status objects go. */
  async shutdown(): Promise<void> {
    this.o.l2?.setL2([], [], true);
    this.o.bgp?.stopAll(true);
    await Promise.all([this.o.l2Status?.finish(), this.o.bgpStatus?.finish()]);
  }
}
