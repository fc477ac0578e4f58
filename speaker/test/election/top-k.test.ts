// The bulk ranking (top-K over a candidate group) against the full one (rank(), compareRanked):
// the same order for the first K, and the same owner as the first live node of the full ranking
// whatever is dead, including when every one of the K is.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IP, type Labels, type Selector } from '@herald/shared';
import { bestOf, candidateGroup, exhausted, firstLive, GroupInterner, groupProblem, pickOwner, rank, rendezvousHash, TOP_K, topK, type Candidate, type CandidateGroup } from '../../src/election/index.js';

/**
 * Name pairs whose node seeds collide (found by a birthday search over "node-<i>"): their
 * rendezvous hashes are equal for every IP, so only the name orders them. Asserted below, so the
 * fixture cannot silently stop being a tie.
 */
const TIES: readonly (readonly [string, string])[] = [
  ['node-46614', 'node-50918'],
  ['node-40490', 'node-60526'],
  ['node-19081', 'node-86889'],
];

/** Score = how many of "score>=1", "score>=2", "score>=3" hold for the node's `score` label. */
const preferred: Selector[] = [1, 2, 3].map((t) => ({ text: `score>=${t}`, matches: (l: Labels) => Number(l.score ?? '0') >= t }));

const arbIP: fc.Arbitrary<IP> = fc.oneof(
  fc.tuple(fc.constantFrom('192.0.2', '198.51.100', '203.0.113'), fc.integer({ min: 0, max: 255 })).map(([p, x]) => IP.parse(`${p}.${x}`)),
  fc.bigInt({ min: 0n, max: (1n << 96n) - 1n }).map((x) => IP.fromBigInt(6, 0x20010db8000000000000000000000000n + x)),
);

interface World {
  readonly nodes: { name: string; tier: number; score: number }[];
}

const arbWorld: fc.Arbitrary<World> = fc
  .record({
    names: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9.-]{0,14}$/), { maxLength: 40 }),
    ties: fc.subarray([...TIES]),
    tiered: fc.boolean(),
    seed: fc.infiniteStream(fc.record({ tier: fc.integer({ min: 0, max: 2 }), score: fc.integer({ min: 0, max: 3 }) })),
  })
  .map((r) => {
    const names = [...new Set([...r.names, ...r.ties.flat()])];
    const it = r.seed[Symbol.iterator]();
    return { nodes: names.map((name) => ({ name, ...(r.tiered ? it.next().value : { tier: 0, score: 0 }) })) };
  });

const candidates = (w: World): Candidate[] => w.nodes.map((n) => ({ name: n.name, labels: { score: String(n.score) }, tier: n.tier }));
const groupOf = (w: World): CandidateGroup =>
  candidateGroup(
    w.nodes.map((n) => n.name),
    w.nodes.map((n) => n.tier),
    w.nodes.map((n) => n.score),
  );
const fullRank = (ip: IP, w: World): string[] => rank(ip, candidates(w), preferred).map((x) => x.name);

