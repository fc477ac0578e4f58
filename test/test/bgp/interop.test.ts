// The interop matrix: our speaker (in child processes inside node namespaces) against real BIRD 2,
// FRR and GoBGP. Every cell asserts the router's own CLI output, parsed.
import assert from 'node:assert/strict';
import { nsRun, type Topology } from '@herald/lab';
import { skipUnless } from '@herald/testkit';
import { createBgpSite } from '../../src/bgp/lab-site.js';
import { SpeakerProcess } from '../../src/bgp/speaker-process.js';
import { routers, type RibRoute, type RouterDriver, type RouterKind } from '../../src/bgp/api.js';

const ROUTER_AS = 64500;
const NODE1_AS = 4200000001; // 4-byte ASN
const NODE3_AS = 64513;
const PASSWORD = 'herald-md5-secret';
const timers = { holdTime: 3, keepaliveTime: 1 };
/** The capabilities every cell asserts (the routers show others too: their names vary). */
const CAPS = ['4-octet-as', 'graceful-restart', 'mp-ipv4-unicast', 'mp-ipv6-unicast', 'route-refresh'];
/** Announced by the router to every peer: our speaker must count it and never install it. */
const ROUTER_ROUTE = '198.51.100.128/25';

function routerPeers() {
  return [
    { name: 'n1e4', address: '192.0.2.11', asn: NODE1_AS, families: [4, 6] as (4 | 6)[] },
    { name: 'n1e6', address: '2001:db8::11', asn: NODE1_AS },
    { name: 'n1gtsm', address: '192.0.2.21', asn: NODE1_AS, ttlSecurity: true },
    { name: 'n1nogtsm', address: '192.0.2.31', asn: NODE1_AS, ttlSecurity: true },
    { name: 'n2i4', address: '192.0.2.12', asn: ROUTER_AS },
    { name: 'n2i6', address: '2001:db8::12', asn: ROUTER_AS },
    { name: 'n3md5', address: '192.0.2.13', asn: NODE3_AS, password: PASSWORD },
    { name: 'n3mh', address: '192.0.2.23', asn: NODE3_AS, multihop: true, localAddress: '198.51.100.1' },
    { name: 'n3bad', address: '192.0.2.33', asn: NODE3_AS, password: PASSWORD },
  ];
}

function startSpeakers(topo: Topology): SpeakerProcess[] {
  const std = (v: number) => ({ type: 'standard' as const, asn: 64512, value: v });
  return [
    SpeakerProcess.start(topo.ns('node1'), {
      routes: [],
      peers: [
        { name: 'e4', myASN: NODE1_AS, peerASN: ROUTER_AS, peerAddress: '192.0.2.1', ...timers, routes: [{ prefix: '203.0.113.1/32', communities: [std(101), { type: 'large', global: NODE1_AS, local1: 7, local2: 42 }] }, { prefix: '2001:db8:41::/64' }] },
        { name: 'gtsm', myASN: NODE1_AS, peerASN: ROUTER_AS, peerAddress: '192.0.2.1', sourceAddress: '192.0.2.21', gtsm: true, ...timers, routes: [{ prefix: '203.0.113.6/32' }] },
        { name: 'nogtsm', myASN: NODE1_AS, peerASN: ROUTER_AS, peerAddress: '192.0.2.1', sourceAddress: '192.0.2.31', ...timers, routes: [{ prefix: '203.0.113.7/32' }] },
        { name: 'e6', myASN: NODE1_AS, peerASN: ROUTER_AS, peerAddress: '2001:db8::1', ...timers, routes: [{ prefix: '2001:db8:1::/64', communities: [std(106)] }] },
      ],
    }),
    SpeakerProcess.start(topo.ns('node2'), {
      routes: [],
      peers: [
        { name: 'i4', myASN: ROUTER_AS, peerASN: ROUTER_AS, peerAddress: '192.0.2.1', gracefulRestart: true, ...timers, routes: [{ prefix: '203.0.113.2/32', localPref: 250 }] },
        { name: 'i6', myASN: ROUTER_AS, peerASN: ROUTER_AS, peerAddress: '2001:db8::1', ...timers, routes: [{ prefix: '2001:db8:2::/64', localPref: 300 }] },
      ],
    }),
    SpeakerProcess.start(topo.ns('node3'), {
      routes: [],
      peers: [
        { name: 'md5', myASN: NODE3_AS, peerASN: ROUTER_AS, peerAddress: '192.0.2.1', sourceAddress: '192.0.2.13', password: PASSWORD, ...timers, routes: [{ prefix: '203.0.113.3/32' }] },
        { name: 'mh', myASN: NODE3_AS, peerASN: ROUTER_AS, peerAddress: '198.51.100.1', sourceAddress: '192.0.2.23', ebgpMultiHop: true, ...timers, routes: [{ prefix: '203.0.113.4/32' }] },
        { name: 'bad', myASN: NODE3_AS, peerASN: ROUTER_AS, peerAddress: '192.0.2.1', sourceAddress: '192.0.2.33', password: 'not-the-password', ...timers, routes: [{ prefix: '203.0.113.5/32' }] },
      ],
    }),
  ];
}

