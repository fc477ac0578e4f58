import assert from 'node:assert/strict';
import type { Labels, Selector } from '@herald/shared';
import { nodeEligibility, usableEndpoints, type AdvertisementScope, type EndpointInfo, type NodeInfo, type ServiceInfo } from '../../src/eligibility/index.js';

function sel(key: string, value: string): Selector {
  return { text: `${key}=${value}`, matches: (l: Labels) => l[key] === value };
}

const node: NodeInfo = { name: 'node1', labels: { zone: 'a' }, ready: true, networkUnavailable: false };
const svc: ServiceInfo = { namespace: 'default', name: 'web', labels: { app: 'web' }, externalTrafficPolicy: 'Cluster', pool: 'prod' };
const ad: AdvertisementScope = { name: 'l2', pools: new Set(['prod']), nodeSelectors: [], serviceSelectors: [] };
const ep = (nodeName: string, ready?: boolean, serving?: boolean, terminating?: boolean): EndpointInfo => ({ nodeName, ready, serving, terminating });

type Input = Parameters<typeof nodeEligibility>[0];
const base: Input = { node, live: true, service: svc, advertisements: [ad], endpoints: [ep('node2', true)] };

describe('eligibility', () => {
  const cases: { desc: string; input: Partial<Input>; want: string }[] = [
    { desc: 'eligible: live, selected, a ready endpoint elsewhere (Cluster)', input: {}, want: 'eligible l2' },
    { desc: 'not live', input: { live: false }, want: 'not-live' },
    { desc: 'Node not Ready', input: { node: { ...node, ready: false } }, want: 'node-not-ready' },
    { desc: 'exclude label, even empty', input: { node: { ...node, labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } } }, want: 'excluded-by-label' },
    { desc: 'NetworkUnavailable', input: { node: { ...node, networkUnavailable: true } }, want: 'network-unavailable' },
    { desc: 'no advertisement for the pool', input: { service: { ...svc, pool: 'other' } }, want: 'no-advertisement' },
    { desc: 'service without a pool', input: { service: { ...svc, pool: undefined } }, want: 'no-advertisement' },
    { desc: "advertisement's serviceSelectors do not match", input: { advertisements: [{ ...ad, serviceSelectors: [sel('app', 'db')] }] }, want: 'no-advertisement' },
    { desc: 'nodeSelectors do not match', input: { advertisements: [{ ...ad, nodeSelectors: [sel('zone', 'b')] }] }, want: 'node-not-selected l2' },
    {
      desc: 'nodeSelectors are ORed, advertisements too',
      input: { advertisements: [{ ...ad, name: 'x', nodeSelectors: [sel('zone', 'b')] }, { ...ad, name: 'y', nodeSelectors: [sel('zone', 'c'), sel('zone', 'a')] }] },
      want: 'eligible y',
    },
    { desc: 'no endpoints at all', input: { endpoints: [] }, want: 'no-ready-endpoints' },
    { desc: 'only not-ready endpoints', input: { endpoints: [ep('node1', false, false, false)] }, want: 'no-ready-endpoints' },
    { desc: 'ready unknown counts as ready', input: { endpoints: [ep('node2')] }, want: 'eligible l2' },
    { desc: 'only serving+terminating endpoints (rolling update) keep it announced', input: { endpoints: [ep('node2', false, true, true)] }, want: 'eligible l2' },
    { desc: 'terminating and not serving: not usable', input: { endpoints: [ep('node2', false, false, true)] }, want: 'no-ready-endpoints' },
    { desc: 'Local: ready endpoint only elsewhere', input: { service: { ...svc, externalTrafficPolicy: 'Local' } }, want: 'no-local-endpoints' },
    { desc: 'Local: ready endpoint here', input: { service: { ...svc, externalTrafficPolicy: 'Local' }, endpoints: [ep('node1', true)] }, want: 'eligible l2' },
    { desc: 'Local: local endpoint not ready', input: { service: { ...svc, externalTrafficPolicy: 'Local' }, endpoints: [ep('node1', false), ep('node2', true)] }, want: 'no-local-endpoints' },
    { desc: 'Local: endpoint without nodeName is not local', input: { service: { ...svc, externalTrafficPolicy: 'Local' }, endpoints: [{ nodeName: undefined, ready: true, serving: true, terminating: false }] }, want: 'no-local-endpoints' },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const r = nodeEligibility({ ...base, ...c.input });
      const got = r.eligible ? `eligible ${r.advertisements.join(',')}` : r.reason.type === 'node-not-selected' ? `node-not-selected ${r.reason.advertisements.join(',')}` : r.reason.type;
      assert.equal(got, c.want);
    });
  }

  const eps: { desc: string; input: EndpointInfo[]; want: number[] }[] = [
    { desc: 'ready ones win over serving-terminating ones', input: [ep('a', true), ep('b', false, true, true)], want: [0] },
    { desc: 'falls back to serving-terminating', input: [ep('a', false, false, false), ep('b', false, true, true), ep('c', false, undefined, true)], want: [1] },
    { desc: 'nothing usable', input: [ep('a', false, false, false)], want: [] },
  ];
  for (const c of eps) {
    it(`usableEndpoints: ${c.desc}`, () => {
      assert.deepEqual(usableEndpoints(c.input).map((e) => c.input.indexOf(e)), c.want);
    });
  }
});
