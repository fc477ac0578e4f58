// The membership shell over an in-memory transport and a FakeClock: heartbeats reach peers,
// changes are emitted, the receive path counts what it rejects, and the graceful handoff works.
import { strict as assert } from 'node:assert';
import { createLogger, FakeClock } from '@herald/shared';
import { decodeHeartbeat, encodeHeartbeat } from '../../src/membership/heartbeat-codec.js';
import { Membership, type MembershipChange } from '../../src/membership/membership.js';
import type { MemberFacts } from '../../src/membership/liveness.js';
import type { PacketTransport } from '../../src/membership/udp-transport.js';

const key = Buffer.from('k'.repeat(32));
const log = createLogger({ component: 'test', sink: () => undefined });

/** A segment: address -> delivery callback, with 1 ms latency and per-address cuts. */
class Net {
  readonly handlers = new Map<string, (buf: Buffer, from: { address: string; port: number }) => void>();
  readonly down = new Set<string>();
  /** Every datagram sent: from, to (addresses), when, and the bytes. */
  readonly sent: { from: string; to: string; at: number; buf: Buffer }[] = [];
  constructor(readonly clock: FakeClock) {}
  transport(addr: string): PacketTransport {
    return {
      send: (to, buf) => {
        this.sent.push({ from: addr, to, at: this.clock.now(), buf });
        if (this.down.has(addr) || this.down.has(to)) return;
        this.clock.setTimeout(() => this.handlers.get(to)?.(Buffer.from(buf), { address: addr, port: 7473 }), 1);
      },
      onMessage: (cb) => void this.handlers.set(addr, cb),
      close: () => Promise.resolve(),
    };
  }
}

function cluster(n: number, opts: { keys?: Record<string, Buffer> } = {}) {
  const clock = new FakeClock(0);
  const net = new Net(clock);
  const names = Array.from({ length: n }, (_, i) => `node${i + 1}`);
  const addrs = new Map(names.map((name, i) => [name, [`192.0.2.${i + 11}`]]));
  const facts = new Map<string, MemberFacts>(names.map((name) => [name, { lease: { renewKey: `${name}-1`, durationMs: 10_000 }, nodeReady: true }]));
  const ms = new Map<string, Membership>();
  const changes = new Map<string, MembershipChange[]>();
  let r = 0;
  for (const name of names) {
    const m = new Membership({
      node: name, keys: [opts.keys?.[name] ?? key], transport: net.transport(addrs.get(name)![0]!), clock, log,
      wallNow: () => 1_000_000 + r, random16: () => r++,
    });
    m.setMembers(facts, addrs);
    changes.set(name, []);
    m.onChange((c) => changes.get(name)!.push(c));
    ms.set(name, m);
  }
  // A stub lease keeper: renewals succeed every 2 s (no echo, so no Kubernetes expiry judgments).
  const renew = (): void => {
    for (const [name, m] of ms) m.ownLeaseRenewed(clock.now(), `${name}@${clock.now()}`);
    clock.setTimeout(renew, 2000);
  };
  renew();
  for (const m of ms.values()) m.start();
  return { clock, net, ms, changes, addrs, get: (name: string) => ms.get(name)! };
}

