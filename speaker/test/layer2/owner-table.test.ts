import assert from 'node:assert/strict';
import { IP } from '@herald/shared';
import { candidateGroup, exhausted, firstLive, rank, TOP_K, topK } from '../../src/election/index.js';
import { OwnerTable, type L2Slot } from '../../src/layer2/owner-table.js';
import { rankedSlot as slot } from './slots.js';
const texts = (d: { added: { ip: { toString(): string } }[]; removed: { toString(): string }[] }): { added: string[]; removed: string[] } => ({
  added: d.added.map((x) => x.ip.toString()).sort(),
  removed: d.removed.map(String).sort(),
});

describe('layer2/owner-table: the owner is the first live node of each ranking', () => {
  const cases: { desc: string; slots: L2Slot[]; live: string[]; fenced?: boolean; want: string[] }[] = [
    { desc: 'first live ranked node owns', slots: [slot('192.0.2.1', ['node1', 'node2'])], live: ['node1', 'node2'], want: ['192.0.2.1'] },
    { desc: 'ranked second: not ours', slots: [slot('192.0.2.1', ['node2', 'node1'])], live: ['node1', 'node2'], want: [] },
    { desc: 'the first is dead: ours', slots: [slot('192.0.2.1', ['node2', 'node1'])], live: ['node1'], want: ['192.0.2.1'] },
    // Held through a fence (the announcer is silenced, not emptied); ownerOf says who answers.
    { desc: 'fenced: still held when first', slots: [slot('192.0.2.1', ['node1'])], live: ['node1'], fenced: true, want: ['192.0.2.1'] },
    { desc: 'fenced, and absent from the live set (as Membership reports it): still held', slots: [slot('192.0.2.1', ['node1', 'node2'])], live: ['node2'], fenced: true, want: ['192.0.2.1'] },
    { desc: 'not ranked (ineligible): never ours', slots: [slot('192.0.2.1', ['node2'])], live: ['node1'], want: [] },
    { desc: 'several IPs, each on its own ranking', slots: [slot('192.0.2.1', ['node1']), slot('2001:db8::1', ['node3', 'node1']), slot('192.0.2.2', ['node2', 'node1'])], live: ['node1', 'node2'], want: ['192.0.2.1', '2001:db8::1'] },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const t = new OwnerTable('node1');
      t.setLiveness(new Set(c.live), c.fenced ?? false);
      t.apply(c.slots, []);
      assert.deepEqual(t.owned().map((o) => o.ip.toString()).sort(), [...c.want].sort());
    });
  }

  it('a live-set change yields exactly the IPs that moved to or from us', () => {
    const t = new OwnerTable('node1');
    t.setLiveness(new Set(['node1', 'node2', 'node3']), false);
    t.apply([slot('192.0.2.1', ['node2', 'node1']), slot('192.0.2.2', ['node3', 'node2', 'node1']), slot('192.0.2.3', ['node1', 'node2'])], []);
    assert.deepEqual(texts(t.setLiveness(new Set(['node1', 'node3']), false)), { added: ['192.0.2.1'], removed: [] });
    assert.deepEqual(texts(t.setLiveness(new Set(['node1']), false)), { added: ['192.0.2.2'], removed: [] });
    // A fence changes nothing held (ownerOf moves: the next test of it is below).
    assert.deepEqual(texts(t.setLiveness(new Set(['node1']), true)), { added: [], removed: [] });
    assert.equal(t.ownerOf('192.0.2.3'), undefined, 'fenced: not ours to answer');
    assert.deepEqual(texts(t.setLiveness(new Set(['node1', 'node2', 'node3']), false)), { added: [], removed: ['192.0.2.1', '192.0.2.2'] });
    assert.equal(t.ownerOf('192.0.2.3'), 'node1');
  });

  it('apply: a changed ranking or interface list is a change; the same slot again is not', () => {
    const t = new OwnerTable('node1');
    t.setLiveness(new Set(['node1', 'node2']), false);
    assert.deepEqual(texts(t.apply([slot('192.0.2.1', ['node1'])], [])), { added: ['192.0.2.1'], removed: [] });
    assert.deepEqual(texts(t.apply([slot('192.0.2.1', ['node1'])], [])), { added: [], removed: [] });
    assert.deepEqual(t.apply([slot('192.0.2.1', ['node1'], ['eth1'])], []).added.map((o) => o.interfaces), [['eth1']]);
    assert.deepEqual(texts(t.apply([slot('192.0.2.1', ['node2', 'node1'], ['eth1'])], [])), { added: [], removed: ['192.0.2.1'] });
    assert.deepEqual(texts(t.apply([], ['192.0.2.1'])), { added: [], removed: [] });
    assert.equal(t.size, 0);
  });

  it('bad IP text is reported and changes nothing', () => {
    const t = new OwnerTable('node1');
    t.setLiveness(new Set(['node1']), false);
    t.apply([slot('192.0.2.1', ['node1'])], []);
    const r = t.apply([slot('not-an-ip', ['node1'])], []);
    assert.deepEqual(r.invalid, [{ ip: 'not-an-ip', problem: { type: 'bad-ip' } }]);
    assert.deepEqual(t.owned().map(String).length, 1);
    assert.equal(t.ownerOf('192.0.2.1'), 'node1');
  });

  const bad: { desc: string; slot: L2Slot; want: unknown }[] = [
    { desc: 'a top index past the group', slot: { ...slot('192.0.2.5', ['node1', 'node2']), top: [0, 2] }, want: { type: 'bad-top', index: 1 } },
    { desc: 'a top index twice', slot: { ...slot('192.0.2.5', ['node1', 'node2']), top: [1, 1] }, want: { type: 'bad-top', index: 1 } },
    { desc: 'a fractional top index', slot: { ...slot('192.0.2.5', ['node1', 'node2']), top: [0.5] }, want: { type: 'bad-top', index: 0 } },
    { desc: 'a top longer than the group', slot: { ...slot('192.0.2.5', ['node1']), top: [0, 0] }, want: { type: 'bad-top', index: -1 } },
    { desc: 'a group with a name twice', slot: { ip: '192.0.2.5', top: [0], group: candidateGroup(['node1', 'node1']), interfaces: [] }, want: { type: 'bad-group', problem: { type: 'duplicate-name', name: 'node1' } } },
    { desc: 'a group whose lists differ in length', slot: { ip: '192.0.2.5', top: [0], group: { names: ['node1'], tiers: [], scores: [0] }, interfaces: [] }, want: { type: 'bad-group', problem: { type: 'length-mismatch', names: 1, tiers: 0, scores: 1 } } },
  ];
  for (const c of bad) {
    it(`a slot with ${c.desc} is reported and changes nothing`, () => {
      const t = new OwnerTable('node1');
      t.setLiveness(new Set(['node1', 'node2']), false);
      t.apply([slot('192.0.2.5', ['node2', 'node1'])], []);
      const r = t.apply([c.slot], []);
      assert.deepEqual(r.invalid, [{ ip: '192.0.2.5', problem: c.want }]);
      assert.deepEqual(texts(r), { added: [], removed: [] });
      assert.equal(t.ownerOf('192.0.2.5'), 'node2', 'the previous slot stays');
    });
  }
});

