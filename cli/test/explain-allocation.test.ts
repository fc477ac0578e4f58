// explain's allocation half, table-driven over in-memory snapshots: the decision is the
// allocator's, and each other pool gets the reason the issue lists (selector, autoAssign false,
// family, exhausted, priority), or the request or holding that overrides it.
import assert from 'node:assert/strict';
import type { V1Service } from '@kubernetes/client-node';
import { explainAllocation, type PoolWhyNot } from '../src/explain/allocation.js';
import { configOf } from '../src/cluster/derive.js';
import type { Snapshot } from '../src/cluster/snapshot.js';

function pool(name: string, addresses: string[], extra: Record<string, unknown> = {}): unknown {
  return { apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace: 'herald-system' }, spec: { addresses, ...extra } };
}

function svc(ns: string, name: string, o: { ip?: string; annotations?: Record<string, string>; families?: string[]; created?: string } = {}): V1Service {
  return {
    metadata: { name, namespace: ns, annotations: o.annotations ?? {}, creationTimestamp: new Date(o.created ?? '2026-12-01T00:00:00Z') },
    spec: { type: 'LoadBalancer', ports: [{ port: 80, protocol: 'TCP' }], ...(o.families ? { ipFamilies: o.families, ipFamilyPolicy: 'SingleStack' } : {}) },
    ...(o.ip ? { status: { loadBalancer: { ingress: [{ ip: o.ip }] } } } : {}),
  };
}

function snapshot(pools: unknown[], services: V1Service[]): Snapshot {
  return {
    namespace: 'herald-system',
    now: 0,
    config: { IPAddressPool: pools, L2Advertisement: [], BGPAdvertisement: [], BGPPeer: [], BFDProfile: [], Community: [] },
    secrets: undefined,
    services,
    endpointSlices: [],
    nodes: [],
    namespaces: [],
    leases: [],
    l2Statuses: [],
    bgpStatuses: [],
    sessions: [],
    configurationStates: [],
    events: [],
  };
}

type Want = Record<string, PoolWhyNot['type']>;
const cases: { desc: string; pools: unknown[]; others?: V1Service[]; target: V1Service; decision: string; want: Want }[] = [
  {
    desc: 'autoAssign false, and a pool pinned to another namespace',
    pools: [pool('a-manual', ['192.0.2.0/30'], { autoAssign: false }), pool('b-shop', ['192.0.2.8/30'], { serviceAllocation: { namespaces: ['shop'] } }), pool('c-open', ['192.0.2.16/30'])],
    target: svc('demo', 'web'),
    decision: 'would get 192.0.2.16 from c-open',
    want: { 'a-manual': 'auto-assign-off', 'b-shop': 'selector', 'c-open': 'chosen' },
  },
  {
    desc: 'family: an IPv6-only Service and an IPv4-only pool',
    pools: [pool('v4', ['192.0.2.0/30']), pool('v6', ['2001:db8::/126'])],
    target: svc('demo', 'six', { families: ['IPv6'] }),
    decision: 'would get 2001:db8:: from v6',
    want: { v4: 'family', v6: 'chosen' },
  },
  {
    desc: 'exhausted: the first pool by name is full, the next serves',
    pools: [pool('a-small', ['192.0.2.1/32']), pool('b-big', ['192.0.2.8/30'])],
    others: [svc('demo', 'holder', { ip: '192.0.2.1' })],
    target: svc('demo', 'new'),
    decision: 'would get 192.0.2.8 from b-big',
    want: { 'a-small': 'exhausted', 'b-big': 'chosen' },
  },
  {
    desc: 'priority: both pinned pools admit it, the lower priority number wins; unpinned after',
    pools: [
      pool('a-prio2', ['192.0.2.0/30'], { serviceAllocation: { priority: 2, namespaces: ['demo'] } }),
      pool('b-prio1', ['192.0.2.8/30'], { serviceAllocation: { priority: 1, namespaces: ['demo'] } }),
      pool('c-open', ['192.0.2.16/30']),
    ],
    target: svc('demo', 'web'),
    decision: 'would get 192.0.2.8 from b-prio1',
    want: { 'a-prio2': 'priority', 'b-prio1': 'chosen', 'c-open': 'priority' },
  },
  {
    desc: 'the address-pool annotation rules out every other pool',
    pools: [pool('a', ['192.0.2.0/30']), pool('b', ['192.0.2.8/30'])],
    target: svc('demo', 'web', { annotations: { 'herald.dev/address-pool': 'b' } }),
    decision: 'would get 192.0.2.8 from b',
    want: { a: 'requested-pool', b: 'chosen' },
  },
  {
    desc: 'a requested IP names its pool',
    pools: [pool('a', ['192.0.2.0/30']), pool('b', ['192.0.2.8/30'], { autoAssign: false })],
    target: svc('demo', 'web', { annotations: { 'herald.dev/loadBalancerIPs': '192.0.2.9' } }),
    decision: 'would get 192.0.2.9 from b',
    want: { a: 'requested-ips', b: 'chosen' },
  },
  {
    desc: 'a Service that holds an IP keeps it, even where a pool comes first now',
    pools: [pool('a-new', ['192.0.2.0/30']), pool('b-old', ['192.0.2.8/30'])],
    target: svc('demo', 'web', { ip: '192.0.2.9' }),
    decision: 'keeps 192.0.2.9 from b-old',
    want: { 'a-new': 'held', 'b-old': 'chosen' },
  },
  {
    desc: 'pending: the only pool is full; its reason is the allocator\'s',
    pools: [pool('tiny', ['192.0.2.1/32'])],
    others: [svc('demo', 'holder', { ip: '192.0.2.1' })],
    target: svc('demo', 'late'),
    decision: 'pending: no free IPv4 and IPv6 address in "tiny"',
    want: { tiny: 'exhausted' },
  },
];

describe('explain: allocation, per pool', () => {
  for (const c of cases) {
    it(c.desc, () => {
      const s = snapshot(c.pools, [...(c.others ?? []), c.target]);
      const cv = configOf(s);
      assert.equal(cv.errors.length, 0, JSON.stringify(cv.errors));
      const x = explainAllocation(s, c.target, cv.pools);
      const d = x.decision;
      const text = d.type === 'allocated' ? `${d.kept ? 'keeps' : 'would get'} ${d.ips.join(', ')} from ${d.pool}` : d.type === 'pending' ? `pending: ${d.reason}` : d.problems.join('; ');
      assert.equal(text, c.decision);
      assert.deepEqual(Object.fromEntries(x.pools.map((p) => [p.name, p.why.type])), c.want);
    });
  }
});