describe('membership/membership (shell, in-memory transport)', () => {
  it('three speakers come up live and unfenced, and emit that change', () => {
    const c = cluster(3);
    c.clock.advance(2000);
    for (const [name, m] of c.ms) {
      assert.equal(m.isFenced(), false, name);
      assert.deepEqual([...m.view().live].sort(), ['node1', 'node2', 'node3']);
      const last = c.changes.get(name)!.at(-1)!;
      assert.equal(last.fenced, false);
      assert.equal(last.live.size, 3);
    }
  });

  it('a silent peer is declared dead and the change names it', () => {
    const c = cluster(3);
    c.clock.advance(2000);
    c.net.down.add('192.0.2.13');
    c.clock.advance(1000);
    const m1 = c.get('node1');
    assert.deepEqual([...m1.view().live].sort(), ['node1', 'node2']);
    assert.ok(c.changes.get('node1')!.some((ch) => ch.changed.get('node3') === 'dead:heartbeat-silent-corroborated'));
    assert.equal(c.get('node3').isFenced(), true);
  });

  it('the receive path rejects and counts, never throws', () => {
    const c = cluster(3);
    c.clock.advance(500);
    const m1 = c.get('node1');
    const deliver = (buf: Buffer): void => c.net.handlers.get('192.0.2.11')!(buf, { address: '198.51.100.1', port: 1 });
    const base = { type: 'heartbeat' as const, incarnation: 1n, seq: 1, sentAtMs: 0, fenced: false, heard: { type: 'hashes' as const, digest: 0n, hashes: [], extra: [] } };
    deliver(Buffer.from([1, 2, 3]));
    deliver(encodeHeartbeat({ ...base, from: 'node2' }, [Buffer.from('x'.repeat(32))]));
    deliver(encodeHeartbeat({ ...base, from: 'stranger' }, [key]));
    deliver(encodeHeartbeat({ ...base, from: 'node1' }, [key]));
    const replay = encodeHeartbeat({ ...base, from: 'node2', incarnation: (1n << 60n), seq: 5 }, [key]);
    deliver(replay);
    deliver(replay);
    assert.deepEqual(m1.counters.rejected, { truncated: 1, 'bad-mac': 1, 'from-self': 1, replayed: 1 });
    assert.equal(m1.counters.fromNonMembers, 1);
    assert.equal(m1.view().members.get('stranger')?.type, 'suspect', 'an authenticated non-member counts as live');
  });

  it('one member\'s informer lags (its member set lacks node4): that member gets the hashes form, the rest keep the bitmap, nobody fences', () => {
    const c = cluster(4);
    c.clock.advance(2000);
    const full = { facts: new Map([...c.addrs.keys()].map((n) => [n, { lease: { renewKey: `${n}-1`, durationMs: 10_000 }, nodeReady: true }])), addrs: c.addrs };
    const forms = (since: number): Map<string, Set<string>> => {
      const out = new Map<string, Set<string>>();
      for (const d of c.net.sent.filter((x) => x.at >= since)) {
        const r = decodeHeartbeat(d.buf, [key]);
        assert.ok(r.ok);
        const k = `${d.from}>${d.to}`;
        if (!out.has(k)) out.set(k, new Set());
        out.get(k)!.add(r.msg.heard.type);
      }
      return out;
    };
    // node1 (192.0.2.11) has not seen node4's Lease yet.
    const lagging = new Map([...full.facts].filter(([n]) => n !== 'node4'));
    c.get('node1').setMembers(lagging, new Map([...c.addrs].filter(([n]) => n !== 'node4')));
    c.clock.advance(500);
    let t = c.clock.now();
    c.clock.advance(500);
    let f = forms(t);
    assert.deepEqual(f.get('192.0.2.12>192.0.2.11'), new Set(['hashes']));
    assert.deepEqual(f.get('192.0.2.12>192.0.2.13'), new Set(['bitmap']));
    assert.deepEqual(f.get('192.0.2.11>192.0.2.12'), new Set(['hashes']));
    assert.equal(f.has('192.0.2.11>192.0.2.14'), false, 'node1 sends only to the members it knows');
    for (const [name, m] of c.ms) assert.equal(m.isFenced(), false, name);
    assert.ok(c.get('node1').view().live.has('node4'), 'node4, still heard, counts as live for node1');
    // Its informer catches up: back to bitmaps everywhere.
    c.get('node1').setMembers(full.facts, full.addrs);
    c.clock.advance(500);
    t = c.clock.now();
    c.clock.advance(500);
    f = forms(t);
    for (const [k, v] of f) assert.deepEqual(v, new Set(['bitmap']), k);
    for (const [name, m] of c.ms) assert.equal(m.isFenced(), false, name);
  });

  it('a wrong key on one node: it hears nobody and fences; the others declare it dead', () => {
    const c = cluster(3, { keys: { node3: Buffer.from('z'.repeat(32)) } });
    c.clock.advance(3000);
    assert.equal(c.get('node3').isFenced(), true);
    assert.equal(c.get('node1').view().members.get('node3')?.type, 'dead');
    assert.ok((c.get('node1').counters.rejected['bad-mac'] ?? 0) > 0);
  });

  it('graceful leave: peers take over at once and ack; leave() resolves with every ack', async () => {
    const c = cluster(3);
    c.clock.advance(2000);
    const p = c.get('node3').leave(5000);
    c.clock.advance(50);
    const r = await p;
    assert.deepEqual(r, { outcome: 'all-acked', acked: ['node1', 'node2'], missing: [] });
    assert.equal(c.get('node1').view().members.get('node3')?.type, 'dead');
  });

  it('graceful leave with a handoff listener: the ack waits for ackHandoff()', async () => {
    const c = cluster(3);
    c.clock.advance(2000);
    const seen: string[] = [];
    for (const name of ['node1', 'node2']) c.get(name).onHandoff((h) => seen.push(`${name}<-${h.from}`));
    let result: unknown;
    void c.get('node3').leave(5000).then((r) => (result = r));
    c.clock.advance(300);
    await Promise.resolve();
    assert.equal(result, undefined, 'resolved before anyone announced');
    assert.deepEqual(seen.sort(), ['node1<-node3', 'node2<-node3']);
    c.get('node1').ackHandoff('node3');
    c.get('node2').ackHandoff('node3');
    c.clock.advance(10);
    await Promise.resolve();
    assert.deepEqual(result, { outcome: 'all-acked', acked: ['node1', 'node2'], missing: [] });
  });

  it('graceful leave with a dead peer: resolves at the deadline, naming who did not ack', async () => {
    const c = cluster(3);
    c.clock.advance(2000);
    c.get('node2').onHandoff(() => undefined); // never acks
    const p = c.get('node3').leave(1000);
    c.clock.advance(1100);
    assert.deepEqual(await p, { outcome: 'deadline', acked: ['node1'], missing: ['node2'] });
  });
});

describe('membership/metrics', () => {
  it('copies the view and counter deltas into Prometheus metrics', async () => {
    const { createMembershipMetrics } = await import('../../src/membership/metrics.js');
    const { Registry } = await import('@herald/shared');
    const c = cluster(3);
    c.clock.advance(2000);
    const mm = createMembershipMetrics();
    const reg = new Registry();
    mm.registerIn(reg);
    mm.observe(c.get('node1'));
    c.clock.advance(1000);
    mm.observe(c.get('node1'));
    const text = await reg.metrics();
    assert.match(text, /herald_speaker_membership_live_members 3/);
    assert.match(text, /herald_speaker_membership_fenced 0/);
    assert.match(text, /herald_speaker_membership_quorum_mode 1/);
    const sent = Number(/herald_speaker_membership_heartbeats_sent_total (\d+)/.exec(text)?.[1]);
    assert.equal(sent, c.get('node1').counters.heartbeatsSent);
    assert.ok(sent >= 29, `only ${sent} heartbeats in 3 s`);
  });
});
