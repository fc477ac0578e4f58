// Objects as a real kube-apiserver (1.31) returns them: every defaulted field, managedFields,
// owner references, kubectl's last-applied copy. The trim tests (shared/test/k8s, speaker/ and
// controller/) feed these to the trims (shared/src/k8s/trim.ts) and to the readers.
import type { V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';

const managedFields = [
  { manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'v1', time: new Date('2026-12-01T10:00:00Z'), fieldsType: 'FieldsV1', fieldsV1: { 'f:metadata': { 'f:annotations': {} }, 'f:spec': { 'f:ports': {}, 'f:type': {} } } },
  { manager: 'herald-controller', operation: 'Update', apiVersion: 'v1', time: new Date('2026-12-01T10:00:01Z'), fieldsType: 'FieldsV1', subresource: 'status', fieldsV1: { 'f:status': { 'f:loadBalancer': { 'f:ingress': {} } } } },
];

export function fullService(o: { name?: string; ingress?: { ip?: string; hostname?: string }[]; annotations?: Record<string, string> } = {}): V1Service {
  const name = o.name ?? 'web';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name,
      namespace: 'demo',
      uid: '5f0c1d2e-0000-4000-8000-000000000001',
      resourceVersion: '4711',
      generation: 3,
      creationTimestamp: new Date('2026-12-01T10:00:00Z'),
      labels: { app: name, tier: 'front' },
      annotations: {
        'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"}}',
        'herald.dev/address-pool': 'default',
        'herald.dev/ip-allocated-from-pool': 'default',
        'herald.dev/allow-shared-ip': 'k1',
        ...o.annotations,
      },
      managedFields,
      finalizers: ['service.kubernetes.io/load-balancer-cleanup'],
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: '5f0c1d2e-0000-4000-8000-000000000009' }],
    },
    spec: {
      type: 'LoadBalancer',
      loadBalancerClass: 'herald.dev/lb',
      loadBalancerIP: '192.0.2.10',
      selector: { app: name },
      ports: [
        { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080, nodePort: 31080, appProtocol: 'http' },
        { name: 'dns', protocol: 'UDP', port: 53, targetPort: 5353, nodePort: 31053 },
      ],
      clusterIP: '198.51.100.7',
      clusterIPs: ['198.51.100.7', '2001:db8:1::7'],
      ipFamilies: ['IPv4', 'IPv6'],
      ipFamilyPolicy: 'PreferDualStack',
      externalTrafficPolicy: 'Local',
      internalTrafficPolicy: 'Cluster',
      healthCheckNodePort: 32000,
      sessionAffinity: 'None',
      allocateLoadBalancerNodePorts: true,
      externalIPs: ['203.0.113.50'],
      loadBalancerSourceRanges: ['203.0.113.0/24'],
    },
    status: {
      loadBalancer: { ingress: o.ingress ?? [{ ip: '192.0.2.10', ipMode: 'VIP', ports: [{ port: 80, protocol: 'TCP' }] }, { ip: '2001:db8:5::10' }, { hostname: 'lb.example' }] },
      conditions: [{ type: 'herald.dev/IPAllocated', status: 'True', reason: 'Allocated', message: 'from pool default', lastTransitionTime: new Date('2026-12-01T10:00:01Z') }, { type: 'other.example/Ready', status: 'False', reason: 'Waiting', message: 'another controller', lastTransitionTime: new Date('2026-12-01T10:00:02Z') }],
    },
  };
}

export function fullSlice(o: { name?: string; service?: string | undefined; endpoints?: V1EndpointSlice['endpoints'] } = {}): V1EndpointSlice {
  const service = 'service' in o ? o.service : 'web';
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    addressType: 'IPv4',
    metadata: {
      name: o.name ?? 'web-abcde',
      namespace: 'demo',
      uid: '5f0c1d2e-0000-4000-8000-000000000002',
      resourceVersion: '4712',
      generation: 1,
      generateName: 'web-',
      labels: { ...(service !== undefined ? { 'kubernetes.io/service-name': service } : {}), 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2026-12-01T10:00:00Z' },
      managedFields,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: service ?? 'x', uid: '5f0c1d2e-0000-4000-8000-000000000001', controller: true, blockOwnerDeletion: true }],
    },
    ports: [{ name: 'http', protocol: 'TCP', port: 8080 }],
    endpoints: o.endpoints ?? [
      { addresses: ['198.51.100.21'], nodeName: 'node1', zone: 'a', hostname: 'web-0', conditions: { ready: true, serving: true, terminating: false }, targetRef: { kind: 'Pod', namespace: 'demo', name: 'web-0', uid: 'p0' }, hints: { forZones: [{ name: 'a' }] } },
      { addresses: ['198.51.100.22'], nodeName: 'node2', zone: 'b', conditions: { ready: false, serving: true, terminating: true }, targetRef: { kind: 'Pod', namespace: 'demo', name: 'web-1', uid: 'p1' } },
      { addresses: ['198.51.100.23'], conditions: {} },
    ],
  };
}

export function fullNode(name = 'node1'): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: 'n-1', resourceVersion: '99', labels: { 'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': 'a' }, annotations: { 'node.alpha.kubernetes.io/ttl': '0' }, managedFields },
    spec: { podCIDR: '198.51.100.0/26', podCIDRs: ['198.51.100.0/26'], taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] },
    status: {
      addresses: [{ type: 'InternalIP', address: '192.0.2.1' }, { type: 'InternalIP', address: '2001:db8::1' }, { type: 'Hostname', address: name }],
      conditions: [{ type: 'Ready', status: 'True' }, { type: 'NetworkUnavailable', status: 'False' }],
      images: [{ names: ['registry.example/app@sha256:0123', 'registry.example/app:1.0'], sizeBytes: 123456789 }],
      volumesInUse: ['kubernetes.io/csi/x'],
      volumesAttached: [{ name: 'kubernetes.io/csi/x', devicePath: '' }],
      nodeInfo: { architecture: 'amd64', bootID: 'b', containerRuntimeVersion: 'containerd://2.0', kernelVersion: '6.1', kubeProxyVersion: 'v1.31.0', kubeletVersion: 'v1.31.0', machineID: 'm', operatingSystem: 'linux', osImage: 'Debian', systemUUID: 'u' },
    },
  };
}
