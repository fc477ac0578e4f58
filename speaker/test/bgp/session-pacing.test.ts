// SessionCore's UPDATE pacing: FakeClock, and a fake socket whose write() returns false once its
// buffer holds `capacity` bytes, until the test drains it (as net.Socket and 'drain' do).
import assert from 'node:assert/strict';
import { FakeClock, IP, Prefix, type Clock, type Community, type TimerHandle } from '@herald/shared';
import type { Advertisement } from '../../src/bgp/advertisement.js';
import { SessionCore } from '../../src/bgp/session-core.js';
import type { BgpMessage } from '../../src/wire/bgp/index.js';
import { cfg } from './fsm.test.js';
import { FakeIO, adv, announced, enc, isEndOfRib, setup, updates, v4Hosts, v6Hosts, withdrawn } from './session-harness.js';

const std = (value: number): Community => ({ type: 'standard', asn: 64512, value });
const table = (ps: string[], communities: Community[] = []) => new Map<string, Advertisement>(ps.map((p) => [p, { prefix: Prefix.parse(p), communities }]));
const changes = (ps: string[], communities?: Community[]) => new Map<string, Advertisement | undefined>(ps.map((p) => [p, communities ? { prefix: Prefix.parse(p), communities } : undefined]));
const TABLE = [...v4Hosts(500), ...v6Hosts(5000)];

/** Drains the fake socket until the core stops writing; returns how many drains it took. */
function drainAll(t: ReturnType<typeof setup>, max = 10_000): number {
  for (let i = 0; i < max; i++) {
    t.flush();
    if (t.io.buffered < t.io.capacity && t.core.status().prefixesQueued === 0) return i;
    t.io.drain();
  }
  throw new Error('the queue never emptied');
}

const communitiesOf = (ms: BgpMessage[]) => {
  const m = new Map<string, number[][]>();
  for (const u of updates(ms)) for (const p of [...u.nlri, ...(u.attributes.mpReach?.nlri ?? [])]) m.set(p.toString(), [...(m.get(p.toString()) ?? []), (u.attributes.communities ?? []).map((c) => c.value)]);
  return m;
};

