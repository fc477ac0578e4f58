// The speaker half of explain: the speakers' own desiredAnnouncements, fed with what the API
// holds (every Service Herald handles with its EndpointSlices, every Node, the config) and the
// live set as the speaker Leases show it. L2: the owner of each IP and every other node's
// verdict; BGP: per node (each as `self`, as its own speaker computes it) the routes with their
// attributes per peer, or why not. What the speakers report (ServiceL2Status, ServiceBGPStatus,
// BGPSessionState) is set beside it, so a disagreement shows.
import { formatCommunity, type Config } from '@herald/shared/config';
import { describeBgp, describeL2, desiredAnnouncements, nodeInfo, serviceState, SERVICE_NAME_LABEL, type L2Verdict, type ServiceState } from '@herald/speaker/announce';
import { attributesFor } from '@herald/speaker/rib-out';
import type { V1Service } from '@kubernetes/client-node';
import { age, handledServices, keyOf, speakerLiveness } from '../cluster/derive.js';
import type { Snapshot } from '../cluster/snapshot.js';

export interface NodeLiveness {
  readonly node: string;
  readonly live: boolean;
  /** Where it came from: the speaker Lease, judged at the snapshot's time. */
  readonly source: string;
}

export interface L2Explained {
  readonly ip: string;
  /** The owner the speakers' election picks from these inputs. */
  readonly owner: string | undefined;
  readonly interfaces: readonly string[];
  /** What the speakers report (ServiceL2Status), for comparison. */
  readonly reportedOwners: readonly string[];
  readonly nodes: readonly { readonly node: string; readonly verdict: L2Verdict['type']; readonly text: string }[];
}

export interface BgpRoute {
  readonly peer: string;
  readonly prefix: string;
  /** The path attributes as the speaker's Adj-RIB-Out puts them on the wire to this peer (attributesFor). */
  readonly asPath: readonly number[];
  /** Sent on iBGP sessions only. */
  readonly localPref: number | undefined;
  readonly communities: readonly string[];
  /** Weighted ECMP (weightByLocalEndpoints): the ready local endpoints sent, and the Link Bandwidth carrying them. */
  readonly linkBandwidth?: { readonly endpoints: number; readonly asn: number; readonly bytesPerSecond: number };
  /** The session's state from BGPSessionState (the route reaches the router only when Established). */
  readonly session: string;
}

export interface BgpExplained {
  readonly ip: string;
  readonly nodes: readonly {
    readonly node: string;
    /** The speaker's verdict: this node advertises the IP (to `routes`' peers). */
    readonly advertised: boolean;
    /**
     * Advertised, its speaker live and at least one of those sessions Established: the router has
     * the route from this node. A speaker that is not live has lost its sessions, whatever its
     * last BGPSessionState says.
     */
    readonly carried: boolean;
    readonly text: string;
    readonly routes: readonly BgpRoute[];
  }[];
  /** Nodes that report advertising it (ServiceBGPStatus), for comparison. */
  readonly reportedAnnouncers: readonly string[];
}

export interface AnnounceExplained {
  readonly liveness: readonly NodeLiveness[];
  readonly l2: readonly L2Explained[];
  readonly bgp: readonly BgpExplained[];
}

function states(s: Snapshot, handled: readonly V1Service[]): ServiceState[] {
  const byService = new Map<string, Snapshot['endpointSlices'][number][]>();
  for (const sl of s.endpointSlices) {
    const name = sl.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!name) continue;
    const k = `${sl.metadata?.namespace ?? 'default'}/${name}`;
    (byService.get(k) ?? byService.set(k, []).get(k))?.push(sl);
  }
  return handled.map((svc) => serviceState(svc, byService.get(keyOf(svc)) ?? []));
}

