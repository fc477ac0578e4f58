import assert from 'node:assert/strict';
import { IP, type Config } from '@herald/shared';
import { desiredAnnouncements, ownedIPs, ownerChangeMessage, weightedPreferences, type Desired, type ServiceState } from '../../src/announce/index.js';
import type { NodeInfo } from '../../src/eligibility/index.js';
import { config, ep, l2ad, node, nodes3, pool, svc } from './fixtures.js';

interface Input {
  services: ServiceState[];
  nodes?: NodeInfo[];
  live?: string[];
  config?: Config;
}

interface Want {
  /** Per IP: the owner, one of several (hash decides), or null (no owner). */
  owners: Record<string, string | string[] | null>;
  /** Per service name, per node: its verdicts (one per IP), "owner", "not-owner:<cause>", "ineligible:<reason>". */
  why?: Record<string, Record<string, string>>;
  interfaces?: Record<string, string[]>;
}

const l2only = config({ l2: [l2ad()] });

function verdicts(d: Desired, service: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [n, v] of d.why.get(`default/${service}`) ?? []) {
    out[n] = v.l2.map((x) => (x.type === 'owner' ? 'owner' : x.type === 'not-owner' ? `not-owner:${x.cause}` : `ineligible:${x.reason.type}`)).join(',');
  }
  return out;
}

function run(input: Input, self = 'node1'): Desired {
  const nodes = input.nodes ?? nodes3;
  return desiredAnnouncements({ services: input.services, nodes, config: input.config ?? l2only, live: new Set(input.live ?? nodes.map((n) => n.name)), self });
}

