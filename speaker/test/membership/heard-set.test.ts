// The compact heard-list (heard-set.ts): the member index both ends share, the bitmap and hashes
// encodings, and how a receiver reads them back against its own index - in particular that it
// never reads "named" where the sender did not name it (the direction that matters for (I)).
import { strict as assert } from 'node:assert';
import {
  bitsetBytes, forEachChangedBit, hasBit, MemberIndex, nameHash, resolveHeard, setBit, toHeardField, type Bitset, type HeardField,
} from '../../src/membership/heard-set.js';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `node-${String(i).padStart(3, '0')}`);

function bits(n: number, on: readonly number[]): Bitset {
  const b = new Uint8Array(bitsetBytes(n));
  for (const i of on) setBit(b, i);
  return b;
}

function named(index: MemberIndex, b: Bitset): string[] {
  return index.names.filter((_, i) => hasBit(b, i));
}

describe('membership/heard-set', () => {
  describe('bitsets', () => {
    const cases: { desc: string; input: { n: number; a: number[]; b: number[] }; want: number[] }[] = [
      { desc: 'no change', input: { n: 20, a: [1, 9], b: [1, 9] }, want: [] },
      { desc: 'one bit on, one off, across bytes', input: { n: 20, a: [1, 9], b: [1, 17] }, want: [9, 17] },
      { desc: 'every bit of a byte flipped', input: { n: 8, a: [], b: [0, 1, 2, 3, 4, 5, 6, 7] }, want: [0, 1, 2, 3, 4, 5, 6, 7] },
      { desc: 'the last bit of a ragged bitmap', input: { n: 13, a: [12], b: [] }, want: [12] },
    ];
    for (const c of cases) {
      it(`changed bits: ${c.desc}`, () => {
        const got: number[] = [];
        forEachChangedBit(bits(c.input.n, c.input.a), bits(c.input.n, c.input.b), (i) => got.push(i));
        assert.deepEqual(got, c.want);
      });
    }

    it('bit i is MSB first within its byte (the wire order)', () => {
      assert.deepEqual([...bits(11, [1, 10])], [0x40, 0x20]);
    });
  });

  describe('member index', () => {
    it('sorts by bytes, dedups, and the digest depends on the set only', () => {
      const a = new MemberIndex(['b', 'a', 'c', 'a']);
      const b = new MemberIndex(['c', 'b', 'a']);
      assert.deepEqual(a.names, ['a', 'b', 'c']);
      assert.equal(a.digest, b.digest);
      assert.notEqual(a.digest, new MemberIndex(['a', 'b']).digest);
      assert.notEqual(a.digest, new MemberIndex(['a', 'b', 'd']).digest);
      assert.equal(a.sameAs(['c', 'a', 'b']), true);
      assert.equal(a.sameAs(['a', 'b']), false);
      assert.equal(a.sameAs(['a', 'b', 'c', 'd']), false);
    });

    it('names joined by newline cannot be confused with a different split ("a\\nb" is not a name)', () => {
      // The digest hashes the names joined by "\n"; node names never contain one, so two
      // different sets never produce the same joined string.
      assert.notEqual(new MemberIndex(['ab', 'c']).digest, new MemberIndex(['a', 'bc']).digest);
    });
  });

  describe('round trip through the wire field, read by a receiver with the same member set', () => {
    const all = names(100);
    const index = new MemberIndex(all);
    const heard = bits(100, [0, 7, 8, 50, 99]);
    const cases: { desc: string; input: HeardField; want: { named: string[]; extra: string[]; unresolved: number } }[] = [
      {
        desc: 'bitmap',
        input: toHeardField(index, heard, ['outsider'], 'bitmap'),
        want: { named: ['node-000', 'node-007', 'node-008', 'node-050', 'node-099'], extra: ['outsider'], unresolved: 0 },
      },
      {
        desc: 'hashes',
        input: toHeardField(index, heard, ['outsider'], 'hashes'),
        want: { named: ['node-000', 'node-007', 'node-008', 'node-050', 'node-099'], extra: ['outsider'], unresolved: 0 },
      },
      {
        desc: 'hashes, the newest two members by name (within the byte budget)',
        input: toHeardField(index, heard, [], 'hashes', { byName: [99, 50, 7], nameBudget: 2 }),
        want: { named: ['node-000', 'node-007', 'node-008', 'node-050', 'node-099'], extra: [], unresolved: 0 },
      },
    ];
    for (const c of cases) {
      it(c.desc, () => {
        const r = resolveHeard(index, c.input);
        assert.ok(r.known);
        assert.deepEqual(named(index, r.bits), c.want.named);
        assert.deepEqual([...r.extra].sort(), c.want.extra);
        assert.equal(r.unresolved, c.want.unresolved);
      });
    }

    it('the name budget: a heard member goes by name only while the budget lasts, and the rest by hash', () => {
      // A name costs 1 + 8 bytes on the wire, its hash 8: each of these names costs 1 byte more,
      // so a budget of 2 covers two of them.
      const f = toHeardField(index, heard, [], 'hashes', { byName: [99, 50, 7], nameBudget: 2 });
      assert.deepEqual(f.extra, ['node-050', 'node-099']);
      assert.equal(f.type === 'hashes' ? f.hashes.length : -1, 3);
    });

    it('hashes are strictly ascending (as the codec requires)', () => {
      const f = toHeardField(index, bits(100, all.map((_, i) => i)), [], 'hashes');
      assert.ok(f.type === 'hashes');
      for (let i = 1; i < f.hashes.length; i++) assert.ok(f.hashes[i - 1]! < f.hashes[i]!);
    });
  });

  describe('read by a receiver whose member set differs (a join or a GC one informer has not seen)', () => {
    const sender = new MemberIndex(names(10));
    const receiver = new MemberIndex([...names(10), 'node-new']);
    const heard = bits(10, [2, 3]);

    it('a bitmap over another set is unreadable: nothing is taken as named but the names outside', () => {
      const r = resolveHeard(receiver, toHeardField(sender, heard, ['outsider'], 'bitmap'));
      assert.equal(r.known, false);
      assert.deepEqual(r.extra, ['outsider']);
    });

    it('hashes resolve against the receiver set, whatever the sender set was', () => {
      const r = resolveHeard(receiver, toHeardField(sender, heard, [], 'hashes'));
      assert.ok(r.known);
      assert.deepEqual(named(receiver, r.bits), ['node-002', 'node-003']);
    });

    it('a hash of a member the receiver does not know is counted unresolved, never named', () => {
      const r = resolveHeard(new MemberIndex(names(3)), toHeardField(sender, bits(10, [1, 8]), [], 'hashes'));
      assert.ok(r.known);
      assert.deepEqual(named(new MemberIndex(names(3)), r.bits), ['node-001']);
      assert.equal(r.unresolved, 1);
    });

    it('a name outside our set in `extra` that is one of our members is read as named', () => {
      const r = resolveHeard(receiver, { type: 'bitmap', digest: sender.digest, members: 10, bits: heard, extra: ['node-new'] });
      assert.equal(r.known, false, 'the bitmap itself stays unreadable');
      assert.deepEqual(r.extra, ['node-new']);
    });
  });

  describe('hash collisions', () => {
    // Real 64-bit name hashes do not collide among a few hundred names; a weak hash forces it.
    const weak = (n: string): bigint => (n === 'node-001' || n === 'node-003' ? 7n : nameHash(n));
    const index = new MemberIndex(names(5), weak);

    it('two of our members with one hash: a list carrying it is unreadable (neither named nor left out)', () => {
      assert.equal(index.indexOfHash(7n), undefined);
      const r = resolveHeard(index, { type: 'hashes', digest: 0n, hashes: [nameHash('node-000'), 7n], extra: ['outsider'] });
      assert.equal(r.known, false);
      assert.deepEqual(r.extra, ['outsider']);
    });

    it('a list without the shared hash is read as usual', () => {
      const r = resolveHeard(index, { type: 'hashes', digest: 0n, hashes: [nameHash('node-000')], extra: [] });
      assert.ok(r.known);
      assert.deepEqual(named(index, r.bits), ['node-000']);
    });

    it('members without a collision still resolve', () => {
      assert.equal(index.indexOfHash(nameHash('node-002')), 2);
      assert.equal(index.indexOfHash(nameHash('node-002') ^ 1n), undefined);
    });
  });

  it('plain names (the tests\' form) read like a list', () => {
    const index = new MemberIndex(['a', 'b', 'c']);
    const r = resolveHeard(index, ['c', 'x']);
    assert.ok(r.known);
    assert.deepEqual(named(index, r.bits), ['c']);
    assert.deepEqual(r.extra, ['x']);
  });
});
