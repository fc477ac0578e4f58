import assert from 'node:assert/strict';
import fc from 'fast-check';
import { IP, type Labels, type Selector } from '@herald/shared';
import { elect, type Candidate } from '../../src/election/index.js';
import { rendezvousHash } from '../../src/election/hash.js';

/** A label-equality selector, standing in for the config parser's compiled selectors. */
function sel(key: string, value: string): Selector {
  return { text: `${key}=${value}`, matches: (l: Labels) => l[key] === value };
}

const ip = IP.parse('203.0.113.10');
const node = (name: string, labels: Labels = {}, ineligible?: { type: string }): Candidate => ({ name, labels, ineligible });

describe('election', () => {
  it('hashes stably (golden values: murmur3_32 over the node key from SHA-256 and the IP words)', () => {
    // Golden values from an independent Python implementation of MurmurHash3_x86_32 (checked
    // against the published vectors "hello" -> 0x248bfa47 and the seeded quick-brown-fox one)
    // over LE32(sha256(node)[0:4] as u32 BE), LE32(sha256(node)[4:8]), LE32(family), then the
    // address's four 32-bit words, most significant first (IPv4: one word, zero-padded).
    assert.equal(rendezvousHash('node1', ip), 0x43a1f5ca);
    assert.equal(rendezvousHash('node2', IP.parse('2001:db8::1')), 0x3b47cc82);
    // Spelling does not matter: canonical text is hashed.
    assert.equal(rendezvousHash('n', IP.parse('2001:db8::1')), rendezvousHash('n', IP.parse('2001:0db8:0:0::0001')));
  });

  const hashOrder = ['node1', 'node2', 'node3'].sort((a, b) => (rendezvousHash(a, ip) < rendezvousHash(b, ip) ? -1 : 1));
  const [first, second, third] = hashOrder as [string, string, string];

  const cases: { desc: string; input: { nodes: Candidate[]; preferred?: Selector[] }; want: { owner: string | undefined; notChosen: Record<string, string> } }[] = [
    {
      desc: 'lowest hash wins without preferences',
      input: { nodes: [node('node1'), node('node2'), node('node3')] },
      want: { owner: first, notChosen: { [second]: `outranked by ${first} (hash)`, [third]: `outranked by ${first} (hash)` } },
    },
    {
      desc: 'a preferred node wins over a lower hash',
      input: { nodes: [node('node1', { zone: 'a' }), node('node2', { zone: 'a' }), node('node3', { zone: 'a' }), node('pref', { zone: 'b' })], preferred: [sel('zone', 'b')] },
      want: { owner: 'pref', notChosen: { node1: 'outranked by pref (preference)', node2: 'outranked by pref (preference)', node3: 'outranked by pref (preference)' } },
    },
    {
      desc: 'the score counts matching selectors',
      input: { nodes: [node('x', { a: '1' }), node('y', { a: '1', b: '1' })], preferred: [sel('a', '1'), sel('b', '1')] },
      want: { owner: 'y', notChosen: { x: 'outranked by y (preference)' } },
    },
    {
      desc: 'ineligible nodes are skipped with their reason',
      input: { nodes: [node(first, {}, { type: 'no-local-endpoints' }), node(second), node(third, {}, { type: 'not-live' })] },
      want: { owner: second, notChosen: { [first]: 'not eligible: no-local-endpoints', [third]: 'not eligible: not-live' } },
    },
    {
      desc: 'nobody eligible: no owner',
      input: { nodes: [node('node1', {}, { type: 'excluded-by-label' })] },
      want: { owner: undefined, notChosen: { node1: 'not eligible: excluded-by-label' } },
    },
    { desc: 'no nodes', input: { nodes: [] }, want: { owner: undefined, notChosen: {} } },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const e = elect(ip, c.input.nodes, c.input.preferred);
      const notChosen = Object.fromEntries(
        [...e.notChosen].map(([n, r]) => [n, r.type === 'not-eligible' ? `not eligible: ${r.reason.type}` : `outranked by ${r.by} (${r.cause})`]),
      );
      assert.deepEqual({ owner: e.owner, notChosen }, c.want);
    });
  }

  const names = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), { minLength: 1, maxLength: 12 });
  const ips = fc.uniqueArray(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 40 }).map((xs) => xs.map((x) => IP.parse(`203.0.113.${x}`)));

  it('every speaker computes the same owner, whatever the order of its inputs (property)', () => {
    fc.assert(
      fc.property(names, ips, fc.integer(), (ns, is, seed) => {
        const shuffled = [...ns].sort((a, b) => ((rendezvousHash(a, IP.parse('192.0.2.1')) ^ (seed & 0xffff)) >>> 0) - ((rendezvousHash(b, IP.parse('192.0.2.1')) ^ (seed & 0xffff)) >>> 0));
        for (const i of is) assert.equal(elect(i, ns.map((n) => node(n))).owner, elect(i, shuffled.map((n) => node(n))).owner);
      }),
    );
  });

  it('adding a node moves only the IPs that now hash to it (property)', () => {
    fc.assert(
      fc.property(names, ips, fc.stringMatching(/^[a-z][a-z0-9-]{0,12}$/), (ns, is, extra) => {
        fc.pre(!ns.includes(extra));
        const before = is.map((i) => elect(i, ns.map((n) => node(n))).owner);
        const after = is.map((i) => elect(i, [...ns, extra].map((n) => node(n))).owner);
        is.forEach((_, k) => {
          if (after[k] !== before[k]) assert.equal(after[k], extra, 'an IP moved to a node other than the new one');
        });
      }),
    );
  });

  it('removing a node moves only the IPs it owned (property)', () => {
    fc.assert(
      fc.property(names, ips, fc.nat(), (ns, is, k) => {
        const gone = ns[k % ns.length]!;
        const before = is.map((i) => elect(i, ns.map((n) => node(n))).owner);
        const after = is.map((i) => elect(i, ns.filter((n) => n !== gone).map((n) => node(n))).owner);
        is.forEach((_, j) => {
          if (before[j] !== gone) assert.equal(after[j], before[j]);
          else assert.notEqual(after[j], gone);
        });
      }),
    );
  });

  it('spreads 1000 IPs over 3 nodes roughly evenly', () => {
    const count = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const owner = elect(IP.fromBigInt(6, 0x20010db8000000000000000000000000n + BigInt(i)), ['node1', 'node2', 'node3'].map((n) => node(n))).owner!;
      count.set(owner, (count.get(owner) ?? 0) + 1);
    }
    for (const [n, c] of count) assert.ok(c > 250 && c < 420, `${n} owns ${c} of 1000`);
  });
});