async function waitRoutes(r: RouterDriver, family: 4 | 6, prefixes: string[]): Promise<RibRoute[]> {
  return routers.poll(`${r.kind} RIB ipv${family} holding ${prefixes.join(', ')}`, async () => {
    const rs = await r.routes(family);
    return prefixes.every((p) => rs.some((x) => x.prefix === p)) ? rs : undefined;
  }, { tries: 100, intervalMs: 100 });
}

function one(rs: RibRoute[], prefix: string): RibRoute {
  const m = rs.filter((r) => r.prefix === prefix);
  assert.equal(m.length, 1, `exactly one path for ${prefix}: ${JSON.stringify(m)}`);
  return m[0]!;
}

describe('bgp interop matrix: our speaker against BIRD, FRR and GoBGP', function () {
  this.timeout(120_000);
  let topo: Topology | undefined;

  before(async function () {
    skipUnless(this, { root: true, tools: ['ip', 'bird', 'birdc', 'gobgpd', 'gobgp', 'vtysh'] });
    topo = await createBgpSite('bi');
  });

  after(async () => {
    await topo?.destroy();
  });

  for (const kind of ['bird', 'frr', 'gobgp'] as RouterKind[]) {
    describe(`${kind} as the router`, () => {
      let router: RouterDriver | undefined;
      let speakers: SpeakerProcess[] = [];
      let v4: RibRoute[] = [];
      let v6: RibRoute[] = [];

      before(async () => {
        router = routers.createRouter(kind, { ns: topo!.ns('router'), routerId: '192.0.2.1', asn: ROUTER_AS, peers: routerPeers(), originate: [ROUTER_ROUTE], kernel: true, ...timers });
        await router.start();
        speakers = startSpeakers(topo!);
        const [s1, s2, s3] = speakers;
        await Promise.all([s1!.waitState('e4', 'established'), s1!.waitState('e6', 'established'), s2!.waitState('i4', 'established'), s2!.waitState('i6', 'established'), s3!.waitState('md5', 'established'), s3!.waitState('mh', 'established'), s1!.waitState('gtsm', 'established')]);
        v4 = await waitRoutes(router, 4, ['203.0.113.1/32', '203.0.113.2/32', '203.0.113.3/32', '203.0.113.4/32', '203.0.113.6/32']);
        v6 = await waitRoutes(router, 6, ['2001:db8:1::/64', '2001:db8:2::/64', '2001:db8:41::/64']);
      });

      after(async () => {
        for (const s of speakers) await s.stop();
        await router?.stop();
      });

      it('the router shows every good session Established, the wrong-MD5 one not', async () => {
        const ss = await router!.sessions();
        const state = (n: string) => ss.find((s) => s.peer === n)?.state;
        for (const n of ['n1e4', 'n1e6', 'n1gtsm', 'n2i4', 'n2i6', 'n3md5', 'n3mh']) assert.equal(state(n), 'established', `${n}: ${JSON.stringify(ss)}`);
        for (const n of ['n3bad', 'n1nogtsm']) assert.notEqual(state(n), 'established', n);
        assert.notEqual(speakers[2]!.state('bad'), 'established', 'wrong MD5 key: SYNs are dropped');
        // No speaker-side check for 'nogtsm': FRR and GoBGP set IP_MINTTL on the accepted socket,
        // so our first segment can slip in before it and we may see the router's OPEN and
        // KEEPALIVE; the router never sees ours, and the router's view is what counts.
      });

      it("OPEN capabilities as the router received them: graceful restart only where the BGPPeer asks for it", async () => {
        const got = async (peer: string) => (await router!.neighborCapabilities(peer)).filter((c) => CAPS.includes(c));
        // i4 (enableGracefulRestart): every capability. Our OPEN offers IPv4 and IPv6 on every
        // session, so the router sees IPv6 too even where it has only IPv4 configured.
        assert.deepEqual(await got('n2i4'), CAPS);
        // e4 (no graceful restart; an IPv4 session carrying IPv6 as well): the same without GR.
        assert.deepEqual(await got('n1e4'), CAPS.filter((c) => c !== 'graceful-restart'));
      });

      it('eBGP IPv4 with a 4-byte ASN: AS path, next hop, communities and large communities intact', () => {
        const r = one(v4, '203.0.113.1/32');
        assert.deepEqual(r.asPath, [NODE1_AS]);
        assert.deepEqual(r.nextHops, ['192.0.2.11']);
        assert.equal(r.origin, 'igp');
        assert.deepEqual(r.communities, ['64512:101']);
        assert.deepEqual(r.largeCommunities, [`${NODE1_AS}:7:42`]);
      });

      it('eBGP IPv6 (MP-BGP): next hop is our global address (plus link-local where shown)', () => {
        const r = one(v6, '2001:db8:1::/64');
        assert.deepEqual(r.asPath, [NODE1_AS]);
        assert.equal(r.nextHops[0], '2001:db8::11');
        for (const nh of r.nextHops.slice(1)) assert.match(nh, /^fe80:/);
        assert.deepEqual(r.communities, ['64512:106']);
      });

      it('IPv6 NLRI over the IPv4 session (MP_REACH_NLRI): next hop is our IPv6 address on that link', () => {
        const r = one(v6, '2001:db8:41::/64');
        assert.equal(r.nextHops[0], '2001:db8::11');
        assert.deepEqual(r.asPath, [NODE1_AS]);
      });

      it('iBGP IPv4 and IPv6: LOCAL_PREF arrives, AS path empty', () => {
        const r4 = one(v4, '203.0.113.2/32');
        assert.equal(r4.localPref, 250);
        assert.deepEqual(r4.asPath, []);
        assert.deepEqual(r4.nextHops, ['192.0.2.12']);
        const r6 = one(v6, '2001:db8:2::/64');
        assert.equal(r6.localPref, 300);
        assert.equal(r6.nextHops[0], '2001:db8::12');
      });

      it('eBGP routes carry no LOCAL_PREF from us (the router applies its default or none)', () => {
        const r = one(v4, '203.0.113.1/32');
        assert.ok(r.localPref === undefined || r.localPref === 100, `localPref ${r.localPref}`);
      });

      it('TCP MD5: the session with the right password carries its route; the wrong password gets nothing in', () => {
        assert.deepEqual(one(v4, '203.0.113.3/32').nextHops, ['192.0.2.13']);
        assert.equal(v4.filter((r) => r.prefix === '203.0.113.5/32').length, 0);
      });

      it("the router's own route is received and counted, never installed on the node", async () => {
        const st = await routers.poll('speaker counted the router route', async () => {
          const ss = await speakers[0]!.status();
          return ss.find((s) => s.name === 'e4' && s.prefixesReceived >= 1);
        }, { tries: 50 });
        assert.ok(st.prefixesReceived >= 1);
        const table = await nsRun(topo!.ns('node1'), ['ip', 'route', 'show', 'table', 'all']);
        assert.ok(!table.includes('198.51.100.128'), table);
      });

      it('GTSM: with TTL 255 the session carries its route; sending TTL 1 to a GTSM router gets nothing in', () => {
        assert.deepEqual(one(v4, '203.0.113.6/32').nextHops, ['192.0.2.21']);
        assert.equal(v4.filter((r) => r.prefix === '203.0.113.7/32').length, 0);
      });

      it('eBGP multihop from a bound source address to the router loopback', () => {
        const r = one(v4, '203.0.113.4/32');
        assert.deepEqual(r.nextHops, ['192.0.2.23']);
        assert.deepEqual(r.asPath, [NODE3_AS]);
      });
    });
  }
});
