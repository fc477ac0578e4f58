// The incremental AnnounceState against the whole computation (desiredAnnouncements), over
// random sequences of changes: after each change is stepped through, every L2 owner, every
// ranking the packet thread holds, every route each peer has and every status object's content
// are what the whole computation says. And a relist that re-delivers equal objects changes
// nothing at all.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IP, formatCommunity, type Config } from '@herald/shared';
import { AnnounceState, type AnnounceChanges } from '../../src/announce/announce-state.js';
import { desiredAnnouncements, perPeerRoutes, type ServiceState } from '../../src/announce/index.js';
import type { Advertisement } from '../../src/bgp/adj-rib-out.js';
import type { NodeInfo } from '../../src/eligibility/index.js';
import { firstLive, pickOwner, TOP_K } from '../../src/election/index.js';
import { OwnerTable, type L2Slot } from '../../src/layer2/owner-table.js';
import { topNames } from '../layer2/slots.js';
import { bgpAd, config, ep, l2ad, node, obj, peer, pool } from './fixtures.js';

const SELF = 'node1';
const NODES = ['node1', 'node2', 'node3', 'node4'];
const IPS = ['192.0.2.10', '192.0.2.11', '192.0.2.12', '2001:db8::10', '2001:db8::11', '203.0.113.5', '203.0.113.6', '198.51.100.7'];

const configs: Config[] = [
  config({
    pools: [pool('prod', ['192.0.2.0/24', '2001:db8::/120']), pool('bgp', ['203.0.113.0/24'])],
    l2: [l2ad('l2', { preferredNodeSelectors: [{ weight: 3, preference: { matchLabels: { zone: 'b' } } }] })],
    bgp: [bgpAd('agg', { ipAddressPools: ['bgp'], aggregationLength: 30, communities: ['64512:1'] }), bgpAd('both', { ipAddressPools: ['prod'], localPref: 120 })],
    peers: [peer('router1'), peer('router2', { peerAddress: '203.0.113.2', nodeSelectors: [{ matchLabels: { zone: 'a' } }] })],
  }),
  config({
    pools: [pool('prod', ['192.0.2.0/24', '2001:db8::/120']), pool('bgp', ['203.0.113.0/24'])],
    l2: [l2ad('l2', { nodeSelectors: [{ matchLabels: { zone: 'a' } }], interfaces: ['eth1'] }), obj('L2Advertisement', 'l2b', { ipAddressPools: ['bgp'] })],
    bgp: [bgpAd('agg', { ipAddressPools: ['bgp'], aggregationLength: 32, peers: ['router1'] })],
    peers: [peer('router1')],
  }),
  // As the first, with other attributes on the same prefixes: changes that must reach the peers.
  config({
    pools: [pool('prod', ['192.0.2.0/24', '2001:db8::/120']), pool('bgp', ['203.0.113.0/24'])],
    l2: [l2ad('l2', { preferredNodeSelectors: [{ weight: 3, preference: { matchLabels: { zone: 'b' } } }] })],
    bgp: [bgpAd('agg', { ipAddressPools: ['bgp'], aggregationLength: 30, communities: ['64512:2', 'large:64512:1:1'] }), bgpAd('both', { ipAddressPools: ['prod'], localPref: 130 })],
    peers: [peer('router1'), peer('router2', { peerAddress: '203.0.113.2', nodeSelectors: [{ matchLabels: { zone: 'a' } }] })],
  }),
  // As the first, with weighted ECMP on the unaggregated pool: endpoint changes move weights.
  config({
    pools: [pool('prod', ['192.0.2.0/24', '2001:db8::/120']), pool('bgp', ['203.0.113.0/24'])],
    l2: [l2ad('l2', { preferredNodeSelectors: [{ weight: 3, preference: { matchLabels: { zone: 'b' } } }] })],
    bgp: [bgpAd('agg', { ipAddressPools: ['bgp'], aggregationLength: 30, communities: ['64512:1'] }), bgpAd('both', { ipAddressPools: ['prod'], localPref: 120, weightByLocalEndpoints: true })],
    peers: [peer('router1'), peer('router2', { peerAddress: '203.0.113.2', nodeSelectors: [{ matchLabels: { zone: 'a' } }] })],
  }),
];