describe('election/top-k: the bulk ranking is the full ranking cut at K', () => {
  it('the tie fixtures tie (equal hashes for every IP)', () => {
    for (const ipText of ['192.0.2.7', '198.51.100.1', '2001:db8::7', '2001:db8:ffff::1'])
      for (const [a, b] of TIES) assert.equal(rendezvousHash(a, IP.parse(ipText)), rendezvousHash(b, IP.parse(ipText)), `${a} and ${b} on ${ipText}`);
  });

  it('topK(k) is the first k of rank(), over random nodes, tiers, scores, IPs and ties (property)', () => {
    fc.assert(
      fc.property(arbWorld, fc.array(arbIP, { minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 45 }), (w, ips, k) => {
        const g = groupOf(w);
        for (const ip of ips) {
          const want = fullRank(ip, w).slice(0, k);
          assert.deepEqual([...topK(ip, g, k)].map((i) => g.names[i]), want, `${ip.toString()} k=${k}`);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('the owner is the first live node of the full ranking, even when all K are dead (property)', () => {
    fc.assert(
      fc.property(arbWorld, arbIP, fc.integer({ min: 1, max: 10 }), fc.infiniteStream(fc.boolean()), fc.boolean(), (w, ip, k, coin, killTop) => {
        const g = groupOf(w);
        const full = fullRank(ip, w);
        const top = topK(ip, g, k);
        const it = coin[Symbol.iterator]();
        // Either kill the whole top (the fallback) or a random subset.
        const dead = new Set(killTop ? [...top].map((i) => g.names[i]!) : w.nodes.filter(() => it.next().value).map((n) => n.name));
        const live = new Set(w.nodes.map((n) => n.name).filter((n) => !dead.has(n)));
        const ok = (n: string): boolean => live.has(n);
        assert.equal(pickOwner(ip, top, g, ok), firstLive(full, live));
        assert.equal(bestOf(ip, g, ok), firstLive(full, live));
        assert.equal(exhausted(top, g, ok), [...top].every((i) => dead.has(g.names[i]!)) && top.length < g.names.length);
      }),
      { numRuns: 400 },
    );
  });

  it('100 nodes, 2,000 IPs, the top K of each dead in turn: the same owners as the full ranking', () => {
    const w: World = { nodes: Array.from({ length: 100 }, (_, i) => ({ name: `worker-${i}.rack${i % 10}`, tier: 1, score: i % 10 === 3 ? 1 : 0 })) };
    const g = groupOf(w);
    let fallbacks = 0;
    for (let i = 0; i < 2000; i++) {
      const ip = IP.fromBigInt(6, 0x20010db8000000000000000000000000n + BigInt(i * 7919));
      const full = fullRank(ip, w);
      const top = topK(ip, g);
      assert.deepEqual([...top].map((x) => g.names[x]), full.slice(0, TOP_K));
      const live = new Set(full.slice(i % 2 === 0 ? TOP_K : 3));
      const ok = (n: string): boolean => live.has(n);
      if (exhausted(top, g, ok)) fallbacks++;
      assert.equal(pickOwner(ip, top, g, ok), firstLive(full, live));
    }
    assert.equal(fallbacks, 1000, 'every other IP went through the fallback');
  });

  it('k >= the group size is the full ranking; an empty group has no owner', () => {
    const w: World = { nodes: ['a', 'b', 'c', 'd'].map((name, i) => ({ name, tier: i % 2, score: 0 })) };
    const g = groupOf(w);
    const ip = IP.parse('192.0.2.9');
    assert.deepEqual([...topK(ip, g, 4)].map((i) => g.names[i]), fullRank(ip, w));
    assert.deepEqual([...topK(ip, g, 99)].map((i) => g.names[i]), fullRank(ip, w));
    assert.equal(pickOwner(ip, topK(ip, g, 99), g, () => false), undefined);
    const empty = candidateGroup([]);
    assert.deepEqual([...topK(ip, empty)], []);
    assert.equal(pickOwner(ip, topK(ip, empty), empty, () => true), undefined);
  });
});

describe('election/candidate-group', () => {
  it('the interner shares equal groups, tells different ones apart, and stays bounded', () => {
    const gi = new GroupInterner(3);
    const a = gi.intern(['n1', 'n2'], [1, 1], [0, 0]);
    assert.equal(gi.intern(['n1', 'n2'], [1, 1], [0, 0]), a);
    const cases: [string[], number[], number[]][] = [
      [['n2', 'n1'], [1, 1], [0, 0]],
      [['n1', 'n2'], [1, 2], [0, 0]],
      [['n1', 'n2'], [1, 1], [0, 1]],
      [['n1'], [1], [0]],
    ];
    for (const [n, t, s] of cases) {
      const g = gi.intern(n, t, s);
      assert.notEqual(g, a);
      assert.deepEqual(g, { names: n, tiers: t, scores: s });
    }
    assert.ok(gi.size <= 3, `bounded: ${gi.size}`);
    assert.deepEqual(gi.intern(['n1', 'n2'], [1, 1], [0, 0]), a, 'equal contents after it forgot');
  });

  const problems: { desc: string; group: unknown; want: string | undefined }[] = [
    { desc: 'a good group', group: { names: ['a', 'b'], tiers: [1, 0], scores: [0, 2] }, want: undefined },
    { desc: 'not arrays', group: { names: 'a', tiers: [], scores: [] }, want: 'not-arrays' },
    { desc: 'lengths differ', group: { names: ['a'], tiers: [], scores: [0] }, want: 'length-mismatch' },
    { desc: 'an empty name', group: { names: [''], tiers: [0], scores: [0] }, want: 'bad-name' },
    { desc: 'a name twice', group: { names: ['a', 'a'], tiers: [0, 0], scores: [0, 0] }, want: 'duplicate-name' },
    { desc: 'a tier that is not a number', group: { names: ['a'], tiers: ['1'], scores: [0] }, want: 'bad-number' },
    { desc: 'a NaN score', group: { names: ['a'], tiers: [0], scores: [NaN] }, want: 'bad-number' },
  ];
  for (const c of problems) it(`groupProblem: ${c.desc}`, () => assert.equal(groupProblem(c.group as CandidateGroup)?.type, c.want));
});
