// `kubectl herald status`, pure: a Snapshot in, the rows out. Pools are sized by the controller's
// allocator after re-learning every allocation; a Service's mode comes from the advertisements
// that cover it (the speaker's coveringAdvertisements); owners and announcers are what the
// speakers report (ServiceL2Status, ServiceBGPStatus); sessions are BGPSessionState; config
// validity is each component's ConfigurationState, plus the config as the objects make it now.
import { CONDITION_TYPE } from '@herald/controller/service-status';
import { ingressIPs, poolOf, serviceState } from '@herald/speaker/announce';
import { coveringAdvertisements } from '@herald/speaker/eligibility';
import { formatConfigError } from '@herald/shared/config';
import { age, configOf, handledServices, keyOf, relearn, speakerLiveness } from '../cluster/derive.js';
import type { Snapshot } from '../cluster/snapshot.js';

export interface PoolRow {
  readonly name: string;
  readonly autoAssign: boolean;
  readonly ipv4: { readonly size: string; readonly used: string; readonly free: string } | undefined;
  readonly ipv6: { readonly size: string; readonly used: string; readonly free: string } | undefined;
}

export interface ServiceRow {
  readonly namespace: string;
  readonly name: string;
  readonly ips: readonly string[];
  /** "l2", "bgp", "l2+bgp", or "none" (no advertisement covers its pool). */
  readonly mode: string;
  readonly pool: string | undefined;
  /** L2: the node the speakers report as announcing (ServiceL2Status). */
  readonly owner: string | undefined;
  readonly interfaces: readonly string[];
  /** BGP: the nodes advertising it (ServiceBGPStatus), with their peers. */
  readonly announcers: readonly { readonly node: string; readonly peers: readonly string[] }[];
  /** Why it has no IP (the controller's condition), when pending. */
  readonly pending: string | undefined;
}

export interface SessionRow {
  readonly node: string;
  readonly peer: string;
  readonly peerAddress: string;
  readonly state: string;
  readonly uptime: string | undefined;
  readonly prefixesSent: number | undefined;
  readonly prefixesReceived: number | undefined;
  readonly lastError: string | undefined;
}

export interface ComponentRow {
  readonly component: string;
  readonly node: string | undefined;
  readonly result: string;
  readonly errors: readonly string[];
  /** For speakers: their Lease as the CLI judges it now. */
  readonly speaker: string | undefined;
}

export interface StatusView {
  readonly namespace: string;
  readonly pools: readonly PoolRow[];
  readonly services: readonly ServiceRow[];
  readonly sessions: readonly SessionRow[];
  readonly components: readonly ComponentRow[];
  /** The config as the objects make it now (what the components load next). */
  readonly config: { readonly valid: boolean; readonly errors: readonly string[] };
}

export interface StatusOptions {
  /** Only Services of this namespace (undefined: all). */
  readonly serviceNamespace?: string | undefined;
}

const fam = (size: bigint, used: bigint, free: bigint): PoolRow['ipv4'] => (size === 0n ? undefined : { size: size.toString(), used: used.toString(), free: free.toString() });

export function statusView(s: Snapshot, o: StatusOptions = {}): StatusView {
  const cv = configOf(s);
  const alloc = relearn(s, cv.pools);
  const pools: PoolRow[] = [...cv.pools.values()].map((p) => {
    const st = alloc.poolStats(p.name);
    const a4 = st?.assignedIPv4 ?? 0n;
    const f4 = st?.availableIPv4 ?? 0n;
    const a6 = st?.assignedIPv6 ?? 0n;
    const f6 = st?.availableIPv6 ?? 0n;
    return { name: p.name, autoAssign: p.autoAssign, ipv4: fam(a4 + f4, a4, f4), ipv6: fam(a6 + f6, a6, f6) };
  });

  const services: ServiceRow[] = [];
  for (const svc of handledServices(s)) {
    const ns = svc.metadata?.namespace ?? 'default';
    if (o.serviceNamespace !== undefined && ns !== o.serviceNamespace) continue;
    const name = svc.metadata?.name ?? '';
    const ips = ingressIPs(svc);
    const st = serviceState(svc, []);
    const pool = ips[0] ? poolOf(ips[0], cv.config ?? { pools: cv.pools, l2Advertisements: [], bgpAdvertisements: [], peers: new Map(), bfdProfiles: new Map() }, st.info.pool) : st.info.pool;
    const info = { ...st.info, pool };
    const l2 = cv.config ? coveringAdvertisements(info, cv.config.l2Advertisements).length > 0 : false;
    const bgp = cv.config ? coveringAdvertisements(info, cv.config.bgpAdvertisements).length > 0 : false;
    const mine = (x: { status?: { serviceName?: string; serviceNamespace?: string } }): boolean => x.status?.serviceName === name && x.status.serviceNamespace === ns;
    const l2s = s.l2Statuses.filter(mine).sort((a, b) => String(a.status?.node).localeCompare(String(b.status?.node)));
    const bgps = s.bgpStatuses.filter(mine).sort((a, b) => String(a.status?.node).localeCompare(String(b.status?.node)));
    const cond = svc.status?.conditions?.find((c) => c.type === CONDITION_TYPE);
    services.push({
      namespace: ns,
      name,
      ips: ips.map(String),
      mode: l2 && bgp ? 'l2+bgp' : l2 ? 'l2' : bgp ? 'bgp' : 'none',
      pool,
      owner: l2s.map((x) => x.status?.node ?? '').join(',') || undefined,
      interfaces: l2s.flatMap((x) => (x.status?.interfaces ?? []).map((i) => i.name)),
      announcers: bgps.map((x) => ({ node: x.status?.node ?? '', peers: x.status?.peers ?? [] })),
      pending: ips.length === 0 ? (cond?.status === 'False' ? cond.message : undefined) ?? 'no IP yet' : undefined,
    });
  }

  const sessions: SessionRow[] = [...s.sessions]
    .map((x) => {
      const st = x.status ?? {};
      const up = st.state === 'Established' && st.establishedAt ? age(s.now - Date.parse(String(st.establishedAt))) : undefined;
      return {
        node: st.node ?? '',
        peer: st.peer ?? '',
        peerAddress: st.peerAddress ?? '',
        state: st.state ?? 'Unknown',
        uptime: up,
        prefixesSent: st.prefixesSent,
        prefixesReceived: st.prefixesReceived,
        lastError: st.lastError,
      };
    })
    .sort((a, b) => a.node.localeCompare(b.node) || a.peer.localeCompare(b.peer));

  const components: ComponentRow[] = [...s.configurationStates]
    .map((x) => {
      const st = x.status ?? {};
      const component = st.component ?? x.metadata.name ?? '';
      const node = st.node;
      let speaker: string | undefined;
      if (component === 'speaker' && node) {
        const l = speakerLiveness(s, node);
        speaker = l.type === 'live' ? `live (Lease renewed ${age(l.renewedAgoMs)} ago)` : l.type === 'expired' ? `not live (Lease ${l.lease} expired, renewed ${age(l.renewedAgoMs)} ago)` : `not live (no Lease ${l.lease})`;
      }
      return { component, node, result: st.result ?? 'Unknown', errors: (st.errorSummary ?? '').split('\n').filter((l) => l !== ''), speaker };
    })
    .sort((a, b) => a.component.localeCompare(b.component) || (a.node ?? '').localeCompare(b.node ?? ''));

  return {
    namespace: s.namespace,
    pools,
    services,
    sessions,
    components,
    config: { valid: cv.config !== undefined, errors: cv.errors.map(formatConfigError) },
  };
}

export { keyOf };
