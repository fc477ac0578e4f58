// Conformance: Service realism: clusterIP and nodePort allocation, dual stack, type changes,
// loadBalancerClass rules.
import { strict as assert } from 'node:assert';
import { isIPv4, isIPv6 } from 'node:net';
import { ctx, freshNamespace, raw, needsServer } from './harness.js';

describe('conformance: services', function () {
  let ns = '';
  const path = (name = ''): string => `/api/v1/namespaces/${ns}/services${name ? `/${name}` : ''}`;
  const svc = (name: string, spec: object): object => ({ apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });
  before(async function () {
    await ctx();
    ns = await freshNamespace('svc');
  });

  it('allocates a clusterIP and defaults ipFamilies [IPv4], ipFamilyPolicy SingleStack', async function () {
    const r = await raw('POST', path(), svc('s1', { ports: [{ port: 80 }] }));
    assert.equal(r.status, 201, r.text);
    assert.ok(isIPv4(r.body.spec.clusterIP));
    assert.deepEqual(r.body.spec.clusterIPs, [r.body.spec.clusterIP]);
    assert.deepEqual(r.body.spec.ipFamilies, ['IPv4']);
    assert.equal(r.body.spec.ipFamilyPolicy, 'SingleStack');
    assert.equal(r.body.spec.type, 'ClusterIP');
    assert.equal(r.body.spec.ports[0].protocol, 'TCP');
    assert.equal(r.body.spec.ports[0].targetPort, 80);
  });

  it('rejects a repeated clusterIP with 422, before AlreadyExists', async function () {
    const first = await raw('GET', path('s1'));
    const ip = first.body.spec.clusterIP;
    const r = await raw('POST', path(), svc('s1', { clusterIP: ip, ports: [{ port: 80 }] }));
    assert.equal(r.status, 422);
    assert.equal(r.body.reason, 'Invalid');
    assert.match(r.body.message, /provided IP is already allocated/);
    assert.equal(r.body.details.causes[0].field, 'spec.clusterIPs');
  });

  it('allocates one clusterIP per family for PreferDualStack', async function () {
    const c = await ctx();
    const r = await raw('POST', path(), svc('dual', { ipFamilyPolicy: 'PreferDualStack', ports: [{ port: 80 }] }));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.spec.clusterIPs.length, r.body.spec.ipFamilies.length);
    if (!c.real) {
      assert.deepEqual(r.body.spec.ipFamilies, ['IPv4', 'IPv6']);
      assert.ok(isIPv4(r.body.spec.clusterIPs[0]) && isIPv6(r.body.spec.clusterIPs[1]));
    }
  });

  it('allocates nodePorts in 30000-32767 for NodePort and LoadBalancer', async function () {
    const r = await raw('POST', path(), svc('lb', { type: 'LoadBalancer', ports: [{ port: 80, name: 'a' }, { port: 443, name: 'b' }] }));
    assert.equal(r.status, 201, r.text);
    const nps = r.body.spec.ports.map((p: any) => p.nodePort);
    for (const np of nps) assert.ok(np >= 30000 && np <= 32767, String(np));
    assert.notEqual(nps[0], nps[1]);
    assert.equal(r.body.spec.externalTrafficPolicy, 'Cluster');
    assert.equal(r.body.spec.allocateLoadBalancerNodePorts, true);
  });

  it('allocates no nodePorts for a LoadBalancer with allocateLoadBalancerNodePorts=false', async function () {
    const r = await raw('POST', path(), svc('lbnp', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false, ports: [{ port: 80 }] }));
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.spec.ports[0].nodePort, undefined);
  });

  it('rejects a nodePort that is already allocated with 422', async function () {
    const taken = (await raw('GET', path('lb'))).body.spec.ports[0].nodePort;
    const r = await raw('POST', path(), svc('np2', { type: 'NodePort', ports: [{ port: 80, nodePort: taken }] }));
    assert.equal(r.status, 422);
    assert.equal(r.body.details.causes[0].field, 'spec.ports[0].nodePort');
    assert.match(r.body.message, /provided port is already allocated/);
  });

  it('releases nodePorts when the type changes to ClusterIP, so another Service can take them', async function () {
    const before = await raw('GET', path('lb'));
    const np = before.body.spec.ports[0].nodePort;
    const r = await raw('PATCH', path('lb'), { spec: { type: 'ClusterIP' } }, 'application/merge-patch+json');
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.spec.ports[0].nodePort, undefined);
    assert.equal(r.body.spec.clusterIP, before.body.spec.clusterIP, 'clusterIP kept');
    const again = await raw('POST', path(), svc('np3', { type: 'NodePort', ports: [{ port: 80, nodePort: np }] }));
    assert.equal(again.status, 201, again.text);
  });

  it('allocates a healthCheckNodePort for externalTrafficPolicy Local', async function () {
    const r = await raw('POST', path(), svc('etp', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] }));
    assert.equal(r.status, 201, r.text);
    assert.ok(r.body.spec.healthCheckNodePort >= 30000 && r.body.spec.healthCheckNodePort <= 32767);
  });

  it('rejects loadBalancerClass on a ClusterIP Service and a change of it once set', async function () {
    await needsServer('1.21', this, 'spec.loadBalancerClass');
    const bad = await raw('POST', path(), svc('lbc0', { loadBalancerClass: 'herald.dev/lb', ports: [{ port: 80 }] }));
    assert.equal(bad.status, 422);
    assert.equal(bad.body.details.causes[0].field, 'spec.loadBalancerClass');
    const ok = await raw('POST', path(), svc('lbc', { type: 'LoadBalancer', loadBalancerClass: 'herald.dev/lb', ports: [{ port: 80 }] }));
    assert.equal(ok.status, 201, ok.text);
    const change = await raw('PATCH', path('lbc'), { spec: { loadBalancerClass: 'other.dev/lb' } }, 'application/merge-patch+json');
    assert.equal(change.status, 422);
    assert.match(change.body.message, /may not change once set/);
  });

  it('rejects changing the primary clusterIP with 422', async function () {
    const r = await raw('PATCH', path('s1'), { spec: { clusterIP: '198.51.100.250', clusterIPs: ['198.51.100.250'] } }, 'application/merge-patch+json');
    assert.equal(r.status, 422);
    assert.equal(r.body.reason, 'Invalid');
  });
});
