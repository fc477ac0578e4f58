import assert from 'node:assert/strict';
import { OwnerTable, type L2Slot } from '../../src/layer2/owner-table.js';

const slot = (ip: string, ranked: string[], interfaces: string[] = []): L2Slot => ({ ip, ranked, interfaces });
const texts = (d: { added: { ip: { toString(): string } }[]; removed: { toString(): string }[] }): { added: string[]; removed: string[] } => ({
  added: d.added.map((x) => x.ip.toString()).sort(),
  removed: d.removed.map(String).sort(),
});

describe('layer2/owner-table: the owner is the first live node of each ranking', () => {
  const cases: { desc: string; slots: L2Slot[]; live: string[]; fenced?: boolean; want: string[] }[] = [
    { desc: 'first live ranked node owns', slots: [slot('192.0.2.1', ['node1', 'node2'])], live: ['node1', 'node2'], want: ['192.0.2.1'] },
    { desc: 'ranked second: not ours', slots: [slot('192.0.2.1', ['node2', 'node1'])], live: ['node1', 'node2'], want: [] },
    { desc: 'the first is dead: ours', slots: [slot('192.0.2.1', ['node2', 'node1'])], live: ['node1'], want: ['192.0.2.1'] },
    { desc: 'fenced: never ours, even when first', slots: [slot('192.0.2.1', ['node1'])], live: ['node1'], fenced: true, want: [] },
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
    assert.deepEqual(texts(t.setLiveness(new Set(['node1']), true)), { added: [], removed: ['192.0.2.1', '192.0.2.2', '192.0.2.3'] });
    assert.deepEqual(texts(t.setLiveness(new Set(['node1', 'node2', 'node3']), false)), { added: ['192.0.2.3'], removed: [] });
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
    assert.deepEqual(r.invalid, ['not-an-ip']);
    assert.deepEqual(t.owned().map(String).length, 1);
    assert.equal(t.ownerOf('192.0.2.1'), 'node1');
  });
});