describe('layer2/owner-table: top-K slots over 100 nodes, when every one of an IP\'s K best is dead', () => {
  const names = Array.from({ length: 100 }, (_, i) => `worker-${String(i).padStart(3, '0')}.rack${i % 10}`);
  const group = candidateGroup(names);
  const candidates = names.map((name) => ({ name, labels: {} }));
  const ips = Array.from({ length: 1000 }, (_, i) => IP.fromBigInt(6, 0x20010db8000000000000000000000000n + BigInt(i) * 65537n));
  const full = ips.map((ip) => rank(ip, candidates).map((x) => x.name));
  const slots: L2Slot[] = ips.map((ip) => ({ ip: ip.toString(), top: topK(ip, group), group, interfaces: [] }));
  // The K best of the first 5 IPs all die (at most 40 nodes: a rack failure and then some).
  const dead = new Set(full.slice(0, 5).flatMap((r) => r.slice(0, TOP_K)));
  const live = new Set(names.filter((n) => !dead.has(n)));
  const ok = (n: string): boolean => live.has(n);

  it('the fixture exhausts the top of some IPs (and not of all)', () => {
    const n = slots.filter((s) => exhausted(s.top, group, ok)).length;
    assert.ok(n >= 5 && n < ips.length, `${n} exhausted`);
  });

  it('every IP\'s owner is the first live node of its full ranking; the moves are exactly the IPs whose owner changed', () => {
    for (const self of [full[0]!.find((n) => live.has(n))!, full[3]!.find((n) => live.has(n))!, names[0]!]) {
      const t = new OwnerTable(self);
      t.setLiveness(new Set(names), false);
      t.apply(slots, []);
      const before = new Set(ips.filter((_, i) => full[i]![0] === self).map(String));
      const d = t.setLiveness(live, false);
      const after = new Set(ips.filter((_, i) => firstLive(full[i]!, live) === self).map(String));
      ips.forEach((ip, i) => assert.equal(t.ownerOf(ip.toString()), firstLive(full[i]!, live), `owner of ${ip.toString()}`));
      assert.deepEqual(t.owned().map((o) => o.ip.toString()).sort(), [...after].sort());
      assert.deepEqual(texts(d), { added: [...after].filter((x) => !before.has(x)).sort(), removed: [...before].filter((x) => !after.has(x)).sort() });
    }
  });

  it('fenced: the fallback skips ourselves, as the first-live rule does', () => {
    const self = full[0]!.find((n) => live.has(n))!;
    const t = new OwnerTable(self);
    t.apply(slots, []);
    t.setLiveness(live, true);
    const others = new Set([...live].filter((n) => n !== self));
    ips.forEach((ip, i) => assert.equal(t.ownerOf(ip.toString()), firstLive(full[i]!, others), `owner of ${ip.toString()}`));
    // Held: what we would own with ourselves live, so the fence lifting moves nothing.
    const held = ips.filter((_, i) => firstLive(full[i]!, new Set([...live, self])) === self).map(String).sort();
    assert.ok(held.length > 0);
    assert.deepEqual(t.owned().map((o) => o.ip.toString()).sort(), held);
  });
});
