// The Kubernetes objects a fresh lab starts with: Nodes, Herald's namespace and config, the
// sample Services and the EndpointSlices that say where their backends run. Pure.
import { routerBgpAddresses, type SitePlan } from './plan.js';

export type KubeObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> } } & Record<string, unknown>;

export const SERVICE_NAMESPACE = 'demo';

export function labObjects(p: SitePlan, heartbeatKey: string): KubeObject[] {
  const ns = p.namespace;
  const objs: KubeObject[] = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: SERVICE_NAMESPACE } },
  ];
  for (const n of p.nodes) {
    objs.push({
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': `zone-${n.name}` } },
      spec: {},
      status: {
        addresses: [
          { type: 'InternalIP', address: n.ip4 },
          { type: 'InternalIP', address: n.ip6 },
          { type: 'Hostname', address: n.name },
        ],
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'lab node', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }],
      },
    });
  }
  objs.push(
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'herald-speaker-heartbeat', namespace: ns }, type: 'Opaque', data: { key: Buffer.from(heartbeatKey).toString('base64') } },
    { apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name: 'lab-l2', namespace: ns }, spec: { addresses: [...p.l2Pool], autoAssign: false } },
    { apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name: 'lab-bgp', namespace: ns }, spec: { addresses: [...p.bgpPool] } },
    { apiVersion: 'herald.dev/v1beta1', kind: 'L2Advertisement', metadata: { name: 'lab-l2', namespace: ns }, spec: { ipAddressPools: ['lab-l2'], interfaces: ['eth0'] } },
    ...routerBgpAddresses(p).map((peerAddress, i) => ({
      apiVersion: 'herald.dev/v1beta1',
      kind: 'BGPPeer',
      metadata: { name: i === 0 ? 'router' : `router-${i + 1}`, namespace: ns },
      spec: { myASN: p.nodeAsn, peerASN: p.router.asn, peerAddress, holdTime: '9s', keepaliveTime: '3s', connectTime: '1s', ...(p.bfd ? { bfdProfile: 'lab-bfd' } : {}), ...(p.gracefulRestart ? { enableGracefulRestart: true } : {}) },
    })),
    ...(p.bfd
      ? [
          {
            apiVersion: 'herald.dev/v1beta1',
            kind: 'BFDProfile',
            metadata: { name: 'lab-bfd', namespace: ns },
            spec: { receiveInterval: p.bfd.intervalMs, transmitInterval: p.bfd.intervalMs, detectMultiplier: p.bfd.multiplier },
          },
        ]
      : []),
    { apiVersion: 'herald.dev/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'lab-bgp', namespace: ns }, spec: { ipAddressPools: ['lab-bgp'], communities: ['64512:100'], ...(p.weightedEcmp ? { weightByLocalEndpoints: true } : {}) } },
  );
  for (const s of p.services) {
    objs.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: s.name, namespace: SERVICE_NAMESPACE, annotations: { 'herald.dev/address-pool': s.mode === 'l2' ? 'lab-l2' : 'lab-bgp' } },
      spec: {
        type: 'LoadBalancer',
        selector: { app: s.name },
        externalTrafficPolicy: s.externalTrafficPolicy,
        ports: [{ name: 'http', protocol: 'TCP', port: s.port, targetPort: s.targetPort }],
      },
    });
    objs.push(endpointSlice(p, s.name, s.targetPort, s.backendNodes));
  }
  return objs;
}

export function endpointSlice(p: SitePlan, service: string, port: number, nodes: readonly string[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-lab`, namespace: SERVICE_NAMESPACE, labels: { 'kubernetes.io/service-name': service, 'endpointslice.kubernetes.io/managed-by': 'herald-lab' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', protocol: 'TCP', port }],
    // A node named twice gets two endpoints (two pods there, as weighted ECMP counts them); the
    // lab has one backend process per node, so both carry the node's address.
    endpoints: nodes.map((name, i) => {
      const n = p.nodes.find((x) => x.name === name);
      if (!n) throw new Error(`no node ${name} in the lab`);
      const pod = nodes.indexOf(name) === i ? `${service}-${name}` : `${service}-${name}-${i}`;
      return { addresses: [n.ip4], nodeName: name, conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', namespace: SERVICE_NAMESPACE, name: pod } };
    }),
  };
}
