// AnnounceState's per-IP facts for the metrics: the BGP peers this node routes an IP to, and why
// no node is expected to announce it (no advertisement; no ready endpoint in any Service sharing
// it, as under ETP Local with no backends). Reported only when they change.
import assert from 'node:assert/strict';
import { AnnounceState, type IPFacts } from '../../src/announce/announce-state.js';
import type { ServiceState } from '../../src/announce/index.js';
import { bgpAd, config, ep, l2ad, nodes3, peer, pool, svc } from './fixtures.js';

const cfg = config({
  pools: [pool('prod', ['192.0.2.0/24']), pool('bgp', ['203.0.113.0/24']), pool('bare', ['198.51.100.0/24'])],
  l2: [l2ad('l2', { ipAddressPools: ['prod'] })],
  bgp: [bgpAd('b', { ipAddressPools: ['bgp'] })],
  peers: [peer('router1'), peer('router2', { peerAddress: '203.0.113.250' })],
});

function factsAfter(services: ServiceState[]): Map<string, IPFacts | undefined> {
  const st = new AnnounceState('node1');
  st.setConfig(cfg);
  st.setNodes(nodes3);
  st.setLiveness(new Set(['node1', 'node2', 'node3']), false);
  for (const s of services) st.setService(s.key, s);
  const out = new Map<string, IPFacts | undefined>();
  while (st.pending) for (const [k, v] of st.step().ipFacts) out.set(k, v);
  return out;
}

describe('announce: per-IP facts (metrics)', () => {
  const cases: { desc: string; services: ServiceState[]; want: Record<string, IPFacts> }[] = [
    { desc: 'L2, endpoints: announceable, no BGP peers', services: [svc('web', ['192.0.2.10'])], want: { '192.0.2.10': { bgpPeers: [], unannounceable: undefined } } },
    { desc: 'BGP, endpoints: routed to both peers', services: [svc('web', ['203.0.113.10'])], want: { '203.0.113.10': { bgpPeers: ['router1', 'router2'], unannounceable: undefined } } },
    { desc: 'BGP, ETP Local with no endpoint on this node but one elsewhere: not routed from here, announceable', services: [svc('web', ['203.0.113.10'], { local: true, endpoints: [ep('node2')] })], want: { '203.0.113.10': { bgpPeers: [], unannounceable: undefined } } },
    { desc: 'ETP Local with no endpoints at all: no-endpoints', services: [svc('web', ['203.0.113.10'], { local: true, endpoints: [] })], want: { '203.0.113.10': { bgpPeers: [], unannounceable: 'no-endpoints' } } },
    { desc: 'L2, only unready endpoints: no-endpoints', services: [svc('web', ['192.0.2.10'], { endpoints: [ep('node1', false)] })], want: { '192.0.2.10': { bgpPeers: [], unannounceable: 'no-endpoints' } } },
    { desc: 'a shared IP with endpoints in one of its Services: announceable', services: [svc('a', ['192.0.2.10'], { endpoints: [] }), svc('b', ['192.0.2.10'])], want: { '192.0.2.10': { bgpPeers: [], unannounceable: undefined } } },
    { desc: 'a pool no advertisement covers: no-advertisement', services: [svc('web', ['198.51.100.10'])], want: { '198.51.100.10': { bgpPeers: [], unannounceable: 'no-advertisement' } } },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      assert.deepEqual(Object.fromEntries(factsAfter(c.services)), c.want);
    });
  }

  it('reported only on change, and as undefined once the IP is gone', () => {
    const st = new AnnounceState('node1');
    st.setConfig(cfg);
    st.setNodes(nodes3);
    const s = svc('web', ['203.0.113.10']);
    st.setService(s.key, s);
    assert.equal(st.step().ipFacts.size, 1);
    st.setService(s.key, { ...s, endpoints: [...s.endpoints] });
    assert.equal(st.step().ipFacts.size, 0, 'an equal Service: nothing');
    st.setService(s.key, { ...s, endpoints: [] });
    assert.deepEqual([...st.step().ipFacts], [['203.0.113.10', { bgpPeers: [], unannounceable: 'no-endpoints' }]]);
    st.setService(s.key, undefined);
    assert.deepEqual([...st.step().ipFacts], [['203.0.113.10', undefined]]);
  });
});
