// The packet thread's logic with its I/O faked: three PacketThreads (real Membership, real
// L2Announcer over fake packet connections) on an in-memory segment with a FakeClock. The
// thread picks owners from the rankings it is sent, moves a dead peer's IPs itself, stays
// silent while fenced, and freezes what it answers for during a graceful leave.
import { strict as assert } from 'node:assert';
import { createLogger, FakeClock } from '@herald/shared';
import { L2Announcer } from '../../src/layer2/announcer.js';
import { IFF_BROADCAST, IFF_UP } from '../../src/layer2/interfaces.js';
import { L2Tally } from '../../src/layer2/tally.js';
import type { L2Slot } from '../../src/layer2/owner-table.js';
import { rankedSlot } from '../layer2/slots.js';
import { Membership } from '../../src/membership/membership.js';
import type { MemberFacts } from '../../src/membership/liveness.js';
import type { PacketTransport } from '../../src/membership/udp-transport.js';
import { PacketThread } from '../../src/fastpath/packet-thread.js';
import type { FromWorker } from '../../src/fastpath/protocol.js';
import { FakeConn, macFor } from '../layer2/fake-conn.js';
import { L2Announced } from '../../src/reconcile/announced-ips.js';

const key = Buffer.from('k'.repeat(32));
const log = createLogger({ component: 'test', sink: () => undefined });
const NAMES = ['node1', 'node2', 'node3'];

function site() {
  const clock = new FakeClock(0);
  const handlers = new Map<string, (buf: Buffer, from: { address: string; port: number }) => void>();
  const down = new Set<string>();
  const transport = (addr: string): PacketTransport => ({
    send: (to, buf) => {
      if (down.has(addr) || down.has(to)) return;
      clock.setTimeout(() => handlers.get(to)?.(Buffer.from(buf), { address: addr, port: 7473 }), 1);
    },
    onMessage: (cb) => void handlers.set(addr, cb),
    close: () => Promise.resolve(),
  });
  const addrs = new Map(NAMES.map((n, i) => [n, [`192.0.2.${11 + i}`]]));
  const facts = new Map<string, MemberFacts>(NAMES.map((n) => [n, { lease: { renewKey: `${n}-1`, durationMs: 10_000 }, nodeReady: true }]));
  const nodes = new Map<string, { thread: PacketThread; announcer: L2Announcer; membership: Membership; posted: FromWorker[]; conn: () => FakeConn | undefined }>();
  let r = 0;
  for (const [i, name] of NAMES.entries()) {
    const membership = new Membership({ node: name, keys: [key], transport: transport(addrs.get(name)![0]!), clock, log, wallNow: () => 1_000_000 + r, random16: () => r++ });
    let conn: FakeConn | undefined;
    const announcer = new L2Announcer({
      counters: new L2Tally(),
      clock,
      logger: log,
      rescanMs: 0,
      listLinks: () => [{ name: 'eth0', index: 2, flags: IFF_UP | IFF_BROADCAST, enslaved: false }],
      openConn: (ifname, onFrame) => (conn = new FakeConn(ifname, macFor(0x10 + i), onFrame)),
      silenced: () => membership.isFenced(),
    });
    const posted: FromWorker[] = [];
    const thread = new PacketThread({ node: name, membership, announcer, tally: new L2Tally(), fallbackInterfaces: [], clock, log, post: (m) => posted.push(m), reportMs: 1000 });
    thread.handle({ type: 'members', facts: [...facts], addresses: [...addrs] });
    nodes.set(name, { thread, announcer, membership, posted, conn: () => conn });
  }
  const renew = (): void => {
    for (const [name, n] of nodes) n.thread.handle({ type: 'lease-renewed', sentAt: clock.now(), renewKey: `${name}@${clock.now()}` });
    clock.setTimeout(renew, 2000);
  };
  renew();
  for (const n of nodes.values()) n.thread.start();
  const owners = (ip: string): string[] => NAMES.filter((n) => nodes.get(n)!.announcer.size > 0 && nodes.get(n)!.thread.owns(ip));
  return { clock, nodes, down, owners, get: (n: string) => nodes.get(n)! };
}

