// The 'l2' message to the packet thread stays small because its slots share their candidate
// group by reference, and structured clone (the worker's postMessage) keeps a shared object
// shared. Checked through a real MessagePort (the same serializer as a Worker's), and by size.
import assert from 'node:assert/strict';
import { serialize } from 'node:v8';
import { MessageChannel } from 'node:worker_threads';
import { IP } from '@herald/shared';
import { candidateGroup, GroupInterner, topK } from '../../src/election/index.js';
import type { ToWorker } from '../../src/fastpath/protocol.js';
import { OwnerTable, type L2Slot } from '../../src/layer2/owner-table.js';

const names = Array.from({ length: 100 }, (_, i) => `worker-${String(i).padStart(3, '0')}.rack${i % 10}.example.net`);

function slots(count: number): L2Slot[] {
  const gi = new GroupInterner();
  return Array.from({ length: count }, (_, i) => {
    const ip = IP.fromBigInt(6, 0x20010db8000000000000000000000000n + BigInt(i + 1));
    gi.begin();
    for (const n of names) gi.add(n, 1, 0);
    const group = gi.end();
    return { ip: ip.toString(), top: topK(ip, group), group, interfaces: [] };
  });
}

function roundTrip(m: ToWorker): Promise<ToWorker> {
  const { port1, port2 } = new MessageChannel();
  return new Promise<ToWorker>((resolve) => {
    port2.once('message', (x: ToWorker) => {
      port1.close();
      port2.close();
      resolve(x);
    });
    port1.postMessage(m);
  });
}

describe('fastpath: the l2 message shares candidate groups', () => {
  it('slots of one group arrive sharing one group object, and the packet thread picks from them', async () => {
    const sent = slots(50);
    const got = await roundTrip({ type: 'l2', upserts: sent, removes: [] });
    assert.ok(got.type === 'l2');
    assert.equal(new Set(got.upserts.map((s) => s.group)).size, 1, 'one group on arrival');
    const t = new OwnerTable(names[7]!);
    const live = new Set(names.slice(5));
    t.setLiveness(live, false);
    assert.deepEqual(t.apply(got.upserts, []).invalid, []);
    for (const s of sent) {
      const ip = IP.parse(s.ip);
      const full = [...topK(ip, candidateGroup(names, names.map(() => 1)), 100)].map((i) => names[i]!);
      assert.equal(t.ownerOf(s.ip), full.find((n) => live.has(n)));
    }
  });

  it('10,000 slots over a 100-node group serialize in well under 100 bytes a slot (a copy of the group each would be ~3 KB)', () => {
    const bytes = serialize({ type: 'l2', upserts: slots(10_000), removes: [] }).length;
    assert.ok(bytes < 10_000 * 100, `${bytes} bytes`);
    const unshared = serialize({ type: 'l2', upserts: slots(10).map((s) => ({ ...s, group: candidateGroup(s.group.names, s.group.tiers, s.group.scores) })), removes: [] }).length;
    assert.ok(unshared > 10 * 2500, `without sharing: ${unshared} bytes for 10 slots`);
  });
});
