import assert from 'node:assert/strict';
import type { V1Service } from '@kubernetes/client-node';
import { isOurs } from '../../src/allocator/ownership.js';
import { serviceClass, serviceInput, statusIPs } from '../../src/service/service-input.js';

function svc(over: { annotations?: Record<string, string>; spec?: V1Service['spec'] } = {}): V1Service {
  return {
    metadata: { name: 'web', namespace: 'demo', labels: { app: 'web' }, annotations: over.annotations ?? {} },
    spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP' }], ...over.spec },
  };
}

describe('serviceInput', () => {
  const ok: { desc: string; input: V1Service; want: Record<string, unknown> }[] = [
    { desc: 'plain service', input: svc(), want: { key: 'demo/web', requestedIPs: [], requestedPool: undefined, sharingKey: undefined, ipFamilyPolicy: 'SingleStack' } },
    {
      desc: 'herald.dev annotations',
      input: svc({ annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.10, 2001:db8::10', 'herald.dev/address-pool': 'prod', 'herald.dev/allow-shared-ip': 'k' } }),
      want: { requestedIPs: ['192.0.2.10', '2001:db8::10'], requestedPool: 'prod', sharingKey: 'k' },
    },
    {
      desc: 'metallb.io twins are honoured',
      input: svc({ annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.11', 'metallb.io/address-pool': 'legacy', 'metallb.io/allow-shared-ip': 'x' } }),
      want: { requestedIPs: ['192.0.2.11'], requestedPool: 'legacy', sharingKey: 'x' },
    },
    { desc: 'spec.loadBalancerIP', input: svc({ spec: { type: 'LoadBalancer', loadBalancerIP: '192.0.2.12' } }), want: { requestedIPs: ['192.0.2.12'] } },
    {
      desc: 'dual stack fields',
      input: svc({ spec: { type: 'LoadBalancer', ipFamilyPolicy: 'RequireDualStack', ipFamilies: ['IPv6', 'IPv4'], externalTrafficPolicy: 'Local' } }),
      want: { ipFamilyPolicy: 'RequireDualStack', ipFamilies: [6, 4], externalTrafficPolicy: 'Local' },
    },
  ];
  for (const c of ok) {
    it(c.desc, () => {
      const r = serviceInput(c.input, { team: 'a' });
      assert.ok(r.ok, JSON.stringify(r));
      const got: Record<string, unknown> = { ...r.service, requestedIPs: r.service.requestedIPs.map(String) };
      for (const [k, v] of Object.entries(c.want)) assert.deepEqual(got[k], v, k);
      assert.deepEqual(r.service.namespaceLabels, { team: 'a' });
    });
  }

  const bad: { desc: string; input: V1Service; want: { field: string; message: string }[] }[] = [
    {
      desc: 'not an IP',
      input: svc({ annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.300' } }),
      want: [{ field: 'metadata.annotations[herald.dev/loadBalancerIPs]', message: 'item 0: "192.0.2.300" is not an IP address' }],
    },
    {
      desc: 'two IPv4 addresses',
      input: svc({ annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.1,192.0.2.2' } }),
      want: [{ field: 'metadata.annotations[metallb.io/loadBalancerIPs]', message: 'at most one IPv4 and one IPv6 address may be requested' }],
    },
    {
      desc: 'twins disagree',
      input: svc({ annotations: { 'herald.dev/address-pool': 'a', 'metallb.io/address-pool': 'b' } }),
      want: [{ field: 'metadata.annotations[herald.dev/address-pool]', message: 'annotations herald.dev/address-pool="a" and metallb.io/address-pool="b" disagree' }],
    },
    {
      desc: 'loadBalancerIP contradicts the annotation',
      input: svc({ annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.1' }, spec: { type: 'LoadBalancer', loadBalancerIP: '192.0.2.2' } }),
      want: [{ field: 'spec.loadBalancerIP', message: 'conflicts with herald.dev/loadBalancerIPs' }],
    },
    {
      desc: 'bad spec.loadBalancerIP',
      input: svc({ spec: { type: 'LoadBalancer', loadBalancerIP: 'nope' } }),
      want: [{ field: 'spec.loadBalancerIP', message: '"nope" is not an IP address' }],
    },
  ];
  for (const c of bad) {
    it(`rejects: ${c.desc}`, () => {
      const r = serviceInput(c.input, {});
      assert.ok(!r.ok);
      assert.deepEqual(r.problems, c.want);
    });
  }
});

describe('isOurs(serviceClass(svc))', () => {
  const cases: { desc: string; spec: V1Service['spec']; lbClass?: string; want: boolean }[] = [
    { desc: 'LoadBalancer, no class, default controller', spec: { type: 'LoadBalancer' }, want: true },
    { desc: 'ClusterIP', spec: { type: 'ClusterIP' }, want: false },
    { desc: 'another class', spec: { type: 'LoadBalancer', loadBalancerClass: 'other.io/lb' }, want: false },
    { desc: 'our class with --lb-class', spec: { type: 'LoadBalancer', loadBalancerClass: 'herald.dev/lb' }, lbClass: 'herald.dev/lb', want: true },
    { desc: 'no class with --lb-class', spec: { type: 'LoadBalancer' }, lbClass: 'herald.dev/lb', want: false },
  ];
  for (const c of cases) it(c.desc, () => assert.equal(isOurs(serviceClass({ spec: c.spec }), c.lbClass), c.want));
});

describe('statusIPs', () => {
  it('parses ingress IPs and reports garbage', () => {
    const r = statusIPs({ status: { loadBalancer: { ingress: [{ ip: '192.0.2.1' }, { hostname: 'x' }, { ip: 'junk' }] } } });
    assert.deepEqual(r.ips.map(String), ['192.0.2.1']);
    assert.deepEqual(r.bad, ['junk']);
  });
});
