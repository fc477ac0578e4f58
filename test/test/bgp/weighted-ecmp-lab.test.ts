// Weighted ECMP by local endpoints against FRR 8.4 and BIRD 2 (issue 15 item 4): two nodes
// advertise one externalTrafficPolicy Local /32, their weights computed by the speaker's own code
// from the endpoint counts. FRR (on its own) and BIRD (with the import filter docs/weighted-ecmp.md
// gives) must show the Link Bandwidth communities, program kernel next-hop weights in the endpoint
// ratio, and a client's 300 connections must split in that ratio. The same run
// first measures the unweighted split (BGPAdvertisement without weightByLocalEndpoints) as the
// reference: equal halves. Changing the counts re-weights the route (a new UPDATE).
//
// Tolerance: 300 connections, each placed by the router's L4 hash on a new source port. If the
// hash is fair, a node's count is binomial (n 300, p 1/3: sd 8.2 connections, 2.7 points), so
// +-10 points is 3.7 sd (false alarm < 0.03%), while the unweighted split (p 1/2) falls inside it
// with probability < 1%.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { BirdRouter, FrrRouter, nsRun, nsSpawn, stopProcess, type RouterSpec, type Topology } from '@herald/lab';
import { skipUnless } from '@herald/shared/testing';
import { routers } from '../../src/bgp/api.js';
import { createBgpSite } from '../../src/bgp/lab-site.js';
import { SpeakerProcess } from '../../src/bgp/speaker-process.js';
import { docsBirdFilter, kernelWeights, measureSplit, nameServer, routesFor, weightedConfig } from '../../src/bgp/weighted-split.js';

const IP = '203.0.113.100';
const PREFIX = `${IP}/32`;
const PORT = 8080;
const CONNECTIONS = 300;
const TOLERANCE = 0.1;
const nodes = [
  { node: 'node1', address: '192.0.2.11' },
  { node: 'node2', address: '192.0.2.12' },
];
const base = { pool: '203.0.113.0/24', myASN: 64512, peerASN: 64500, peerAddress: '192.0.2.1' };
const weighted = weightedConfig({ ...base, weighted: true });
const plain = weightedConfig({ ...base, weighted: false });

/** FRR's text for each path's Link Bandwidth community, by next hop. */
async function frrLinkBandwidths(r: FrrRouter): Promise<Record<string, string>> {
  const j = JSON.parse(await r.vtysh(`show bgp ipv4 unicast ${PREFIX} json`)) as { paths?: { nexthops?: { ip: string }[]; extendedCommunity?: { string: string } }[] };
  const out: Record<string, string> = {};
  for (const p of j.paths ?? []) out[p.nexthops?.[0]?.ip ?? '?'] = p.extendedCommunity?.string ?? '-';
  return out;
}

/** BIRD's text for each path's extended communities, by next hop (`show route all`). */
async function birdExtCommunities(r: BirdRouter): Promise<Record<string, string>> {
  const text = await r.birdc(`show route ${PREFIX} all`);
  const out: Record<string, string> = {};
  let hop = '?';
  for (const line of text.split('\n')) {
    const via = /via (\S+)/.exec(line);
    if (via) hop = via[1]!;
    const ec = /BGP\.ext_community: (.*)$/.exec(line);
    if (ec) out[hop] = ec[1]!.trim();
  }
  for (const n of ['192.0.2.11', '192.0.2.12']) out[n] ??= '-';
  return out;
}

/** What each router shows for a node's path, for the endpoints it advertised (undefined: none). */
const want = {
  frr: (n: number | undefined): RegExp => (n === undefined ? /^-$/ : new RegExp(`^LB:64512:${n * 125000} \\(${n}\\.000 Mbps\\)$`)),
  // BIRD prints a community it has no name for as (unknown TYPE, AS, value as a u32).
  bird: (n: number | undefined): RegExp => (n === undefined ? /^-$/ : new RegExp(`^\\(unknown 0x4004, 64512, ${floatBits(n * 125000)}\\)$`)),
};

function floatBits(x: number): number {
  const b = Buffer.alloc(4);
  b.writeFloatBE(x);
  return b.readUInt32BE(0);
}

function waitWeights(topo: Topology, want: (w: Map<string, number>) => boolean, what: string): Promise<Map<string, number>> {
  return routers.poll(`kernel weights: ${what}`, async () => {
    const w = await kernelWeights(topo.ns('router'), PREFIX);
    return w.size === nodes.length && want(w) ? w : undefined;
  }, { tries: 200, intervalMs: 100 });
}

const ratio = (w: Map<string, number>, a: string, b: string): number => w.get(a)! / w.get(b)!;
const near = (x: number, want: number, rel: number): boolean => Math.abs(x - want) <= want * rel;