export function explainAnnouncements(s: Snapshot, svc: V1Service, config: Config): AnnounceExplained {
  const key = keyOf(svc);
  const nodes = s.nodes.map(nodeInfo).sort((a, b) => a.name.localeCompare(b.name));
  const liveness: NodeLiveness[] = nodes.map((n) => {
    const l = speakerLiveness(s, n.name);
    const source =
      l.type === 'live'
        ? `Lease ${l.lease} renewed ${age(l.renewedAgoMs)} ago`
        : l.type === 'expired'
          ? `Lease ${l.lease} expired (renewed ${age(l.renewedAgoMs)} ago)`
          : `no Lease ${l.lease}`;
    return { node: n.name, live: l.type === 'live', source };
  });
  const live = new Set(liveness.filter((l) => l.live).map((l) => l.node));
  const services = states(s, handledServices(s));
  const mine = services.find((x) => x.key === key);
  if (!mine) return { liveness, l2: [], bgp: [] };

  // One computation per node as `self`: L2 owners are the same from every node; BGP routes are each node's own.
  const perNode = new Map(nodes.map((n) => [n.name, desiredAnnouncements({ services, nodes, config, live, self: n.name })]));
  const any = perNode.values().next().value;
  const why = any?.why.get(key);
  const [ns, name] = [svc.metadata?.namespace ?? 'default', svc.metadata?.name ?? ''];
  const reports = <T extends { status?: { serviceName?: string; serviceNamespace?: string; node?: string } }>(xs: readonly T[]): string[] =>
    xs.filter((x) => x.status?.serviceName === name && x.status.serviceNamespace === ns).map((x) => x.status?.node ?? '').sort();

  const l2: L2Explained[] = [];
  const bgp: BgpExplained[] = [];
  for (const ip of mine.ips) {
    const d = any?.l2.get(ip.key);
    const verdicts = nodes.map((n) => ({ node: n.name, v: why?.get(n.name)?.l2.find((x) => x.ip.equals(ip)) })).filter((x) => x.v !== undefined);
    if (d || verdicts.length > 0) {
      l2.push({
        ip: ip.toString(),
        owner: d?.owner,
        interfaces: d?.interfaces ?? [],
        reportedOwners: reports(s.l2Statuses),
        nodes: verdicts.map((x) => ({ node: x.node, verdict: x.v!.type, text: describeL2(x.node, x.v!) })),
      });
    }
    const bnodes: BgpExplained['nodes'][number][] = [];
    for (const n of nodes) {
      const v = why?.get(n.name)?.bgp.find((x) => x.ip.equals(ip));
      if (!v) continue;
      const routes: BgpRoute[] = [];
      if (v.type === 'advertised') {
        for (const [, r] of perNode.get(n.name)?.bgp ?? []) {
          if (!r.services.includes(key) || !v.prefixes.some((p) => p.toString() === r.prefix.toString())) continue;
          for (const [peer, a] of [...r.peers].sort((x, y) => x[0].localeCompare(y[0]))) {
            const st = s.sessions.find((x) => x.status?.node === n.name && x.status.peer === peer)?.status;
            const p = config.peers.get(peer);
            const attrs = p ? attributesFor(a, { localAS: p.myASN, ibgp: p.isIBGP, codec: { fourOctetAs: true }, families: [], nextHops: {} }) : undefined;
            routes.push({
              peer,
              prefix: r.prefix.toString(),
              asPath: (attrs?.asPath ?? []).flatMap((seg) => seg.asns),
              localPref: attrs?.localPref,
              communities: [...(attrs?.communities ?? []), ...(attrs?.largeCommunities ?? [])].map(formatCommunity),
              ...linkBandwidthOf(a.weight, attrs?.extendedCommunities),
              session: st ? `${st.state ?? 'Unknown'}${st.state !== 'Established' && st.lastError ? `: ${st.lastError}` : ''}` : 'no BGPSessionState',
            });
          }
        }
      }
      const speakerLive = live.has(n.name);
      const up = routes.some((r) => r.session === 'Established');
      const text = describeBgp(n.name, v) + (v.type !== 'advertised' ? '' : !speakerLive ? `; but its speaker is not live, so its sessions are gone` : !up ? '; but no session to those peers is Established' : '');
      bnodes.push({ node: n.name, advertised: v.type === 'advertised', carried: v.type === 'advertised' && speakerLive && up, text, routes });
    }
    if (bnodes.length > 0) bgp.push({ ip: ip.toString(), nodes: bnodes, reportedAnnouncers: reports(s.bgpStatuses) });
  }
  return { liveness, l2, bgp };
}

function linkBandwidthOf(weight: number | undefined, ecs: ReturnType<typeof attributesFor>['extendedCommunities']): Pick<BgpRoute, 'linkBandwidth'> {
  const lb = ecs?.find((c) => c.type === 'link-bandwidth');
  return weight !== undefined && lb?.type === 'link-bandwidth' ? { linkBandwidth: { endpoints: weight, asn: lb.asn, bytesPerSecond: lb.bandwidth } } : {};
}
