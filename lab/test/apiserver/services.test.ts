import { strict as assert } from 'node:assert';
import { prepareService, type ServiceNetwork } from '../../src/apiserver/services.js';
import { canonicalV6, formatV6, parseRange } from '../../src/apiserver/ip.js';
import type { JsonObject } from '../../src/apiserver/json.js';
import { ServiceAllocations } from '../../src/apiserver/service-allocations.js';

const net: ServiceNetwork = { v4: parseRange('198.51.100.0/29'), v6: parseRange('2001:db8:ffff::/112'), nodePortMin: 30000, nodePortMax: 30002 };
const svc = (name: string, spec: JsonObject): JsonObject => ({ metadata: { name, namespace: 'a' }, spec });
function ok(r: ReturnType<typeof prepareService>): JsonObject {
  if (r.type !== 'ok') throw new Error(r.errors.map((e) => `${e.field}: ${e.detail}`).join('; '));
  return r.obj['spec'] as JsonObject;
}
function errs(r: ReturnType<typeof prepareService>): string[] {
  return r.type === 'invalid' ? r.errors.map((e) => e.field) : [];
}

describe('apiserver/services: allocation and type rules', function () {
  it('allocates next-fit from a cursor, so thousands of Services in use cost no scan, and wraps to reuse freed addresses', function () {
    const alloc = ServiceAllocations.of([]);
    const ips: string[] = [];
    for (const n of ['a', 'b', 'c']) {
      const s = ok(prepareService(svc(n, { ports: [{ port: 80 }] }), undefined, alloc, net));
      alloc.update(undefined, { spec: s });
      ips.push(typeof s['clusterIP'] === 'string' ? s['clusterIP'] : '');
    }
    assert.deepEqual(ips, ['198.51.100.1', '198.51.100.2', '198.51.100.3']);
    alloc.update({ spec: { clusterIPs: ['198.51.100.1'] } }, undefined);
    const next = ok(prepareService(svc('d', { ports: [{ port: 80 }] }), undefined, alloc, net));
    assert.equal(next['clusterIP'], '198.51.100.4', 'the cursor goes on rather than back to the freed .1');
    for (const ip of ['198.51.100.4', '198.51.100.5', '198.51.100.6']) alloc.update(undefined, { spec: { clusterIPs: [ip] } });
    const wrapped = ok(prepareService(svc('e', { ports: [{ port: 80 }] }), undefined, alloc, net));
    assert.equal(wrapped['clusterIP'], '198.51.100.1', 'past the end it wraps to the freed address');
  });

  it('formats IPv6 allocations in RFC 5952 form without a URL parse', function () {
    const cases: [number[], string][] = [
      [[0x2001, 0xdb8, 0xffff, 0, 0, 0, 0, 1], '2001:db8:ffff::1'],
      [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 0], '2001:db8:0:0:1::'],
      [[0x2001, 0xdb8, 0, 1, 0, 0, 0, 1], '2001:db8:0:1::1'],
      [[1, 0, 1, 0, 1, 0, 1, 0], '1:0:1:0:1:0:1:0'],
      [[0, 0, 0, 0, 0, 0, 0, 0], '::'],
    ];
    for (const [groups, want] of cases) {
      assert.equal(formatV6(groups), want);
      assert.equal(formatV6(groups), canonicalV6(groups.map((g) => g.toString(16)).join(':')), 'same as the URL-based canonical form');
    }
  });

  it('allocates the lowest free v4 address and skips taken ones', function () {
    const other = svc('o', { clusterIPs: ['198.51.100.1'] });
    const s = ok(prepareService(svc('s', { ports: [{ port: 80 }] }), undefined, ServiceAllocations.of([other]), net));
    assert.equal(s['clusterIP'], '198.51.100.2');
  });

  it('reports a full range', function () {
    const others = [1, 2, 3, 4, 5, 6].map((i) => svc(`o${i}`, { clusterIPs: [`198.51.100.${i}`] }));
    assert.deepEqual(errs(prepareService(svc('s', { ports: [{ port: 80 }] }), undefined, ServiceAllocations.of(others), net)), ['spec.clusterIPs']);
  });

  it('rejects an address outside the range', function () {
    const r = prepareService(svc('s', { clusterIP: '192.0.2.1', ports: [{ port: 80 }] }), undefined, ServiceAllocations.of([]), net);
    assert.deepEqual(errs(r), ['spec.clusterIPs']);
  });

  it('allocates v4 and v6 for RequireDualStack, v6 first when asked', function () {
    const s = ok(prepareService(svc('s', { ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6'], ports: [{ port: 80 }] }), undefined, ServiceAllocations.of([]), net));
    assert.deepEqual(s['ipFamilies'], ['IPv6', 'IPv4']);
    assert.deepEqual(s['clusterIPs'], ['2001:db8:ffff::1', '198.51.100.1']);
  });

  it('rejects two families with SingleStack', function () {
    assert.deepEqual(errs(prepareService(svc('s', { ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4', 'IPv6'], ports: [{ port: 80 }] }), undefined, ServiceAllocations.of([]), net)), ['spec.ipFamilyPolicy']);
  });

  it('keeps headless services headless', function () {
    const s = ok(prepareService(svc('s', { clusterIP: 'None' }), undefined, ServiceAllocations.of([]), net));
    assert.deepEqual(s['clusterIPs'], ['None']);
  });

  it('allocates node ports until the range is exhausted', function () {
    const s = ok(prepareService(svc('s', { type: 'NodePort', ports: [{ port: 1 }, { port: 2 }, { port: 3 }] }), undefined, ServiceAllocations.of([]), net));
    assert.deepEqual((s['ports'] as JsonObject[]).map((p) => p['nodePort']), [30000, 30001, 30002]);
    const other = svc('o', s);
    assert.equal(prepareService(svc('t', { type: 'NodePort', ports: [{ port: 1, nodePort: 30001 }] }), undefined, ServiceAllocations.of([other]), net).type, 'invalid');
  });

  it('keeps allocated values on an update that omits them, and releases node ports on a type change', function () {
    const old = ok(prepareService(svc('s', { type: 'LoadBalancer', ports: [{ port: 80 }] }), undefined, ServiceAllocations.of([]), net));
    const kept = ok(prepareService(svc('s', { type: 'LoadBalancer', ports: [{ port: 80 }] }), { spec: old }, ServiceAllocations.of([]), net));
    assert.equal(kept['clusterIP'], old['clusterIP']);
    assert.deepEqual(kept['ports'], old['ports']);
    const asClusterIP = ok(prepareService(svc('s', { ...old, type: 'ClusterIP' }), { spec: old }, ServiceAllocations.of([]), net));
    assert.equal((asClusterIP['ports'] as JsonObject[])[0]?.['nodePort'], undefined);
    assert.equal(asClusterIP['allocateLoadBalancerNodePorts'], undefined);
  });

  it('forbids an explicit nodePort on ClusterIP and loadBalancerClass changes', function () {
    assert.deepEqual(errs(prepareService(svc('s', { ports: [{ port: 80, nodePort: 30000 }] }), undefined, ServiceAllocations.of([]), net)), ['spec.ports[0].nodePort']);
    const old = ok(prepareService(svc('s', { type: 'LoadBalancer', loadBalancerClass: 'a.dev/x', ports: [{ port: 80 }] }), undefined, ServiceAllocations.of([]), net));
    assert.deepEqual(errs(prepareService(svc('s', { ...old, loadBalancerClass: 'b.dev/x' }), { spec: old }, ServiceAllocations.of([]), net)), ['spec.loadBalancerClass']);
  });
});
