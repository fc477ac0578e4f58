import assert from 'node:assert/strict';
import { formatCommunity, type Config } from '@herald/shared';
import { desiredAnnouncements, perPeerRoutes, type Desired, type ServiceState } from '../../src/announce/index.js';
import type { NodeInfo } from '../../src/eligibility/index.js';
import { bgpAd, config, ep, node, nodes3, obj, peer, svc } from './fixtures.js';

interface Input {
  services: ServiceState[];
  config: Config;
  nodes?: NodeInfo[];
  live?: string[];
}

interface Want {
  sessionPeers: string[];
  /** "peer prefix lp=N comm=a,b services=x,y", sorted. */
  routes: string[];
  /** Per service name, per node: verdicts joined by ",". */
  why?: Record<string, Record<string, string>>;
}

function routes(d: Desired): string[] {
  const out: string[] = [];
  for (const [p, byPrefix] of perPeerRoutes(d)) {
    for (const [k, a] of byPrefix) {
      const services = d.bgp.get(k)?.services.map((s) => s.replace('default/', '')).join(',');
      const w = a.weight !== undefined ? ` w=${a.weight}` : '';
      out.push(`${p} ${a.prefix.toString()} lp=${a.localPref ?? '-'} comm=${(a.communities ?? []).map(formatCommunity).join(',') || '-'}${w} services=${services}`);
    }
  }
  return out.sort();
}

function verdicts(d: Desired, service: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [n, v] of d.why.get(`default/${service}`) ?? []) {
    out[n] = v.bgp.map((x) => (x.type === 'advertised' ? `advertised:${x.peers.join('+')}` : x.type === 'no-peer' ? 'no-peer' : `ineligible:${x.reason.type}`)).join(',');
  }
  return out;
}

const basic = config({ bgp: [bgpAd('bgp', { communities: ['64512:200'], localPref: 150 })], peers: [peer()] });
const weighted = config({ bgp: [bgpAd('bgp', { weightByLocalEndpoints: true })], peers: [peer()] });
const terminating = { nodeName: 'node1', ready: false, serving: true, terminating: true };

