// Builders for announce tests: raw Herald objects through the real config parser, nodes,
// services and endpoints as plain values.
import { IP, parseConfig, type Config } from '@herald/shared';
import type { EndpointInfo, NodeInfo } from '../../src/eligibility/index.js';
import type { ServiceState } from '../../src/announce/index.js';

const ns = 'herald-system';

export function obj(kind: string, name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'herald.dev/v1beta1', kind, metadata: { name, namespace: ns }, spec };
}

export const pool = (name = 'prod', addresses = ['192.0.2.0/24', '2001:db8::/120']): Record<string, unknown> => obj('IPAddressPool', name, { addresses });
export const l2ad = (name = 'l2', spec: Record<string, unknown> = {}): Record<string, unknown> => obj('L2Advertisement', name, { ipAddressPools: ['prod'], ...spec });
export const bgpAd = (name = 'bgp', spec: Record<string, unknown> = {}): Record<string, unknown> => obj('BGPAdvertisement', name, { ipAddressPools: ['prod'], ...spec });
export const peer = (name = 'router1', spec: Record<string, unknown> = {}): Record<string, unknown> =>
  obj('BGPPeer', name, { myASN: 64512, peerASN: 64500, peerAddress: '203.0.113.1', ...spec });

export function config(objs: {
  pools?: Record<string, unknown>[];
  l2?: Record<string, unknown>[];
  bgp?: Record<string, unknown>[];
  peers?: Record<string, unknown>[];
  communities?: Record<string, unknown>[];
  bfdProfiles?: Record<string, unknown>[];
}): Config {
  const r = parseConfig({
    namespace: ns,
    ipAddressPools: objs.pools ?? [pool()],
    l2Advertisements: objs.l2 ?? [],
    bgpAdvertisements: objs.bgp ?? [],
    bgpPeers: objs.peers ?? [],
    communities: objs.communities ?? [],
    bfdProfiles: objs.bfdProfiles ?? [],
  });
  if (!r.ok) throw new Error(`test config invalid: ${JSON.stringify(r.errors)}`);
  return r.config;
}

export function node(name: string, labels: Record<string, string> = {}, o: Partial<NodeInfo> = {}): NodeInfo {
  return { name, labels, ready: true, networkUnavailable: false, ...o };
}

export const nodes3 = [node('node1'), node('node2'), node('node3')];

export const ep = (nodeName: string, ready = true): EndpointInfo => ({ nodeName, ready, serving: ready, terminating: false });

export function svc(name: string, ips: string[], o: { local?: boolean; endpoints?: EndpointInfo[]; labels?: Record<string, string>; pool?: string } = {}): ServiceState {
  return {
    key: `default/${name}`,
    info: { namespace: 'default', name, labels: o.labels ?? {}, externalTrafficPolicy: o.local ? 'Local' : 'Cluster', pool: o.pool },
    ips: ips.map((s) => IP.parse(s)),
    endpoints: o.endpoints ?? [ep('node1'), ep('node2'), ep('node3')],
  };
}