for (const kind of ['frr', 'bird'] as const) {
  describe(`bgp weighted ECMP by local endpoints against ${kind === 'frr' ? 'FRR 8.4' : 'BIRD 2 with the docs filter'}`, function () {
    this.timeout(180_000);
    let topo: Topology | undefined;
    let router: FrrRouter | BirdRouter | undefined;
    const servers: ChildProcess[] = [];
    const speakers: SpeakerProcess[] = [];
    const figures: Record<string, unknown> = {};

    /** Each node advertises what its own speaker code says for these counts under this config. */
    function advertise(cfg: typeof weighted, counts: Record<string, number>): void {
      nodes.forEach((n, i) => speakers[i]!.advertise(routesFor(cfg, IP, counts, n.node)));
    }

    /** The router's view of each node's community against the weights sent (undefined: none). */
    async function checkCommunities(sent: readonly (number | undefined)[]): Promise<Record<string, string>> {
      const got = router instanceof FrrRouter ? await frrLinkBandwidths(router) : await birdExtCommunities(router!);
      nodes.forEach((n, i) => assert.match(got[n.address] ?? '-', want[kind](sent[i]), `${n.node}: ${JSON.stringify(got)}`));
      return got;
    }

    before(async function () {
      skipUnless(this, { root: true, tools: kind === 'frr' ? ['ip', 'vtysh', '/usr/lib/frr/bgpd', '/usr/lib/frr/zebra'] : ['ip', 'bird', 'birdc'] });
      topo = await createBgpSite(kind === 'frr' ? 'wef' : 'web');
      for (const n of nodes) {
        await nsRun(topo.ns(n.node), ['ip', 'addr', 'add', `${IP}/32`, 'dev', 'lo']);
        await nsRun(topo.ns(n.node), ['ip', 'route', 'add', 'default', 'via', '192.0.2.1']);
        servers.push(nsSpawn(topo.ns(n.node), [process.execPath, '-e', nameServer(n.node, IP, PORT)]));
      }
      const spec: RouterSpec = { ns: topo.ns('router'), routerId: '192.0.2.1', asn: 64500, kernel: true, peers: nodes.map((n) => ({ name: n.node, address: n.address, asn: 64512 })) };
      router = kind === 'frr' ? new FrrRouter(spec) : new BirdRouter({ ...spec, birdFilters: docsBirdFilter() });
      await router.start();
      for (const n of nodes) {
        speakers.push(
          SpeakerProcess.start(topo.ns(n.node), {
            routes: [],
            peers: [{ name: 'r', myASN: 64512, peerASN: 64500, peerAddress: '192.0.2.1', sourceAddress: n.address, holdTime: 3, keepaliveTime: 1 }],
          }),
        );
      }
      await Promise.all(speakers.map((s) => s.waitState('r', 'established', 30_000)));
    });

    after(async () => {
      for (const s of speakers) await s.stop();
      await router?.stop();
      for (const s of servers) await stopProcess(s);
      await topo?.destroy();
      if (Object.keys(figures).length) process.stdout.write(`weighted-ecmp figures ${kind} ${JSON.stringify(figures)}\n`);
    });

    it('reference, without weightByLocalEndpoints: no community sent, equal kernel weights, the connections split in halves', async () => {
      const counts = { node1: 1, node2: 2 };
      assert.deepEqual(routesFor(plain, IP, counts, 'node2'), [{ prefix: PREFIX }], 'no weight without the field');
      advertise(plain, counts);
      const w = await waitWeights(topo!, (x) => x.get('192.0.2.11') === x.get('192.0.2.12'), 'equal');
      await checkCommunities([undefined, undefined]);
      const split = await measureSplit(topo!.ns('client'), IP, PORT, CONNECTIONS);
      figures['unweighted'] = { counts, kernelWeights: Object.fromEntries(w), split };
      const share = (split['node1'] ?? 0) / CONNECTIONS;
      assert.ok(Math.abs(share - 1 / 2) <= TOLERANCE, `node1 share ${share} (${JSON.stringify(split)}), want 1/2 +- ${TOLERANCE}`);
    });

    it('1 endpoint on node1, 2 on node2: Link Bandwidth 1 and 2 Mbps, kernel weights 1:2, about 1/3 and 2/3 of 300 connections', async () => {
      const counts = { node1: 1, node2: 2 };
      assert.deepEqual(routesFor(weighted, IP, counts, 'node1'), [{ prefix: PREFIX, weight: 1 }]);
      assert.deepEqual(routesFor(weighted, IP, counts, 'node2'), [{ prefix: PREFIX, weight: 2 }]);
      advertise(weighted, counts);
      const w = await waitWeights(topo!, (x) => near(ratio(x, '192.0.2.12', '192.0.2.11'), 2, 0.1), 'node2 twice node1');
      const seen = await checkCommunities([1, 2]);
      const split = await measureSplit(topo!.ns('client'), IP, PORT, CONNECTIONS);
      figures['weighted 1:2'] = { counts, router: seen, kernelWeights: Object.fromEntries(w), split };
      assert.equal((split['node1'] ?? 0) + (split['node2'] ?? 0), CONNECTIONS, JSON.stringify(split));
      const share = (split['node1'] ?? 0) / CONNECTIONS;
      assert.ok(Math.abs(share - 1 / 3) <= TOLERANCE, `node1 share ${share} (${JSON.stringify(split)}), want 1/3 +- ${TOLERANCE}`);
    });

    it('the counts change to 3 on node1 and 1 on node2: a new UPDATE re-weights the kernel route to 3:1', async () => {
      const counts = { node1: 3, node2: 1 };
      advertise(weighted, counts);
      const w = await waitWeights(topo!, (x) => near(ratio(x, '192.0.2.11', '192.0.2.12'), 3, 0.1), 'node1 three times node2');
      const seen = await checkCommunities([3, 1]);
      const split = await measureSplit(topo!.ns('client'), IP, PORT, CONNECTIONS);
      figures['weighted 3:1'] = { counts, router: seen, kernelWeights: Object.fromEntries(w), split };
      const share = (split['node1'] ?? 0) / CONNECTIONS;
      assert.ok(Math.abs(share - 3 / 4) <= TOLERANCE, `node1 share ${share} (${JSON.stringify(split)}), want 3/4 +- ${TOLERANCE}`);
    });
  });
}
