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

type SiteNode = { thread: PacketThread; announcer: L2Announcer; membership: Membership; posted: FromWorker[]; conn: () => FakeConn | undefined };

function site(opts: { handover?: ConstructorParameters<typeof PacketThread>[0]['handover'] } = {}) {
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
  const nodes = new Map<string, SiteNode>();
  let r = 0;
  const spawn = (name: string): SiteNode => {
    const i = NAMES.indexOf(name);
    const membership = new Membership({ node: name, keys: [key], transport: transport(addrs.get(name)![0]!), clock, log, wallNow: () => 1_000_000 + r, random16: () => r++ });
    let conn: FakeConn | undefined;
    const ref: { thread?: PacketThread } = {};
    const announcer = new L2Announcer({
      counters: new L2Tally(),
      clock,
      logger: log,
      rescanMs: 0,
      listLinks: () => [{ name: 'eth0', index: 2, flags: IFF_UP | IFF_BROADCAST, enslaved: false }],
      openConn: (ifname, onFrame) => (conn = new FakeConn(ifname, macFor(0x10 + i), onFrame)),
      silenced: () => ref.thread?.silenced() ?? true,
    });
    const posted: FromWorker[] = [];
    const thread = new PacketThread({ node: name, membership, announcer, tally: new L2Tally(), fallbackInterfaces: [], clock, log, post: (m) => posted.push(m), reportMs: 1000, handover: opts.handover });
    ref.thread = thread;
    thread.handle({ type: 'members', facts: [...facts], addresses: [...addrs] });
    const n = { thread, announcer, membership, posted, conn: () => conn };
    nodes.set(name, n);
    return n;
  };
  for (const name of NAMES) spawn(name);
  const renew = (): void => {
    for (const [name, n] of nodes) n.thread.handle({ type: 'lease-renewed', sentAt: clock.now(), renewKey: `${name}@${clock.now()}` });
    clock.setTimeout(renew, 2000);
  };
  renew();
  for (const n of nodes.values()) n.thread.start();
  const owners = (ip: string): string[] => NAMES.filter((n) => nodes.get(n)!.announcer.size > 0 && nodes.get(n)!.thread.owns(ip));
  /** SIGKILL: the process is gone, nothing more goes out or comes in. */
  const kill = (name: string): void => {
    down.add(addrs.get(name)![0]!);
    nodes.get(name)!.thread.handle({ type: 'stop' });
  };
  /** A new process (new incarnation) on the node, given its lease and the rankings after `rankingsAfterMs`. */
  const start = (name: string, upserts: L2Slot[], rankingsAfterMs = 0): SiteNode => {
    down.delete(addrs.get(name)![0]!);
    const n = spawn(name);
    n.thread.handle({ type: 'lease-renewed', sentAt: clock.now(), renewKey: `${name}@${clock.now()}` });
    n.thread.start();
    if (rankingsAfterMs === 0) n.thread.handle({ type: 'l2', upserts, removes: [] });
    else clock.setTimeout(() => n.thread.handle({ type: 'l2', upserts, removes: [] }), rankingsAfterMs);
    return n;
  };
  /**
   * Steps the clock 1 ms at a time for `ms`, watching who answers `ip`: the longest run with no
   * answer (ms) and how many steps had two or more.
   */
  const watch = (ip: string, ms: number): { maxSilentMs: number; doubleMs: number; last: string[] } => {
    let silent = 0;
    let maxSilentMs = 0;
    let doubleMs = 0;
    let last: string[] = [];
    for (let t = 0; t < ms; t++) {
      s_advance(1);
      last = owners(ip);
      if (last.length === 0) maxSilentMs = Math.max(maxSilentMs, ++silent);
      else silent = 0;
      if (last.length > 1) doubleMs++;
    }
    return { maxSilentMs, doubleMs, last };
  };
  const s_advance = (ms: number): void => clock.advance(ms);
  return { clock, nodes, down, owners, kill, start, watch, get: (n: string) => nodes.get(n)! };
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

  it('a new ranking from the main thread moves one IP, make before break; a removed IP is answered by nobody', () => {
    const s = site();
    for (const n of s.nodes.values()) n.thread.handle({ type: 'l2', upserts: slots, removes: [] });
    s.clock.advance(3000);
    for (const n of s.nodes.values()) n.thread.handle({ type: 'l2', upserts: [rankedSlot('192.0.2.200', ['node3', 'node1'])], removes: ['192.0.2.201'] });
    assert.deepEqual(s.owners('192.0.2.200'), ['node1'], 'the old owner answers until the new one has claimed it');
    assert.deepEqual(s.owners('192.0.2.201'), []);
    const w = s.watch('192.0.2.200', 20);
    assert.deepEqual(w.last, ['node3']);
    assert.equal(w.doubleMs, 0, 'never two answering');
    assert.ok(w.maxSilentMs <= 3, `silent ${w.maxSilentMs} ms (one claim and one release, 1 ms each way)`);
  });

  describe('handover between live speakers (issue 14 item 3)', () => {
    const only200 = [rankedSlot('192.0.2.200', ['node1', 'node2', 'node3'])];

    it('a speaker that restarts takes its IP back make-before-break: never silent over 50 ms, never two answering', () => {
      const s = site();
      for (const n of s.nodes.values()) n.thread.handle({ type: 'l2', upserts: only200, removes: [] });
      s.clock.advance(3000);
      assert.deepEqual(s.owners('192.0.2.200'), ['node1']);
      s.kill('node1');
      s.clock.advance(3000);
      assert.deepEqual(s.owners('192.0.2.200'), ['node2'], 'failover');
      // The new process gets its rankings 1.5 s after it starts (its informers sync first).
      s.start('node1', only200, 1500);
      const w = s.watch('192.0.2.200', 4000);
      assert.deepEqual(w.last, ['node1'], 'back on node1');
      assert.equal(w.doubleMs, 0, 'never two answering');
      assert.ok(w.maxSilentMs <= 50, `silent ${w.maxSilentMs} ms on the move back`);
    });

    it('without the hold (holdMs 0) the same restart leaves the IP silent for the rejoin wait: the regression the hold fixes', () => {
      const s = site({ handover: { holdMs: 0 } });
      for (const n of s.nodes.values()) n.thread.handle({ type: 'l2', upserts: only200, removes: [] });
      s.clock.advance(3000);
      s.kill('node1');
      s.clock.advance(3000);
      s.start('node1', only200, 1500);
      const w = s.watch('192.0.2.200', 4000);
      assert.deepEqual(w.last, ['node1']);
      assert.ok(w.maxSilentMs > 500, `silent ${w.maxSilentMs} ms`);
    });

    it('rankings that reach the speakers at different times (an EndpointSlice under ETP Local): one answers throughout, the move waits for the slow one', () => {
      const s = site();
      for (const n of s.nodes.values()) n.thread.handle({ type: 'l2', upserts: only200, removes: [] });
      s.clock.advance(3000);
      const moved = [rankedSlot('192.0.2.200', ['node3', 'node2'])];
      s.get('node3').thread.handle({ type: 'l2', upserts: moved, removes: [] });
      const early = s.watch('192.0.2.200', 300);
      assert.deepEqual(early.last, ['node1'], 'node1 has not seen the change: node3 waits for its release');
      assert.equal(early.doubleMs, 0, 'never two answering while the views differ');
      assert.equal(early.maxSilentMs, 0);
      assert.equal(s.get('node3').thread.handoverCounts().claiming, 1);
      s.get('node2').thread.handle({ type: 'l2', upserts: moved, removes: [] });
      s.get('node1').thread.handle({ type: 'l2', upserts: moved, removes: [] });
      const late = s.watch('192.0.2.200', 50);
      assert.deepEqual(late.last, ['node3']);
      assert.equal(late.doubleMs, 0);
      assert.ok(late.maxSilentMs <= 3, `silent ${late.maxSilentMs} ms`);
    });

    it('the loser learns first: it keeps answering until the winner, informed later, claims', () => {
      const s = site();
      for (const n of s.nodes.values()) n.thread.handle({ type: 'l2', upserts: only200, removes: [] });
      s.clock.advance(3000);
      const moved = [rankedSlot('192.0.2.200', ['node3', 'node2'])];
      s.get('node1').thread.handle({ type: 'l2', upserts: moved, removes: [] });
      s.get('node2').thread.handle({ type: 'l2', upserts: moved, removes: [] });
      const early = s.watch('192.0.2.200', 300);
      assert.deepEqual(early.last, ['node1'], 'held for node3');
      assert.equal(s.get('node1').thread.handoverCounts().holding, 1);
      s.get('node3').thread.handle({ type: 'l2', upserts: moved, removes: [] });
      const late = s.watch('192.0.2.200', 50);
      assert.deepEqual(late.last, ['node3']);
      assert.equal(late.doubleMs + early.doubleMs, 0);
      assert.ok(late.maxSilentMs <= 3, `silent ${late.maxSilentMs} ms`);
    });

    it('a graceful leave hands each IP over by claim: never two answering, silent at most one round trip', async () => {
      const s = site();
      for (const n of s.nodes.values()) n.thread.handle({ type: 'l2', upserts: only200, removes: [] });
      s.clock.advance(6000);
      s.get('node1').thread.handle({ type: 'leave', deadlineMs: 5000 });
      const w = s.watch('192.0.2.200', 50);
      for (let i = 0; i < 5; i++) await Promise.resolve();
      assert.deepEqual(w.last, ['node2']);
      assert.equal(w.doubleMs, 0, 'the leaver stopped before node2 answered');
      assert.ok(w.maxSilentMs <= 3, `silent ${w.maxSilentMs} ms`);
      const left = s.get('node1').posted.find((m) => m.type === 'left');
      assert.ok(left?.type === 'left' && left.outcome === 'all-acked');
    });

    it('a leaver that dies before it answers the claim: the claim stops waiting for it once it is no longer heard', () => {
      const s = site();
      for (const n of s.nodes.values()) n.thread.handle({ type: 'l2', upserts: only200, removes: [] });
      s.clock.advance(6000);
      s.get('node1').thread.handle({ type: 'leave', deadlineMs: 5000 });
      s.clock.advance(1); // its leaving message is out; it dies before the claims reach it
      s.kill('node1');
      const w = s.watch('192.0.2.200', 2000);
      assert.deepEqual(w.last, ['node2']);
      assert.ok(w.maxSilentMs < 600, `silent ${w.maxSilentMs} ms (silentAfter is 300 ms)`);
    });

    it('a successor that dies while we hold for it: the hold ends once we stop hearing it (it would stop waiting for us), and we take the IP back by failover', () => {
      const s = site();
      for (const n of s.nodes.values()) n.thread.handle({ type: 'l2', upserts: only200, removes: [] });
      s.clock.advance(3000);
      const moved = [rankedSlot('192.0.2.200', ['node3', 'node1', 'node2'])];
      for (const n of ['node1', 'node2']) s.get(n).thread.handle({ type: 'l2', upserts: moved, removes: [] });
      s.kill('node3');
      const w = s.watch('192.0.2.200', 3000);
      assert.deepEqual(w.last, ['node1']);
      assert.equal(w.doubleMs, 0);
      // silentAfter (300 ms) of holding, then the rest of the failover (declared dead 600-800 ms after its death).
      assert.ok(w.maxSilentMs > 0 && w.maxSilentMs < 700, `silent ${w.maxSilentMs} ms`);
      assert.equal(s.get('node1').thread.handoverCounts().holding, 0, 'the hold ended with the successor');
    });
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