const arbNode = (name: string): fc.Arbitrary<NodeInfo> =>
  fc.record({ zone: fc.constantFrom('a', 'b'), ready: fc.boolean(), excluded: fc.boolean(), netUnavailable: fc.boolean() }).map((r) =>
    node(name, { zone: r.zone, ...(r.excluded ? { 'node.kubernetes.io/exclude-from-external-load-balancers': '' } : {}) }, { ready: r.ready || name === SELF, networkUnavailable: r.netUnavailable && name !== SELF }),
  );
const arbNodes = fc.tuple(...NODES.map(arbNode));
const arbService = (name: string): fc.Arbitrary<ServiceState> =>
  fc
    .record({
      ips: fc.uniqueArray(fc.constantFrom(...IPS), { minLength: 1, maxLength: 2 }),
      local: fc.boolean(),
      eps: fc.array(fc.record({ n: fc.constantFrom(...NODES), ready: fc.boolean() }), { maxLength: 4 }),
    })
    .map((r) => ({
      key: `default/${name}`,
      info: { namespace: 'default', name, labels: {}, externalTrafficPolicy: r.local ? 'Local' : 'Cluster', pool: undefined },
      ips: r.ips.map((s) => IP.parse(s)),
      endpoints: r.eps.map((e) => ep(e.n, e.ready)),
    }));
const SVCS = ['a', 'b', 'c', 'd', 'e', 'f'];

type Op =
  | { t: 'svc'; name: string; st: ServiceState }
  | { t: 'del'; name: string }
  | { t: 'nodes'; nodes: NodeInfo[] }
  | { t: 'live'; live: string[]; fenced: boolean }
  | { t: 'config'; i: number };
const arbOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...SVCS).chain((name) => arbService(name).map((st): Op => ({ t: 'svc', name, st }))) },
  { weight: 1, arbitrary: fc.constantFrom(...SVCS).map((name): Op => ({ t: 'del', name })) },
  { weight: 1, arbitrary: arbNodes.map((nodes): Op => ({ t: 'nodes', nodes })) },
  { weight: 2, arbitrary: fc.record({ live: fc.subarray(NODES), fenced: fc.boolean() }).map((r): Op => ({ t: 'live', ...r })) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 0, 1, 2, 3).map((i): Op => ({ t: 'config', i })) },
);

/** What a consumer holds after applying every change: the packet thread's slots, each peer's routes. */
class Consumer {
  readonly slots = new Map<string, L2Slot>();
  readonly table = new OwnerTable(SELF);
  readonly routes = new Map<string, Map<string, Advertisement>>();
  apply(c: AnnounceChanges): void {
    for (const k of c.l2Removes) this.slots.delete(k);
    for (const s of c.l2Upserts) this.slots.set(s.ip, s);
    assert.deepEqual(this.table.apply(c.l2Upserts, c.l2Removes).invalid, [], 'the packet thread takes every slot');
    for (const [p, m] of c.routes) {
      let t = this.routes.get(p);
      if (!t) this.routes.set(p, (t = new Map()));
      for (const [k, a] of m) {
        if (a) t.set(k, a);
        else t.delete(k);
      }
    }
  }
}

const advText = (a: Advertisement): string => `${a.prefix.toString()} lp=${a.localPref ?? '-'} c=${(a.communities ?? []).map(formatCommunity).join(',')} w=${a.weight ?? '-'}`;
const tableText = (m: ReadonlyMap<string, ReadonlyMap<string, Advertisement>>): string[] =>
  [...m].flatMap(([p, t]) => [...t].map(([k, a]) => `${p} ${k} ${advText(a)}`)).sort();

function drain(s: AnnounceState, c: Consumer, maxIPs: number): AnnounceChanges[] {
  const out: AnnounceChanges[] = [];
  for (let i = 0; i < 1000 && s.pending; i++) {
    const ch = s.step(maxIPs);
    c.apply(ch);
    out.push(ch);
  }
  assert.equal(s.pending, false, 'step() finishes');
  return out;
}

