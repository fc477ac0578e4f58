import assert from 'node:assert/strict';
import { birdConfig } from '../../src/routers/index.js';
import { routerPeers } from '../../src/site/lab.js';
import { labObjects } from '../../src/site/objects.js';
import { routerBgpAddresses, sitePlan } from '../../src/site/plan.js';

describe('site plan: BGP sessions per node', () => {
  it('by default, one session per node to the router address, with no local address pinned', () => {
    const p = sitePlan({ nodes: 3 });
    assert.equal('bgpSessions' in p, false);
    assert.deepEqual(routerBgpAddresses(p), ['192.0.2.1']);
    const peers = routerPeers(p);
    assert.deepEqual(peers.map((x) => [x.name, x.address, x.localAddress]), [
      ['node1', '192.0.2.11', undefined],
      ['node2', '192.0.2.12', undefined],
      ['node3', '192.0.2.13', undefined],
    ]);
    const bgpPeers = labObjects(p, 'k').filter((o) => o.kind === 'BGPPeer');
    assert.deepEqual(bgpPeers.map((o) => [o.metadata.name, (o['spec'] as { peerAddress: string }).peerAddress]), [['router', '192.0.2.1']]);
  });

  it('with 4, each node peers with 4 router addresses, and every BIRD protocol has its own (neighbour, local) pair', () => {
    const p = sitePlan({ nodes: 3, bgpSessions: 4 });
    assert.deepEqual(routerBgpAddresses(p), ['192.0.2.1', '192.0.2.3', '192.0.2.4', '192.0.2.5']);
    const peers = routerPeers(p);
    assert.equal(peers.length, 12);
    const pairs = new Set(peers.map((x) => `${x.address}|${x.localAddress ?? ''}`));
    assert.equal(pairs.size, 12, 'two protocols share a (neighbour, local) pair: BIRD would leave one Idle');
    assert.equal(new Set(peers.map((x) => x.name)).size, 12);
    const conf = birdConfig({ ns: 'unused', routerId: '192.0.2.1', asn: 64500, peers });
    assert.ok(conf.includes('protocol bgp node2_s3 {\n  local 192.0.2.4 as 64500;\n  neighbor 192.0.2.12 port 181 as 64512;\n  passive on;'), conf);
    // BIRD 2.0 locks a session on (neighbour address, neighbour port): each must be distinct.
    assert.equal(new Set(peers.map((x) => `${x.address}|${x.neighborPort ?? 179}`)).size, 12);
    const bgpPeers = labObjects(p, 'k').filter((o) => o.kind === 'BGPPeer');
    assert.deepEqual(bgpPeers.map((o) => (o['spec'] as { peerAddress: string }).peerAddress), routerBgpAddresses(p));
    assert.equal(new Set(bgpPeers.map((o) => o.metadata.name)).size, 4);
  });

  it('refuses a session count outside 1 to 4, saying which knob', () => {
    for (const n of [0, 5, 1.5]) assert.throws(() => sitePlan({ bgpSessions: n }), /bgpSessions must be 1 to 4/);
    assert.throws(() => sitePlan({ bgpSessions: 2, router: 'frr' }), /needs ROUTER=bird/);
  });
});

describe('site plan: BFD', () => {
  it('off by default: no BFDProfile, no bfdProfile on the BGPPeers, no BFD at the router', () => {
    const p = sitePlan({ nodes: 2 });
    assert.equal('bfd' in p, false);
    assert.equal(labObjects(p, 'k').some((o) => o.kind === 'BFDProfile'), false);
    assert.ok(routerPeers(p).every((x) => x.bfd === undefined));
    assert.doesNotMatch(birdConfig({ ns: 'x', routerId: '192.0.2.1', asn: 64500, peers: routerPeers(p) }), /bfd/);
  });

  it('--bfd: a 300 ms x 3 BFDProfile on every BGPPeer, and the router asks for BFD on every session', () => {
    const p = sitePlan({ nodes: 2, bfd: true });
    const objs = labObjects(p, 'k');
    const prof = objs.filter((o) => o.kind === 'BFDProfile');
    assert.deepEqual(prof.map((o) => [o.metadata.name, o['spec']]), [['lab-bfd', { receiveInterval: 300, transmitInterval: 300, detectMultiplier: 3 }]]);
    assert.ok(objs.filter((o) => o.kind === 'BGPPeer').every((o) => (o['spec'] as { bfdProfile?: string }).bfdProfile === 'lab-bfd'));
    const conf = birdConfig({ ns: 'x', routerId: '192.0.2.1', asn: 64500, peers: routerPeers(p), bfd: { ...p.bfd!, peers: [] } });
    assert.equal(conf.match(/bfd on;/g)?.length, 2);
    assert.match(conf, /protocol bfd bfd1 \{/);
  });
});