describe('announce: BGP desired routes (self = node1)', () => {
  const cases: { desc: string; input: Input; want: Want }[] = [
    {
      desc: 'Cluster: every eligible node advertises, with communities and localPref',
      input: { services: [svc('web', ['192.0.2.10'])], config: basic },
      want: {
        sessionPeers: ['router1'],
        routes: ['router1 192.0.2.10/32 lp=150 comm=64512:200 services=web'],
        why: { web: { node1: 'advertised:router1', node2: 'advertised:router1', node3: 'advertised:router1' } },
      },
    },
    {
      desc: 'ETP Local: only nodes with a ready local endpoint advertise',
      input: { services: [svc('web', ['192.0.2.10'], { local: true, endpoints: [ep('node2'), ep('node3')] })], config: basic },
      want: { sessionPeers: ['router1'], routes: [], why: { web: { node1: 'ineligible:no-local-endpoints', node2: 'advertised:router1', node3: 'advertised:router1' } } },
    },
    {
      // Losing the heartbeat quorum (fenced, not in the live set) gates L2 only: BGP keeps its
      // routes, and a really dead node's routes leave with its session.
      desc: 'a node outside the membership live set (fenced) still advertises',
      input: { services: [svc('web', ['192.0.2.10'])], config: basic, live: ['node2', 'node3'] },
      want: { sessionPeers: ['router1'], routes: ['router1 192.0.2.10/32 lp=150 comm=64512:200 services=web'], why: { web: { node1: 'advertised:router1', node2: 'advertised:router1', node3: 'advertised:router1' } } },
    },
    {
      desc: 'aggregationLength 24: two IPs, one /24 carrying both services',
      input: { services: [svc('a', ['192.0.2.10']), svc('b', ['192.0.2.20'])], config: config({ bgp: [bgpAd('bgp', { aggregationLength: 24 })], peers: [peer()] }) },
      want: { sessionPeers: ['router1'], routes: ['router1 192.0.2.0/24 lp=- comm=- services=a,b'] },
    },
    {
      desc: 'IPv6 uses aggregationLengthV6',
      input: { services: [svc('web', ['2001:db8::10'])], config: config({ bgp: [bgpAd('bgp', { aggregationLengthV6: 124 })], peers: [peer()] }) },
      want: { sessionPeers: ['router1'], routes: ['router1 2001:db8::10/124 lp=- comm=- services=web'] },
    },
    {
      desc: "a peer whose nodeSelectors skip this node: no session, and the verdict says no-peer",
      input: {
        services: [svc('web', ['192.0.2.10'])],
        nodes: [node('node1'), node('node2', { bgp: 'yes' })],
        config: config({ bgp: [bgpAd()], peers: [peer('router1', { nodeSelectors: [{ matchLabels: { bgp: 'yes' } }] })] }),
      },
      want: { sessionPeers: [], routes: [], why: { web: { node1: 'no-peer', node2: 'advertised:router1' } } },
    },
    {
      desc: 'an advertisement naming one peer goes to that peer only',
      input: {
        services: [svc('web', ['192.0.2.10'])],
        config: config({ bgp: [bgpAd('bgp', { peers: ['router2'] })], peers: [peer('router1'), peer('router2', { peerAddress: '203.0.113.2' })] }),
      },
      want: { sessionPeers: ['router1', 'router2'], routes: ['router2 192.0.2.10/32 lp=- comm=- services=web'], why: { web: { node1: 'advertised:router2', node2: 'advertised:router2', node3: 'advertised:router2' } } },
    },
    {
      desc: 'two advertisements, one prefix: communities united (aliases and large ones resolved)',
      input: {
        services: [svc('web', ['192.0.2.10'])],
        config: config({
          bgp: [bgpAd('a', { communities: ['64512:1'] }), bgpAd('b', { communities: ['site-large', '64512:1'] })],
          peers: [peer()],
          communities: [obj('Community', 'c', { communities: [{ name: 'site-large', value: 'large:64512:1:2' }] })],
        }),
      },
      want: { sessionPeers: ['router1'], routes: ['router1 192.0.2.10/32 lp=- comm=64512:1,large:64512:1:2 services=web'] },
    },
    {
      desc: "an advertisement's nodeSelectors that skip this node: no route from it",
      input: {
        services: [svc('web', ['192.0.2.10'])],
        config: config({ bgp: [bgpAd('bgp', { nodeSelectors: [{ matchLabels: { zone: 'b' } }] })], peers: [peer()] }),
        nodes: [node('node1', { zone: 'a' }), node('node2', { zone: 'b' })],
      },
      want: { sessionPeers: ['router1'], routes: [], why: { web: { node1: 'ineligible:node-not-selected', node2: 'advertised:router1' } } },
    },
    {
      desc: 'the exclude label withdraws',
      input: { services: [svc('web', ['192.0.2.10'])], config: basic, nodes: [node('node1', { 'node.kubernetes.io/exclude-from-external-load-balancers': '' }), node('node2')] },
      want: { sessionPeers: ['router1'], routes: [], why: { web: { node1: 'ineligible:excluded-by-label', node2: 'advertised:router1' } } },
    },
    // Weighted ECMP (weightByLocalEndpoints): the weight is this node's usable local endpoints.
    {
      desc: 'weighted, ETP Local: the weight counts the ready endpoints on this node only',
      input: { services: [svc('web', ['192.0.2.10'], { local: true, endpoints: [ep('node1'), ep('node1'), ep('node1', false), ep('node2')] })], config: weighted },
      want: { sessionPeers: ['router1'], routes: ['router1 192.0.2.10/32 lp=- comm=- w=2 services=web'], why: { web: { node1: 'advertised:router1', node2: 'advertised:router1', node3: 'ineligible:no-local-endpoints' } } },
    },
    {
      desc: 'weighted, ETP Local, no ready local endpoint: not advertised at all (never weight 0)',
      input: { services: [svc('web', ['192.0.2.10'], { local: true, endpoints: [ep('node1', false), ep('node2')] })], config: weighted },
      want: { sessionPeers: ['router1'], routes: [], why: { web: { node1: 'ineligible:no-local-endpoints', node2: 'advertised:router1', node3: 'ineligible:no-local-endpoints' } } },
    },
    {
      desc: 'weighted, ETP Local, only terminating-but-serving local endpoints: they count, as kube-proxy uses them',
      input: { services: [svc('web', ['192.0.2.10'], { local: true, endpoints: [terminating, terminating] })], config: weighted },
      want: { sessionPeers: ['router1'], routes: ['router1 192.0.2.10/32 lp=- comm=- w=2 services=web'] },
    },
    {
      desc: 'weighted, ETP Cluster: no weight (every node reaches every endpoint)',
      input: { services: [svc('web', ['192.0.2.10'], { endpoints: [ep('node1'), ep('node1'), ep('node2')] })], config: weighted },
      want: { sessionPeers: ['router1'], routes: ['router1 192.0.2.10/32 lp=- comm=- services=web'] },
    },
    {
      desc: 'not weighted (the default), ETP Local: no weight',
      input: { services: [svc('web', ['192.0.2.10'], { local: true, endpoints: [ep('node1'), ep('node1')] })], config: config({ bgp: [bgpAd()], peers: [peer()] }) },
      want: { sessionPeers: ['router1'], routes: ['router1 192.0.2.10/32 lp=- comm=- services=web'] },
    },
    {
      desc: 'weighted, IPv6 too',
      input: { services: [svc('web', ['2001:db8::10'], { local: true, endpoints: [ep('node1'), ep('node1'), ep('node1')] })], config: weighted },
      want: { sessionPeers: ['router1'], routes: ['router1 2001:db8::10/128 lp=- comm=- w=3 services=web'] },
    },
    {
      desc: 'weighted, two Services sharing an IP: the larger local count',
      input: {
        services: [
          svc('a', ['192.0.2.10'], { local: true, endpoints: [ep('node1')] }),
          svc('b', ['192.0.2.10'], { local: true, endpoints: [ep('node1'), ep('node1'), ep('node1')] }),
        ],
        config: weighted,
      },
      want: { sessionPeers: ['router1'], routes: ['router1 192.0.2.10/32 lp=- comm=- w=3 services=a,b'] },
    },
    {
      desc: 'one weighted and one plain advertisement for one prefix: the weight is kept',
      input: {
        services: [svc('web', ['192.0.2.10'], { local: true, endpoints: [ep('node1'), ep('node1')] })],
        config: config({ bgp: [bgpAd('a', { communities: ['64512:1'] }), bgpAd('b', { weightByLocalEndpoints: true })], peers: [peer()] }),
      },
      want: { sessionPeers: ['router1'], routes: ['router1 192.0.2.10/32 lp=- comm=64512:1 w=2 services=web'] },
    },
    {
      desc: 'a peer with no advertisement still has a session, with no routes',
      input: { services: [svc('web', ['192.0.2.10'])], config: config({ peers: [peer()] }) },
      want: { sessionPeers: ['router1'], routes: [] },
    },
  ];

  for (const c of cases) {
    it(c.desc, () => {
      const nodes = c.input.nodes ?? nodes3;
      const d = desiredAnnouncements({ services: c.input.services, nodes, config: c.input.config, live: new Set(c.input.live ?? nodes.map((n) => n.name)), self: 'node1' });
      assert.deepEqual(d.sessionPeers, c.want.sessionPeers);
      assert.deepEqual(routes(d), c.want.routes);
      for (const [service, want] of Object.entries(c.want.why ?? {})) assert.deepEqual(verdicts(d, service), want, `verdicts of ${service}`);
    });
  }
});