describe('bgp session core: UPDATEs paced by the socket', () => {
  it('stops writing when the socket refuses more, resumes on drain, and nothing is lost or doubled', () => {
    const t = setup();
    t.io.capacity = 8 * 1024;
    t.core.setAdvertised(table(TABLE));
    t.core.start();
    t.establish();
    t.flush();
    const st = t.core.status();
    assert.ok(st.prefixesQueued! > 0, 'a backlog waits');
    assert.equal(st.writeStalls, 1);
    const writes = t.io.writes.length;
    t.flush();
    t.clock.advance(100);
    assert.equal(t.io.writes.length, writes, 'no write until drained');
    const drains = drainAll(t);
    assert.ok(drains > 3, `drained ${drains} times`);
    const ms = t.io.take();
    const ann = announced(ms);
    assert.equal(ann.length, TABLE.length, 'each prefix once');
    assert.deepEqual(new Set(ann), new Set(TABLE));
    assert.ok(ms.slice(-2).every(isEndOfRib), 'End-of-RIB after the table');
    assert.equal(ms.filter(isEndOfRib).length, 2);
    assert.equal(t.core.status().prefixesSent, TABLE.length);
    assert.equal(t.core.status().prefixesQueued, 0);
    // User space held at most the socket's buffer plus one slice (4 UPDATEs of 4096 bytes).
    assert.ok(t.io.maxBuffered < t.io.capacity + 4 * 4096, `buffered up to ${t.io.maxBuffered} bytes`);
  });

  it('KEEPALIVEs go out while the backlog waits (not behind it), and the hold timer stays right', () => {
    const t = setup();
    t.io.capacity = 8 * 1024;
    t.core.setAdvertised(table(TABLE));
    t.core.start();
    t.establish();
    t.flush();
    t.io.take();
    // The socket stays full for 8 s: keepalives every 3 s, and the peer's keep the session up.
    t.clock.advance(3000);
    t.core.data(enc({ type: 'keepalive' }));
    t.clock.advance(3000);
    t.core.data(enc({ type: 'keepalive' }));
    t.clock.advance(2000);
    assert.deepEqual(t.io.take().map((m) => m.type), ['keepalive', 'keepalive'], 'keepalives, nothing else, while blocked');
    assert.equal(t.core.state, 'established');
    assert.ok(t.core.status().prefixesQueued! > 0);
    // A drain lets UPDATEs flow again; the next keepalive is due 3 s after the last write.
    t.io.drain();
    t.flush();
    assert.ok(updates(t.io.take()).length > 0);
    // The peer falls silent while we are blocked: the hold timer fires and the NOTIFICATION goes
    // out at once, whatever is queued.
    t.clock.advance(9000);
    assert.notEqual(t.core.state, 'established');
    assert.deepEqual(t.core.status().lastError, { type: 'hold-timer-expired' });
    assert.ok(t.io.take().some((m) => m.type === 'notification' && m.code === 4));
  });

  it('changes while blocked coalesce: withdrawn-before-sent never goes out, changed goes once with the latest', () => {
    const t = setup();
    t.io.capacity = 8 * 1024;
    t.core.setAdvertised(table(TABLE, [std(1)]));
    t.core.start();
    t.establish();
    t.flush();
    const early = new Set(announced(t.io.take()));
    const notYet = TABLE.filter((p) => !early.has(p));
    assert.ok(early.size > 0 && notYet.length > 2000);
    const sentThenWithdrawn = [...early].slice(0, 100);
    const neverSent = notYet.slice(0, 1000);
    const changedTwice = notYet.slice(1000, 2000);
    t.core.updateAdvertised(changes([...sentThenWithdrawn, ...neverSent]));
    t.core.updateAdvertised(changes(changedTwice, [std(2)]));
    t.core.updateAdvertised(changes(changedTwice, [std(3)]));
    drainAll(t);
    const ms = t.io.take();
    const got = communitiesOf(ms);
    for (const p of neverSent) assert.equal(got.get(p), undefined, `${p} never sent`);
    for (const p of changedTwice) assert.deepEqual(got.get(p), [[3]], `${p} once, latest`);
    assert.deepEqual(new Set(withdrawn(ms)), new Set(sentThenWithdrawn), 'only what the peer had is withdrawn');
    assert.equal(t.core.status().prefixesSent, TABLE.length - 1100);
  });

  it('a backlog goes out packed: as few UPDATEs as one full table dump of the same routes', () => {
    const t = setup();
    t.core.start();
    t.establish();
    t.flush();
    t.io.take();
    t.io.capacity = 4 * 1024;
    // Fill the socket, then queue 5,500 prefixes in 55 small changes while it stays full.
    t.core.updateAdvertised(changes(['203.0.113.255/32'], []));
    t.flush();
    assert.equal(t.core.status().writeStalls, 0, 'one small UPDATE fits');
    t.io.buffered = t.io.capacity;
    t.core.updateAdvertised(changes(['198.51.100.255/32'], []));
    t.flush();
    assert.equal(t.core.status().writeStalls, 1);
    const before = t.core.status().updatesSent;
    for (let i = 0; i < TABLE.length; i += 100) t.core.updateAdvertised(changes(TABLE.slice(i, i + 100), [std(1)]));
    t.flush();
    assert.equal(t.core.status().updatesSent, before, 'nothing while blocked');
    t.io.take();
    drainAll(t);
    const n = t.core.status().updatesSent - before;
    // Reference: the same routes as one table on a fresh session with an open socket.
    const r = setup();
    r.core.setAdvertised(table(TABLE, [std(1)]));
    r.core.start();
    r.establish();
    r.flush();
    const ref = updates(r.io.take()).filter((m) => !isEndOfRib(m)).length;
    assert.equal(n, ref, `${n} UPDATEs for 5,500 prefixes queued in batches of 100; a full dump takes ${ref}`);
  });

  it('an open socket sends each change at once, in its own UPDATEs', () => {
    const t = setup();
    t.core.start();
    t.establish();
    t.flush();
    t.io.take();
    t.core.updateAdvertised(changes(['203.0.113.1/32'], []));
    t.flush();
    assert.deepEqual(announced(t.io.take()), ['203.0.113.1/32']);
    t.core.updateAdvertised(changes(['203.0.113.1/32']));
    t.flush();
    assert.deepEqual(withdrawn(t.io.take()), ['203.0.113.1/32']);
  });

  it('zero for no change: the same routes again, whole or as changes, write nothing', () => {
    const t = setup();
    t.core.setAdvertised(table(TABLE, [std(1)]));
    t.core.start();
    t.establish();
    t.flush();
    const writes = t.io.writes.length;
    t.core.setAdvertised(table(TABLE, [std(1)]));
    t.core.updateAdvertised(changes(TABLE.slice(0, 1000), [std(1)]));
    t.core.updateAdvertised(changes(['2001:db8:ffff::/48']));
    t.flush();
    t.clock.advance(100);
    assert.equal(t.io.writes.length, writes);
    assert.equal(t.core.status().prefixesQueued, 0);
  });

  it('ROUTE-REFRESH while a backlog waits: the table once, then End-of-RIB', () => {
    const t = setup();
    t.io.capacity = 8 * 1024;
    t.core.setAdvertised(table(TABLE));
    t.core.start();
    t.establish();
    t.flush();
    t.core.data(enc({ type: 'route-refresh', afi: 2, safi: 1 }));
    drainAll(t);
    const ms = t.io.take();
    const eor = ms.map((m, i) => (isEndOfRib(m) ? i : -1)).filter((i) => i >= 0);
    assert.equal(eor.length, 2, `one End-of-RIB pair: the refresh's came after the first table's was due (${eor.join(',')})`);
    const after = new Set(announced(ms.slice(0, eor[0])));
    assert.ok(TABLE.every((p) => after.has(p)));
  });

  it('a session that goes down drops its queue; the next one sends the whole table again', () => {
    const t = setup();
    t.io.capacity = 8 * 1024;
    t.core.setAdvertised(table(TABLE));
    t.core.start();
    t.establish();
    t.flush();
    t.core.closed();
    assert.equal(t.core.status().prefixesQueued, 0);
    assert.equal(t.core.status().prefixesSent, 0);
    t.io.capacity = Infinity;
    t.io.drain();
    t.io.take();
    t.clock.advance(1000);
    t.establish();
    t.flush();
    const ms = t.io.take();
    assert.equal(announced(ms).length, TABLE.length);
    assert.equal(t.core.status().writeStalls, 0, 'counted per session');
  });

  it('the pump yields between turns when the socket takes everything (input is not starved)', () => {
    const zero: (() => void)[] = [];
    const fake = new FakeClock();
    const clock: Clock = {
      now: () => fake.now(),
      setTimeout: (fn, ms): TimerHandle => (ms === 0 ? { id: -zero.push(fn) } : fake.setTimeout(fn, ms)),
      clearTimeout: (h) => (h.id < 0 ? (zero[-h.id - 1] = () => undefined) : fake.clearTimeout(h)),
    };
    const io = new FakeIO();
    const core = new SessionCore({ fsm: cfg, ibgp: false, clock, io });
    const big = v6Hosts(40_000);
    core.setAdvertised(table(big));
    core.start();
    core.connected(IP.parse('192.0.2.11'));
    core.data(enc({ type: 'open', version: 4, myAS: 64500, holdTime: 90, routerId: IP.parse('192.0.2.1'), capabilities: [{ type: 'multiprotocol', afi: 2, safi: 1 }, { type: 'four-octet-as', asn: 64500 }] }));
    core.data(enc({ type: 'keepalive' }));
    let turns = 0;
    for (let i = 0; i < zero.length; i++) {
      const before = io.writes.reduce((a, b) => a + b, 0);
      zero[i]!();
      const wrote = io.writes.reduce((a, b) => a + b, 0) - before;
      if (wrote > 0) turns++;
      assert.ok(wrote <= 256 * 1024 + 4 * 4096, `turn ${i} wrote ${wrote} bytes`);
    }
    assert.ok(turns >= 3, `${turns} turns for ~700 KB`);
    assert.equal(announced(io.take()).length, big.length);
    assert.equal(core.status().prefixesQueued, 0);
  });

  it('counts: prefixes the peer has, and prefixes queued', () => {
    const t = setup();
    t.io.capacity = 8 * 1024;
    t.core.setAdvertised(table(TABLE));
    assert.deepEqual([t.core.status().prefixesSent, t.core.status().prefixesQueued], [0, 0], 'nothing queued without a session');
    t.core.start();
    t.establish();
    const st = t.core.status();
    assert.equal(st.prefixesQueued, TABLE.length, 'all queued, none written before the pump runs');
    t.flush();
    const s2 = t.core.status();
    assert.equal(s2.prefixesSent + s2.prefixesQueued!, TABLE.length);
    assert.ok(s2.prefixesSent > 0);
    t.core.updateAdvertised(adv(['2001:db8:5::/64']));
    assert.equal(t.core.status().prefixesQueued, s2.prefixesQueued! + 1);
  });
});