describe('announce: AnnounceState (incremental) equals desiredAnnouncements (whole)', () => {
  it('over random sequences of Service, Node, live-set and config changes (property)', () => {
    fc.assert(
      // topK 1 and 2 (of 4 nodes): the owner often comes from the fallback (all K dead).
      fc.property(arbNodes, fc.array(arbOp, { minLength: 1, maxLength: 25 }), fc.constantFrom(1, 3, 1000), fc.constantFrom(1, 2, TOP_K), (nodes0, ops, maxIPs, topK) => {
        const s = new AnnounceState(SELF, { topK });
        const c = new Consumer();
        let cfg: Config | undefined = configs[0];
        let nodes: NodeInfo[] = nodes0;
        let live = new Set(NODES);
        let fenced = false;
        const services = new Map<string, ServiceState>();
        s.setConfig(cfg);
        s.setNodes(nodes);
        s.setLiveness(live, fenced);
        for (const op of ops) {
          switch (op.t) {
            case 'svc':
              services.set(op.st.key, op.st);
              s.setService(op.st.key, op.st);
              break;
            case 'del':
              services.delete(`default/${op.name}`);
              s.setService(`default/${op.name}`, undefined);
              break;
            case 'nodes':
              nodes = op.nodes;
              s.setNodes(nodes);
              break;
            case 'live':
              live = new Set(op.live);
              fenced = op.fenced;
              s.setLiveness(live, fenced);
              break;
            case 'config':
              cfg = op.i < 0 ? undefined : configs[op.i];
              s.setConfig(cfg);
              break;
          }
          drain(s, c, maxIPs);
          if (!cfg) {
            assert.equal(c.slots.size, 0, 'no config: no L2 ranking');
            assert.deepEqual(tableText(c.routes), [], 'no config: no route');
            continue;
          }
          const view = fenced ? new Set([...live].filter((n) => n !== SELF)) : live;
          const d = desiredAnnouncements({ services: [...services.values()], nodes, config: cfg, live: view, self: SELF });
          // L2: the same IPs ranked, each with the same owner; the slot's first live node is it.
          assert.deepEqual([...c.slots.keys()].sort(), [...d.l2.values()].map((e) => e.ip.toString()).sort());
          for (const e of d.l2.values()) {
            assert.equal(s.ownerOf(e.ip), e.owner, `owner of ${e.ip.toString()}`);
            const slot = c.slots.get(e.ip.toString())!;
            const full = s.explainL2(e.ip)!.rank.ranked.map((x) => x.name);
            assert.deepEqual(topNames(slot), full.slice(0, topK), `the slot's top is the full ranking's first ${topK}`);
            assert.equal(pickOwner(e.ip, slot.top, slot.group, (n) => view.has(n)), e.owner, `first live of the ranking of ${e.ip.toString()}`);
            c.table.setLiveness(live, fenced);
            assert.equal(c.table.ownerOf(e.ip.toString()), e.owner, `the packet thread's owner of ${e.ip.toString()}`);
            if (e.owner === SELF) assert.deepEqual(slot.interfaces, e.interfaces);
          }
          // BGP: each peer has exactly the routes the whole computation gives it.
          assert.deepEqual(tableText(c.routes), tableText(perPeerRoutes(d)));
          // Status content per service.
          for (const key of services.keys()) {
            const peers = new Set([...d.bgp.values()].filter((r) => r.services.includes(key)).flatMap((r) => [...r.peers.keys()]));
            assert.deepEqual(s.bgpPeers(key), peers.size ? [...peers].sort() : undefined, `BGP status of ${key}`);
            const mine = [...d.l2.values()].filter((e) => e.owner === SELF && e.services.includes(key));
            const ifaces = new Set(mine.flatMap((e) => (e.interfaces.length ? e.interfaces : ['eth0'])));
            assert.deepEqual(s.l2Interfaces(key, ['eth0']), mine.length ? [...ifaces].sort() : undefined, `L2 status of ${key}`);
          }
        }
        // A relist: every Service delivered again as an equal, new object. Nothing changes.
        for (const st of services.values()) s.setService(st.key, { ...st, ips: st.ips.map((i) => IP.parse(i.toString())), endpoints: st.endpoints.map((e) => ({ ...e })) });
        s.setNodes(nodes.map((n) => ({ ...n, labels: { ...n.labels } })));
        for (const ch of drain(s, c, maxIPs)) {
          assert.deepEqual([ch.l2Upserts.length, ch.l2Removes.length, ch.routes.size, ch.owners.length, ch.statuses.size], [0, 0, 0, 0, 0], 'a relist changes nothing');
        }
        // Every Service deleted: nothing announced, nothing left behind in the indexes.
        for (const key of services.keys()) s.setService(key, undefined);
        drain(s, c, maxIPs);
        assert.equal(c.slots.size, 0);
        assert.deepEqual(tableText(c.routes), []);
        assert.deepEqual(s.sizes, { services: 0, ips: 0, prefixes: 0, servicePrefixes: 0 });
      }),
      { numRuns: 300 },
    );
  });

  it('weighted ECMP: a change in local endpoint count re-sends the route with the new weight; an equal count sends nothing', () => {
    const s = new AnnounceState(SELF);
    s.setConfig(configs[3]);
    s.setNodes(NODES.map((n) => node(n, { zone: 'a' })));
    s.setLiveness(new Set(NODES), false);
    const web = (eps: ReturnType<typeof ep>[]): ServiceState => ({
      key: 'default/web',
      info: { namespace: 'default', name: 'web', labels: {}, externalTrafficPolicy: 'Local', pool: undefined },
      ips: [IP.parse('192.0.2.10')],
      endpoints: eps,
    });
    const c = new Consumer();
    const weights = (): string[] => [...c.routes].map(([p, t]) => `${p}=${[...t.values()].map((a) => a.weight ?? '-').join()}`).sort();
    s.setService('default/web', web([ep(SELF), ep('node2')]));
    drain(s, c, Infinity);
    assert.deepEqual(weights(), ['router1=1', 'router2=1']);
    s.setService('default/web', web([ep(SELF), ep(SELF), ep(SELF, false), ep('node2')]));
    const ch = drain(s, c, Infinity);
    assert.deepEqual(weights(), ['router1=2', 'router2=2']);
    assert.equal(ch.reduce((n, x) => n + [...x.routes.values()].reduce((m, r) => m + r.size, 0), 0), 2, 'one route change per peer');
    // Another node's endpoints change: this node's weight does not, so nothing is sent.
    s.setService('default/web', web([ep(SELF), ep(SELF), ep('node2'), ep('node2')]));
    const same = drain(s, c, Infinity);
    assert.equal(same.reduce((n, x) => n + x.routes.size, 0), 0, JSON.stringify(same.map((x) => [...x.routes.keys()])));
  });

  it('work in proportion to change: one new Service among 2,000 recomputes one IP', () => {
    const s = new AnnounceState(SELF);
    s.setConfig(config({ pools: [pool('prod', ['2001:db8::/112'])], l2: [l2ad()] }));
    s.setNodes(NODES.map((n) => node(n)));
    s.setLiveness(new Set(NODES), false);
    const mk = (i: number): ServiceState => ({
      key: `default/s${i}`,
      info: { namespace: 'default', name: `s${i}`, labels: {}, externalTrafficPolicy: 'Cluster', pool: undefined },
      ips: [IP.fromBigInt(6, 0x20010db8000000000000000000000000n + BigInt(i))],
      endpoints: [ep('node2')],
    });
    for (let i = 0; i < 2000; i++) s.setService(`default/s${i}`, mk(i));
    let processed = 0;
    while (s.pending) processed += s.step().processed;
    assert.equal(processed, 2000);
    s.setService('default/new', { ...mk(5000), key: 'default/new' });
    const ch = s.step();
    assert.equal(ch.processed, 1);
    assert.equal(ch.l2Upserts.length, 1);
    assert.equal(s.pending, false);
    // A live-set change re-picks owners without re-ranking anything.
    s.setLiveness(new Set(['node1', 'node2']), false);
    const lc = s.step();
    assert.equal(lc.processed, 0);
    assert.equal(lc.l2Upserts.length, 0);
    assert.ok(lc.owners.length > 0);
  });

  // 100 nodes, the K best of some IPs all dead: the main thread's pick and the packet thread's
  // (an OwnerTable fed the same slots) both give the first live node of the full ranking.
  const zoned = Array.from({ length: 100 }, (_, i) => node(`worker-${String(i).padStart(3, '0')}`, { zone: i < TOP_K ? 'b' : 'a' }));
  const scenarios: { desc: string; l2: Record<string, unknown>; dead: (full: string[][]) => Set<string>; exhaustedAtLeast: number }[] = [
    { desc: 'no preference, the K best of 5 IPs dead', l2: l2ad(), dead: (full) => new Set(full.slice(0, 5).flatMap((r) => r.slice(0, TOP_K))), exhaustedAtLeast: 5 },
    { desc: 'zone b preferred (K nodes), zone b dead: every IP', l2: l2ad('l2', { preferredNodeSelectors: [{ weight: 1, preference: { matchLabels: { zone: 'b' } } }] }), dead: () => new Set(zoned.slice(0, TOP_K).map((n) => n.name)), exhaustedAtLeast: 300 },
  ];
  for (const sc of scenarios) {
    it(`100 nodes, top-K slots, ${sc.desc}: AnnounceState and the OwnerTable pick the first live node of the full ranking`, () => {
      const names = zoned.map((n) => n.name);
      const s = new AnnounceState(names[50]!);
      s.setConfig(config({ pools: [pool('prod', ['2001:db8::/112'])], l2: [sc.l2] }));
      s.setNodes(zoned);
      s.setLiveness(new Set(names), false);
      const ips = Array.from({ length: 300 }, (_, i) => IP.fromBigInt(6, 0x20010db8000000000000000000000000n + BigInt(i + 1)));
      ips.forEach((ip, i) => s.setService(`default/s${i}`, { key: `default/s${i}`, info: { namespace: 'default', name: `s${i}`, labels: {}, externalTrafficPolicy: 'Cluster', pool: undefined }, ips: [ip], endpoints: [ep(names[i % 100]!)] }));
      const tables = [names[50]!, names[99]!].map((n) => new OwnerTable(n));
      const feed = (ch: AnnounceChanges): void => tables.forEach((t) => assert.deepEqual(t.apply(ch.l2Upserts, ch.l2Removes).invalid, []));
      for (let k = 0; k < 100 && s.pending; k++) feed(s.step(64));
      const full = ips.map((ip) => s.explainL2(ip)!.rank.ranked.map((x) => x.name));
      const slots = s.slots();
      assert.equal(slots.length, ips.length);
      assert.ok(slots.every((x) => x.top.length === TOP_K && x.group.names.length === 100), 'slots carry K nodes of a 100-node group');
      assert.equal(new Set(slots.map((x) => x.group)).size, 1, 'one shared group');
      const dead = sc.dead(full);
      const live = new Set(names.filter((n) => !dead.has(n)));
      const n = ips.filter((_, i) => full[i]!.slice(0, TOP_K).every((x) => dead.has(x))).length;
      assert.ok(n >= sc.exhaustedAtLeast, `${n} IPs with all K dead`);
      s.setLiveness(live, false);
      feed(s.step());
      for (const t of tables) t.setLiveness(live, false);
      ips.forEach((ip, i) => {
        const want = firstLive(full[i]!, live);
        assert.ok(want !== undefined);
        assert.equal(s.ownerOf(ip), want, `AnnounceState's owner of ${ip.toString()}`);
        for (const t of tables) assert.equal(t.ownerOf(ip.toString()), want, `the packet thread's owner of ${ip.toString()}`);
        assert.equal(s.explainL2(ip)!.election.owner, want, 'the explain path agrees');
      });
    });
  }
});
