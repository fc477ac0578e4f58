// Weighted ECMP by local endpoints against FRR 8.4 and BIRD 2 (issue 15 item 4): two nodes
// advertise one externalTrafficPolicy Local /32, their weights computed by the speaker's own code
// from the endpoint counts (test/src/bgp/weighted-split.ts). FRR (on its own) and BIRD (with the
// import filter docs/weighted-ecmp.md gives) must show the Link Bandwidth communities, program
// kernel next-hop weights in the endpoint ratio, and a client's 300 connections must split in
// that ratio. The same run first measures the unweighted split (BGPAdvertisement without
// weightByLocalEndpoints) as the reference: equal halves. Changing the counts re-weights the
// route (a new UPDATE).
//
// Tolerance: 300 connections, each placed by the router's L4 hash on a new source port. If the
// hash is fair, a node's count is binomial (n 300, p 1/3: sd 8.2 connections, 2.7 points), so
// +-10 points is 3.7 sd (false alarm < 0.03%), while the unweighted split (p 1/2) falls inside it
// with probability < 1%.
import assert from 'node:assert/strict';
import { skipUnless } from '@herald/testkit';
import { SERVICE_IP, SERVICE_PREFIX, WeightedSite, expectedCommunity, routesFor, weightedOff, weightedOn } from '../../src/bgp/weighted-split.js';

const CONNECTIONS = 300;
const TOLERANCE = 0.1;
const N1 = '192.0.2.11';
const N2 = '192.0.2.12';

const ratio = (w: Map<string, number>, a: string, b: string): number => w.get(a)! / w.get(b)!;
const near = (x: number, want: number, rel: number): boolean => Math.abs(x - want) <= want * rel;

for (const kind of ['frr', 'bird'] as const) {
  describe(`bgp weighted ECMP by local endpoints against ${kind === 'frr' ? 'FRR 8.4' : 'BIRD 2 with the docs filter'}`, function () {
    this.timeout(180_000);
    let site: WeightedSite | undefined;
    const figures: Record<string, unknown> = {};

    /** The router's view of each node's community against the weights sent. */
    async function checkCommunities(sent: readonly (number | undefined)[]): Promise<Record<string, string>> {
      const got = await site!.communities();
      [N1, N2].forEach((a, i) => assert.match(got[a] ?? '-', expectedCommunity[kind](sent[i]), `node${i + 1}: ${JSON.stringify(got)}`));
      return got;
    }

    before(async function () {
      skipUnless(this, { root: true, tools: kind === 'frr' ? ['ip', 'vtysh', '/usr/lib/frr/bgpd', '/usr/lib/frr/zebra'] : ['ip', 'bird', 'birdc'] });
      site = await WeightedSite.start(kind, kind === 'frr' ? 'wef' : 'web');
    });

    after(async () => {
      await site?.stop();
      if (Object.keys(figures).length) process.stdout.write(`weighted-ecmp figures ${kind} ${JSON.stringify(figures)}\n`);
    });

    it('reference, without weightByLocalEndpoints: no community sent, equal kernel weights, the connections split in halves', async () => {
      const counts = { node1: 1, node2: 2 };
      assert.deepEqual(routesFor(weightedOff, SERVICE_IP, counts, 'node2'), [{ prefix: SERVICE_PREFIX }], 'no weight without the field');
      const sent = site!.advertise(weightedOff, counts);
      const w = await site!.waitWeights((x) => x.get(N1) === x.get(N2), 'equal');
      await checkCommunities(sent);
      const split = await site!.split(CONNECTIONS);
      figures['unweighted'] = { counts, kernelWeights: Object.fromEntries(w), split };
      const share = (split['node1'] ?? 0) / CONNECTIONS;
      assert.ok(Math.abs(share - 1 / 2) <= TOLERANCE, `node1 share ${share} (${JSON.stringify(split)}), want 1/2 +- ${TOLERANCE}`);
    });

    it('1 endpoint on node1, 2 on node2: Link Bandwidth 1 and 2 Mbps, kernel weights 1:2, about 1/3 and 2/3 of 300 connections', async () => {
      const counts = { node1: 1, node2: 2 };
      const sent = site!.advertise(weightedOn, counts);
      assert.deepEqual(sent, [1, 2], 'the speaker code weighs by local endpoints');
      const w = await site!.waitWeights((x) => near(ratio(x, N2, N1), 2, 0.1), 'node2 twice node1');
      const seen = await checkCommunities(sent);
      const split = await site!.split(CONNECTIONS);
      figures['weighted 1:2'] = { counts, router: seen, kernelWeights: Object.fromEntries(w), split };
      assert.equal((split['node1'] ?? 0) + (split['node2'] ?? 0), CONNECTIONS, JSON.stringify(split));
      const share = (split['node1'] ?? 0) / CONNECTIONS;
      assert.ok(Math.abs(share - 1 / 3) <= TOLERANCE, `node1 share ${share} (${JSON.stringify(split)}), want 1/3 +- ${TOLERANCE}`);
    });

    it('the counts change to 3 on node1 and 1 on node2: a new UPDATE re-weights the kernel route to 3:1', async () => {
      const counts = { node1: 3, node2: 1 };
      const sent = site!.advertise(weightedOn, counts);
      assert.deepEqual(sent, [3, 1]);
      const w = await site!.waitWeights((x) => near(ratio(x, N1, N2), 3, 0.1), 'node1 three times node2');
      const seen = await checkCommunities(sent);
      const split = await site!.split(CONNECTIONS);
      figures['weighted 3:1'] = { counts, router: seen, kernelWeights: Object.fromEntries(w), split };
      const share = (split['node1'] ?? 0) / CONNECTIONS;
      assert.ok(Math.abs(share - 3 / 4) <= TOLERANCE, `node1 share ${share} (${JSON.stringify(split)}), want 3/4 +- ${TOLERANCE}`);
    });
  });
}