describe('announce: L2 desired announcements', () => {
  const cases: { desc: string; input: Input; want: Want }[] = [
    {
      desc: 'Cluster, 3 live nodes: one owner, the others outranked by hash',
      input: { services: [svc('web', ['192.0.2.10'])] },
      want: { owners: { '192.0.2.10': ['node1', 'node2', 'node3'] } },
    },
    {
      desc: 'a node that is not live never owns',
      input: { services: [svc('web', ['192.0.2.10'])], live: ['node2'] },
      want: { owners: { '192.0.2.10': 'node2' }, why: { web: { node1: 'ineligible:not-live', node2: 'owner', node3: 'ineligible:not-live' } } },
    },
    {
      desc: 'the exclude-from-external-load-balancers label: never owns',
      input: { services: [svc('web', ['192.0.2.10'])], nodes: [node('node1', { 'node.kubernetes.io/exclude-from-external-load-balancers': 'true' }), node('node2')] },
      want: { owners: { '192.0.2.10': 'node2' }, why: { web: { node1: 'ineligible:excluded-by-label', node2: 'owner' } } },
    },
    {
      desc: 'NotReady and NetworkUnavailable nodes never own',
      input: { services: [svc('web', ['192.0.2.10'])], nodes: [node('node1', {}, { ready: false }), node('node2', {}, { networkUnavailable: true }), node('node3')] },
      want: { owners: { '192.0.2.10': 'node3' }, why: { web: { node1: 'ineligible:node-not-ready', node2: 'ineligible:network-unavailable', node3: 'owner' } } },
    },
    {
      desc: 'ETP Local: only the node with a ready local endpoint owns',
      input: { services: [svc('web', ['192.0.2.10'], { local: true, endpoints: [ep('node2'), ep('node3', false)] })] },
      want: { owners: { '192.0.2.10': 'node2' }, why: { web: { node1: 'ineligible:no-local-endpoints', node2: 'owner', node3: 'ineligible:no-local-endpoints' } } },
    },
    {
      desc: 'ETP Local with no ready endpoint anywhere: no owner',
      input: { services: [svc('web', ['192.0.2.10'], { local: true, endpoints: [ep('node2', false)] })] },
      want: { owners: { '192.0.2.10': null } },
    },
    {
      desc: 'Cluster with no ready endpoint: no owner, every node says why',
      input: { services: [svc('web', ['192.0.2.10'], { endpoints: [] })] },
      want: { owners: { '192.0.2.10': null }, why: { web: { node1: 'ineligible:no-ready-endpoints', node2: 'ineligible:no-ready-endpoints', node3: 'ineligible:no-ready-endpoints' } } },
    },
    {
      desc: 'preferredNodeSelectors: the preferred node owns, the others are outranked by preference',
      input: {
        services: [svc('web', ['192.0.2.10'])],
        nodes: [node('node1'), node('node2'), node('node3', { tier: 'edge' })],
        config: config({ l2: [l2ad('l2', { preferredNodeSelectors: [{ weight: 10, preference: { matchLabels: { tier: 'edge' } } }] })] }),
      },
      want: { owners: { '192.0.2.10': 'node3' }, why: { web: { node1: 'not-owner:preference', node2: 'not-owner:preference', node3: 'owner' } } },
    },
    {
      desc: 'weights: one selector of weight 5 beats two of weight 1',
      input: {
        services: [svc('web', ['192.0.2.10'])],
        nodes: [node('node1', { a: 'x', b: 'x' }), node('node2', { c: 'x' })],
        config: config({
          l2: [
            l2ad('l2', {
              preferredNodeSelectors: [
                { weight: 1, preference: { matchLabels: { a: 'x' } } },
                { weight: 1, preference: { matchLabels: { b: 'x' } } },
                { weight: 5, preference: { matchLabels: { c: 'x' } } },
              ],
            }),
          ],
        }),
      },
      want: { owners: { '192.0.2.10': 'node2' }, why: { web: { node1: 'not-owner:preference', node2: 'owner' } } },
    },
    {
      desc: "nodeSelectors: an unselected node never owns",
      input: { services: [svc('web', ['192.0.2.10'])], nodes: [node('node1'), node('node2', { l2: 'yes' })], config: config({ l2: [l2ad('l2', { nodeSelectors: [{ matchLabels: { l2: 'yes' } }] })] }) },
      want: { owners: { '192.0.2.10': 'node2' }, why: { web: { node1: 'ineligible:node-not-selected', node2: 'owner' } } },
    },
    {
      desc: 'shared IP: elected once; a node eligible for both services beats one eligible for one',
      input: {
        services: [svc('a', ['192.0.2.10'], { local: true, endpoints: [ep('node1'), ep('node2')] }), svc('b', ['192.0.2.10'], { local: true, endpoints: [ep('node2')] })],
      },
      want: {
        owners: { '192.0.2.10': 'node2' },
        why: {
          a: { node1: 'not-owner:shared-ip-coverage', node2: 'owner', node3: 'ineligible:no-local-endpoints' },
          b: { node1: 'ineligible:no-local-endpoints', node2: 'owner', node3: 'ineligible:no-local-endpoints' },
        },
      },
    },
    {
      desc: 'shared IP, disjoint endpoints: still exactly one owner, from the union',
      input: { services: [svc('a', ['192.0.2.10'], { local: true, endpoints: [ep('node1')] }), svc('b', ['192.0.2.10'], { local: true, endpoints: [ep('node3')] })] },
      want: { owners: { '192.0.2.10': ['node1', 'node3'] } },
    },
    {
      desc: 'dual-stack: each IP elected on its own',
      input: { services: [svc('web', ['192.0.2.10', '2001:db8::10'], { local: true, endpoints: [ep('node3')] })] },
      want: { owners: { '192.0.2.10': 'node3', '2001:db8::10': 'node3' }, why: { web: { node1: 'ineligible:no-local-endpoints,ineligible:no-local-endpoints', node2: 'ineligible:no-local-endpoints,ineligible:no-local-endpoints', node3: 'owner,owner' } } },
    },
    {
      desc: 'an IP in no pool and no annotation: not announced, reason no-advertisement',
      input: { services: [svc('web', ['198.51.100.7'])] },
      want: { owners: {}, why: { web: { node1: 'ineligible:no-advertisement', node2: 'ineligible:no-advertisement', node3: 'ineligible:no-advertisement' } } },
    },
    {
      desc: 'an IP outside every pool falls back to the pool annotation',
      input: { services: [svc('web', ['198.51.100.7'], { pool: 'prod' })], live: ['node3'] },
      want: { owners: { '198.51.100.7': 'node3' } },
    },
    {
      desc: "serviceSelectors that do not match: not announced",
      input: { services: [svc('web', ['192.0.2.10'], { labels: { app: 'web' } })], config: config({ l2: [l2ad('l2', { serviceSelectors: [{ matchLabels: { app: 'db' } }] })] }) },
      want: { owners: {}, why: { web: { node1: 'ineligible:no-advertisement', node2: 'ineligible:no-advertisement', node3: 'ineligible:no-advertisement' } } },
    },
    {
      desc: "interfaces: the owner's advertisements' interfaces, united",
      input: {
        services: [svc('web', ['192.0.2.10'])],
        live: ['node1'],
        config: config({ l2: [l2ad('a', { interfaces: ['eth1'] }), l2ad('b', { interfaces: ['eth0', 'eth1'] })] }),
      },
      want: { owners: { '192.0.2.10': 'node1' }, interfaces: { '192.0.2.10': ['eth0', 'eth1'] } },
    },
    {
      desc: 'interfaces: one covering advertisement without interfaces means every interface',
      input: { services: [svc('web', ['192.0.2.10'])], live: ['node1'], config: config({ l2: [l2ad('a', { interfaces: ['eth1'] }), l2ad('b')] }) },
      want: { owners: { '192.0.2.10': 'node1' }, interfaces: { '192.0.2.10': [] } },
    },
    {
      desc: 'interfaces: only advertisements that select the owner count',
      input: {
        services: [svc('web', ['192.0.2.10'])],
        nodes: [node('node1', { rack: 'r1' })],
        config: config({ l2: [l2ad('a', { interfaces: ['eth1'], nodeSelectors: [{ matchLabels: { rack: 'r1' } }] }), l2ad('b', { nodeSelectors: [{ matchLabels: { rack: 'r2' } }] })] }),
      },
      want: { owners: { '192.0.2.10': 'node1' }, interfaces: { '192.0.2.10': ['eth1'] } },
    },
    {
      desc: 'a BGP-only IP has no L2 entry',
      input: { services: [svc('web', ['192.0.2.10'])], config: config({ pools: [pool()], bgp: [{ apiVersion: 'herald.dev/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'b', namespace: 'herald-system' }, spec: { ipAddressPools: ['prod'] } }] }) },
      want: { owners: {}, why: { web: { node1: '', node2: '', node3: '' } } },
    },
  ];

  for (const c of cases) {
    it(c.desc, () => {
      const d = run(c.input);
      const got: Record<string, string | null> = {};
      for (const [, e] of d.l2) got[e.ip.toString()] = e.owner ?? null;
      assert.deepEqual(Object.keys(got).sort(), Object.keys(c.want.owners).sort(), 'the IPs with an L2 entry');
      for (const [ip, w] of Object.entries(c.want.owners)) {
        if (Array.isArray(w)) assert.ok(w.includes(got[ip] ?? ''), `${ip}: owner ${got[ip]} not in ${w.join(',')}`);
        else assert.equal(got[ip], w, `${ip}: owner`);
      }
      for (const [service, want] of Object.entries(c.want.why ?? {})) assert.deepEqual(verdicts(d, service), want, `verdicts of ${service}`);
      for (const [ip, want] of Object.entries(c.want.interfaces ?? {})) assert.deepEqual(d.l2.get(IP.parse(ip).key)?.interfaces, want, `${ip}: interfaces`);
      // Invariants of every case: one owner verdict per (service, IP) when there is an owner, and
      // every not-owner verdict names the elected owner.
      for (const [service, byNode] of d.why) {
        for (const [n, v] of byNode) {
          for (const x of v.l2) {
            const owner = d.l2.get(x.ip.key)?.owner;
            if (x.type === 'owner') assert.equal(owner, n, `${service}@${n}`);
            if (x.type === 'not-owner') assert.equal(x.owner, owner, `${service}@${n}`);
          }
        }
      }
    });
  }

  it('every speaker computes the same owners, and each announces only its own', () => {
    const services = Array.from({ length: 40 }, (_, i) => svc(`s${i}`, [`192.0.2.${i + 1}`]));
    const views = nodes3.map((n) => desiredAnnouncements({ services, nodes: nodes3, config: l2only, live: new Set(['node1', 'node2', 'node3']), self: n.name }));
    const owners = (d: Desired): string[] => [...d.l2.values()].map((e) => `${e.ip.toString()}=${e.owner ?? ''}`);
    assert.deepEqual(owners(views[1]!), owners(views[0]!));
    assert.deepEqual(owners(views[2]!), owners(views[0]!));
    const owned = nodes3.map((n, i) => ownedIPs(views[i]!, n.name).map((o) => o.ip.toString()));
    assert.equal(owned.flat().length, 40, 'each IP owned exactly once');
    assert.equal(new Set(owned.flat()).size, 40);
    assert.ok(owned.every((o) => o.length > 0), `every node owns some of 40 IPs: ${owned.map((o) => o.length).join(',')}`);
  });

  it('a node leaving moves only the IPs it owned', () => {
    const services = Array.from({ length: 40 }, (_, i) => svc(`s${i}`, [`192.0.2.${i + 1}`]));
    const before = desiredAnnouncements({ services, nodes: nodes3, config: l2only, live: new Set(['node1', 'node2', 'node3']), self: 'node1' });
    const after = desiredAnnouncements({ services, nodes: nodes3, config: l2only, live: new Set(['node1', 'node3']), self: 'node1' });
    for (const [k, e] of before.l2) {
      if (e.owner !== 'node2') assert.equal(after.l2.get(k)?.owner, e.owner, `${e.ip.toString()} moved though its owner stayed`);
      else assert.notEqual(after.l2.get(k)?.owner, 'node2');
    }
  });

  it('weightedPreferences repeats each selector by its weight', () => {
    const c = config({ l2: [l2ad('l2', { preferredNodeSelectors: [{ weight: 3, preference: { matchLabels: { a: 'x' } } }, { weight: 1, preference: { matchLabels: { b: 'x' } } }] })] });
    assert.deepEqual(weightedPreferences(c.l2Advertisements).map((s) => s.text), ['a=x', 'a=x', 'a=x', 'b=x']);
  });

  const messages: { desc: string; input: Parameters<typeof ownerChangeMessage>; want: string }[] = [
    {
      desc: 'owner left',
      input: [IP.parse('192.0.2.10'), 'node2', 'node1', { type: 'ineligible', ip: IP.parse('192.0.2.10'), reason: { type: 'not-live' } }],
      want: '192.0.2.10 announced from node2 (was node1): node1 is not a live speaker (left, fenced or unreachable)',
    },
    {
      desc: 'last local endpoint gone',
      input: [IP.parse('192.0.2.10'), 'node3', 'node1', { type: 'ineligible', ip: IP.parse('192.0.2.10'), reason: { type: 'no-local-endpoints' } }],
      want: '192.0.2.10 announced from node3 (was node1): node1 has no ready local endpoint (externalTrafficPolicy: Local)',
    },
    { desc: 'first owner', input: [IP.parse('192.0.2.10'), 'node2', undefined, undefined], want: '192.0.2.10 announced from node2' },
    { desc: 'old owner deleted', input: [IP.parse('192.0.2.10'), 'node2', 'node9', undefined], want: '192.0.2.10 announced from node2 (was node9): node9 is gone' },
    {
      desc: 'nobody left',
      input: [IP.parse('192.0.2.10'), undefined, 'node1', { type: 'ineligible', ip: IP.parse('192.0.2.10'), reason: { type: 'no-ready-endpoints' } }],
      want: '192.0.2.10 is announced by no node (was node1): the service has no ready endpoint',
    },
  ];
  for (const c of messages) it(`ownerChangeMessage: ${c.desc}`, () => assert.equal(ownerChangeMessage(...c.input), c.want));
});
