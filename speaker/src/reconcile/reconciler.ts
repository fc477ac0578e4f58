// One reconcile pass of the speaker. The computation is global (an IP's owner depends on every
// node), so there is one key: each pass reads the caches, computes the desired announcements,
// and brings the L2 announcer and the BGP sessions to them, then hands the status objects to
// their writers, which write in the background: a pass never waits on the API server, so a
// membership change (failover) is never held back by a slow or unreachable one. Serial, and
// idempotent: a pass with nothing changed writes nothing.
import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import type { BGPPeer } from '@herald/shared/config';
import { done, type ConfigState, type EventRecorder, type Outcome } from '@herald/shared/k8s';
import type { Logger } from '@herald/shared/log';
import { desiredAnnouncements, handles, nodeInfo, ownedIPs, ownerChangeMessage, perPeerRoutes, serviceKey, serviceState, SERVICE_NAME_LABEL, type Desired } from '../announce/index.js';
import { desiredBgpStatuses, desiredL2Statuses, type StatusObject } from '../status/desired-status.js';
import type { BgpSessions } from './bgp-sessions.js';
import type { L2Sink, MembershipPort } from './ports.js';

/** What the reconciler reads (the informer caches). */
export interface Snapshot {
  services(): readonly V1Service[];
  endpointSlices(): readonly V1EndpointSlice[];
  nodes(): readonly V1Node[];
  config(): ConfigState;
}

export interface StatusWriter {
  /** The set to converge to; written in the background, latest wins, failures retried. */
  submit(desired: ReadonlyMap<string, StatusObject>): void;
  /** Stops background writing, then writes this set once (shutdown). */
  finish(desired: ReadonlyMap<string, StatusObject>): Promise<boolean>;
  /** Resolves when nothing is being written (tests). */
  idle(): Promise<void>;
}

export interface ReconcilerOptions {
  readonly node: string;
  readonly lbClass: string | undefined;
  readonly snapshot: Snapshot;
  readonly membership: MembershipPort;
  /** undefined: L2 mode is off on this speaker (--no-l2). */
  readonly l2: L2Sink | undefined;
  /** undefined: BGP mode is off (--no-bgp). */
  readonly bgp: BgpSessions | undefined;
  readonly l2Status: StatusWriter | undefined;
  readonly bgpStatus: StatusWriter | undefined;
  readonly events: EventRecorder;
  readonly log: Logger;
}

export class SpeakerReconciler {
  private last: Desired | undefined;
  private leaving = false;

  constructor(private readonly o: ReconcilerOptions) {}

  /** The last computed desired state (tests, /status). */
  get current(): Desired | undefined {
    return this.last;
  }

  /** Graceful handoff began: keep answering ARP/NDP as now, withdraw BGP routes. */
  startLeaving(): void {
    this.leaving = true;
  }

  reconcile(): Outcome {
    const { o } = this;
    const cs = o.snapshot.config();
    if (cs.type === 'none-yet' || !cs.config) {
      // No valid config was ever seen: nothing to announce.
      if (!this.leaving) o.l2?.setOwned([]);
      o.bgp?.sync([], new Map());
      return done;
    }
    const config = cs.config;
    const byService = new Map<string, V1EndpointSlice[]>();
    for (const s of o.snapshot.endpointSlices()) {
      const name = s.metadata?.labels?.[SERVICE_NAME_LABEL];
      if (!name) continue;
      const k = `${s.metadata?.namespace ?? 'default'}/${name}`;
      let l = byService.get(k);
      if (!l) byService.set(k, (l = []));
      l.push(s);
    }
    const svcObjs = new Map<string, V1Service>();
    const services = [];
    for (const svc of o.snapshot.services()) {
      if (!handles(svc, o.lbClass)) continue;
      const st = serviceState(svc, byService.get(serviceKey(svc)) ?? []);
      if (st.ips.length === 0) continue;
      svcObjs.set(st.key, svc);
      services.push(st);
    }
    const d = desiredAnnouncements({ services, nodes: o.snapshot.nodes().map(nodeInfo), config, live: o.membership.live(), self: o.node });

    if (o.l2 && !this.leaving) {
      const owned = o.membership.fenced() ? [] : ownedIPs(d, o.node);
      o.l2.setOwned(owned);
      o.membership.ackHandoffs();
    }
    if (o.bgp) {
      const peers = this.leaving ? [] : d.sessionPeers.map((n) => config.peers.get(n)).filter((p): p is BGPPeer => p !== undefined);
      o.bgp.sync(peers, this.leaving ? new Map() : perPeerRoutes(d));
    }
    this.ownerEvents(this.last, d, svcObjs);
    this.last = d;

    if (o.l2Status && !this.leaving) o.l2Status.submit(o.l2 ? desiredL2Statuses(d, o.node, o.l2.interfaces()) : new Map());
    if (o.bgpStatus && !this.leaving) o.bgpStatus.submit(o.bgp ? desiredBgpStatuses(d, o.node) : new Map());
    return done;
  }

  /** Resolves when the status writers have nothing in progress (tests). */
  async statusIdle(): Promise<void> {
    await Promise.all([this.o.l2Status?.idle(), this.o.bgpStatus?.idle()]);
  }

  /**
   * An Event on each Service whose IP changed L2 owner, written once: by the new owner, or by
   * the old one when nobody owns the IP now. Nothing on the first pass (no "before" is known).
   */
  private ownerEvents(prev: Desired | undefined, d: Desired, svcs: ReadonlyMap<string, V1Service>): void {
    if (!prev || !this.o.l2) return;
    const self = this.o.node;
    for (const [k, e] of d.l2) {
      const before = prev.l2.get(k)?.owner;
      if (before === e.owner) continue;
      if (e.owner !== self && !(e.owner === undefined && before === self)) continue;
      for (const key of e.services) {
        const svc = svcs.get(key);
        if (!svc) continue;
        const oldVerdict = before === undefined ? undefined : d.why.get(key)?.get(before)?.l2.find((v) => v.ip.equals(e.ip));
        const msg = ownerChangeMessage(e.ip, e.owner, before, oldVerdict);
        const ref = { apiVersion: 'v1', kind: 'Service', namespace: svc.metadata?.namespace ?? 'default', name: svc.metadata?.name ?? '', uid: svc.metadata?.uid };
        this.o.events.record(ref, e.owner ? 'Normal' : 'Warning', e.owner ? 'AnnouncedFromNode' : 'NotAnnounced', msg);
        this.o.log.info('l2-owner-changed', { service: key, ip: e.ip.toString(), owner: e.owner ?? null, was: before ?? null });
      }
    }
  }

  /** Stops announcing: L2 answers nothing, BGP sessions close, this node's status objects go. */
  async shutdown(): Promise<void> {
    this.o.l2?.setOwned([]);
    this.o.bgp?.stopAll();
    await this.o.l2Status?.finish(new Map());
    await this.o.bgpStatus?.finish(new Map());
  }
}
