// What the router's own CLI says about graceful restart with a node: the capability it received
// from us (restart time, Restart State bit, families with the Forwarding State bit) and, while the
// node is restarting, whether it keeps the node's routes as stale. FRR: `show bgp neighbors ADDR
// json` and `show bgp ipv4 unicast P json`; BIRD: `show protocols all NAME`.
import { BirdRouter, FrrRouter, type RouterDriver } from '@herald/lab';

export interface RouterGrView {
  /** The restart time the router received from us, s. */
  readonly receivedRestartTimeS: number | undefined;
  /** The Restart State bit of our last OPEN (FRR shows it; BIRD: "Restart recovery"). */
  readonly rBit: boolean | undefined;
  /** Families (ipv4, ipv6) for which our last OPEN set the Forwarding State bit. */
  readonly preserved: readonly string[];
  /** The router is helping us restart now (keeps our routes as stale). */
  readonly helping: boolean;
  /** FRR only: families whose End-of-RIB it received from us in this session. */
  readonly endOfRibReceived?: readonly string[];
}

interface FrrNeighbor {
  gracefulRestartInfo?: { remoteGrMode?: string; rBit?: boolean; timers?: { receivedRestartTimer?: number }; endOfRibRecv?: Record<string, boolean> };
  /** FRR lists only the families the session has configured (the lab: IPv4). */
  neighborCapabilities?: { addressFamiliesByPeer?: Record<string, { preserved?: boolean }> };
}

const FRR_FAMILY: Record<string, string> = { ipv4Unicast: 'ipv4', ipv6Unicast: 'ipv6' };

export function parseFrrGr(json: string): RouterGrView {
  const n = Object.values(JSON.parse(json) as Record<string, FrrNeighbor>)[0];
  const g = n?.gracefulRestartInfo;
  const preserved = Object.entries(n?.neighborCapabilities?.addressFamiliesByPeer ?? {}).flatMap(([k, v]) => (v.preserved === true ? [FRR_FAMILY[k] ?? k] : []));
  const endOfRibReceived = Object.entries(g?.endOfRibRecv ?? {}).flatMap(([k, v]) => (v ? [FRR_FAMILY[k] ?? k] : []));
  return {
    receivedRestartTimeS: g?.timers?.receivedRestartTimer,
    rBit: g?.rBit,
    preserved: preserved.sort(),
    // While it helps, FRR runs a restart timer for the neighbour and no longer sees it in Restart mode.
    helping: /"gracefulRestartTimerMsecs"/.test(json) && g?.remoteGrMode !== 'Restart',
    endOfRibReceived: endOfRibReceived.sort(),
  };
}

export function parseBirdGr(text: string): RouterGrView {
  const nb = text.split('Neighbor capabilities')[1]?.split(/\n\s{4}Session:/)[0] ?? '';
  const gr = nb.split('Graceful restart')[1]?.split(/\n\s{6}\S/)[0] ?? '';
  const time = /Restart time:\s+(\d+)/.exec(gr)?.[1];
  return {
    receivedRestartTimeS: time === undefined ? undefined : Number(time),
    rBit: gr ? /Restart recovery/.test(gr) : undefined,
    preserved: (/AF preserved:\s+(.+)/.exec(gr)?.[1] ?? '').trim().split(/\s+/).filter(Boolean),
    helping: /Neighbor graceful restart active/.test(text),
  };
}

export async function routerGr(r: RouterDriver, node: { name: string; ip4: string }): Promise<RouterGrView> {
  if (r instanceof FrrRouter) return parseFrrGr(await r.vtysh(`show bgp neighbors ${node.ip4} json`));
  if (r instanceof BirdRouter) return parseBirdGr(await r.birdc(`show protocols all ${node.name}`));
  throw new Error(`no graceful-restart reader for router ${r.kind}`);
}

/** FRR only: is the router's path for the prefix from that neighbour marked stale? */
export async function frrPathStale(r: FrrRouter, prefix: string): Promise<boolean> {
  return /"stale":true/.test(await r.vtysh(`show bgp ipv4 unicast ${prefix} json`));
}