/** What herald_speaker_announced{mode="l2"} says for a node, replayed from what its thread posted (as FastPathMetrics does). */
function announcedBy(posted: readonly FromWorker[]): Set<string> {
  const out = new Set<string>();
  const a = new L2Announced({ set: (ip) => void out.add(ip), remove: (ip) => void out.delete(ip) });
  for (const m of posted) {
    if (m.type === 'membership') a.setFenced(m.report.fenced);
    else if (m.type === 'counters' && m.held) a.apply(m.held);
  }
  return out;
}

const slots: L2Slot[] = [rankedSlot('192.0.2.200', ['node1', 'node2', 'node3']), rankedSlot('192.0.2.201', ['node2', 'node3', 'node1']), rankedSlot('2001:db8::200', ['node3', 'node1'])];

describe('fastpath/PacketThread (real Membership and announcer, in-memory segment)', () => {
  it('each IP is answered by the first live node of its ranking, and only by it', () => {
    const s = site();
    for (const n of s.nodes.values()) n.thread.handle({ type: 'l2', upserts: slots, removes: [] });
    s.clock.advance(3000);
    assert.deepEqual(s.owners('192.0.2.200'), ['node1']);
    assert.deepEqual(s.owners('192.0.2.201'), ['node2']);
    assert.deepEqual(s.owners('2001:db8::200'), ['node3']);
    const rep = s.get('node1').posted.filter((m) => m.type === 'membership').pop();
    assert.ok(rep?.type === 'membership' && !rep.report.fenced && rep.report.live.length === 3);
  });

  it('a peer goes silent: its IPs move to the next live node of each ranking, with no message from the main thread', () => {
    const s = site();
    for (const n of s.nodes.values()) n.thread.handle({ type: 'l2', upserts: slots, removes: [] });
    s.clock.advance(3000);
    s.down.add('192.0.2.12'); // node2's link
    s.clock.advance(2000);
    assert.deepEqual(s.owners('192.0.2.201'), ['node3'], "node2's IP moved to node3 (next in its ranking)");
    assert.equal(s.get('node2').membership.isFenced(), true, 'the cut-off node fenced itself');
    assert.deepEqual(s.owners('192.0.2.200'), ['node1']);
  });

  it("every node of an IP's top K is dead: the next live node of its full ranking answers, with no message from the main thread", () => {
    const s = site();
    // K = 1: the slot names only node2; node3 and node1 follow in its group's full ranking.
    const short = [rankedSlot('192.0.2.210', ['node2', 'node3', 'node1'], [], 1), rankedSlot('192.0.2.211', ['node2', 'node1', 'node3'], [], 1)];
    for (const n of s.nodes.values()) n.thread.handle({ type: 'l2', upserts: short, removes: [] });
    s.clock.advance(3000);
    assert.deepEqual(s.owners('192.0.2.210'), ['node2']);
    s.down.add('192.0.2.12'); // node2's link
    s.clock.advance(2000);
    assert.deepEqual(s.owners('192.0.2.210'), ['node3']);
    assert.deepEqual(s.owners('192.0.2.211'), ['node1']);
  });

  it('a new ranking from the main thread moves one IP; a removed IP is answered by nobody', () => {
    const s = site();
    for (const n of s.nodes.values()) n.thread.handle({ type: 'l2', upserts: slots, removes: [] });
    s.clock.advance(3000);
    for (const n of s.nodes.values()) n.thread.handle({ type: 'l2', upserts: [rankedSlot('192.0.2.200', ['node3', 'node1'])], removes: ['192.0.2.201'] });
    assert.deepEqual(s.owners('192.0.2.200'), ['node3']);
    assert.deepEqual(s.owners('192.0.2.201'), []);
  });

  it('leave: keeps answering what it has until peers announce, then stops; the others take over', async () => {
    const s = site();
    for (const n of s.nodes.values()) n.thread.handle({ type: 'l2', upserts: slots, removes: [] });
    // Past rejoinAfterLeaseFence (5 s after start): two survivors are in lease mode.
    s.clock.advance(6000);
    const n1 = s.get('node1');
    n1.thread.handle({ type: 'leave', deadlineMs: 5000 });
    assert.deepEqual(s.owners('192.0.2.200'), ['node1'], 'still answered while the handoff runs');
    s.clock.advance(500);
    for (let i = 0; i < 5; i++) await Promise.resolve();
    const left = n1.posted.find((m) => m.type === 'left');
    assert.ok(left && left.type === 'left' && left.outcome === 'all-acked', `leave finished: ${JSON.stringify(left)}`);
    assert.deepEqual(s.owners('192.0.2.200'), ['node2'], 'taken over by the next in its ranking');
    assert.equal(n1.announcer.size, 0);
  });

  it('a fence silences what it holds instead of dropping it, and the gratuitous bursts go out again when it lifts', () => {
    const s = site();
    for (const n of s.nodes.values()) n.thread.handle({ type: 'l2', upserts: slots, removes: [] });
    s.clock.advance(3000);
    const n2 = s.get('node2');
    const conn = n2.conn()!;
    assert.equal(n2.announcer.size, 1, 'node2 holds 192.0.2.201');
    s.down.add('192.0.2.12'); // node2's link
    s.clock.advance(2000);
    assert.equal(n2.membership.isFenced(), true);
    assert.equal(n2.announcer.size, 1, 'still held while fenced: no churn of sockets, groups or state');
    assert.equal(n2.thread.owns('192.0.2.201'), false, 'but not answered');
    const sentFenced = conn.sent.length;
    s.clock.advance(1000);
    assert.equal(conn.sent.length, sentFenced, 'nothing sent while fenced');
    s.down.delete('192.0.2.12');
    s.clock.advance(3000);
    assert.equal(n2.membership.isFenced(), false, 'rejoined');
    assert.deepEqual(s.owners('192.0.2.201'), ['node2'], 'its IP is back');
    assert.ok(conn.sent.length > sentFenced, 'the gratuitous bursts went out again once unfenced');
  });

  it('posts counters every report period', () => {
    const s = site();
    s.clock.advance(2500);
    const c = s.get('node1').posted.filter((m) => m.type === 'counters');
    assert.ok(c.length >= 2);
    const last = c.pop();
    assert.ok(last?.type === 'counters' && last.counters.heartbeatsSent > 0 && last.counters.accepted > 0);
  });

  it('the announced metric (from the held changes and fences it posts) names exactly the IPs each node answers, through a death, a fence and a leave', async () => {
    const s = site();
    const ips = ['192.0.2.200', '192.0.2.201', '2001:db8::200'];
    const check = (when: string): void => {
      s.clock.advance(1000); // one report period: the held changes go out with the counters
      for (const n of NAMES) {
        const want = ips.filter((ip) => s.get(n).thread.owns(ip)).sort();
        assert.deepEqual([...announcedBy(s.get(n).posted)].sort(), want, `${when}: ${n}`);
      }
    };
    for (const n of s.nodes.values()) n.thread.handle({ type: 'l2', upserts: slots, removes: [] });
    s.clock.advance(3000);
    check('at start');
    assert.ok(ips.every((ip) => s.owners(ip).length === 1), 'every IP answered once');
    s.down.add('192.0.2.13'); // node3 is cut off: fenced; its IP moves to node1
    s.clock.advance(2000);
    check('node3 cut off');
    assert.equal(announcedBy(s.get('node3').posted).size, 0, 'a fenced node announces nothing');
    s.down.delete('192.0.2.13');
    s.clock.advance(3000);
    check('node3 back');
    for (const n of s.nodes.values()) n.thread.handle({ type: 'l2', upserts: [], removes: ['192.0.2.201'] });
    check('an IP removed');
    s.get('node1').thread.handle({ type: 'leave', deadlineMs: 5000 });
    s.clock.advance(500);
    for (let i = 0; i < 5; i++) await Promise.resolve();
    check('node1 left');
    assert.equal(announcedBy(s.get('node1').posted).size, 0, 'a node that left announces nothing');
  });
});
