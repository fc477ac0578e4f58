// BGPPeer.bfdProfile in effect: the BFD sessions asked of the BfdPort carry every profile field
// as MetalLB means it, follow peers and profile changes, BFD Up -> Down tears that BGP session
// down at once (and only that one), and views/metrics show the BFD state.
import assert from 'node:assert/strict';
import { createLogger, createRegistry, type BGPPeer, type EventRecorder } from '@herald/shared';
import type { BfdSessionStatus } from '../../src/bfd/endpoint.js';
import type { BfdPort, BfdSessionWire, BfdStateChange } from '../../src/bfd/port.js';
import type { Advertisement } from '../../src/bgp/adj-rib-out.js';
import type { SessionStatus } from '../../src/bgp/session-core.js';
import { BgpSessions } from '../../src/reconcile/bgp-sessions.js';
import type { BfdState, DropType } from '../../src/wire/bfd/index.js';
import { config, obj, peer } from '../announce/fixtures.js';

const log = createLogger({ component: 'test', level: 'error' });

class FakeSession {
  bfdDowns = 0;
  stopped = false;
  constructor(readonly peer: BGPPeer) {}
  start(): void {}
  stop(): void {
    this.stopped = true;
  }
  setAdvertised(_w: ReadonlyMap<string, Advertisement>): void {}
  bfdDown(): void {
    this.bfdDowns++;
  }
  status(): SessionStatus {
    return { state: 'established', establishedAt: 1, prefixesSent: 0, updatesSent: 0, updatesReceived: 0, prefixesReceived: 0, lastError: undefined, negotiated: undefined };
  }
}

class FakeBfd implements BfdPort {
  sets: BfdSessionWire[][] = [];
  states = new Map<string, BfdState>();
  private cb: ((c: BfdStateChange) => void) | undefined;
  setBfdSessions(s: readonly BfdSessionWire[]): void {
    this.sets.push([...s]);
  }
  onBfdState(cb: (c: BfdStateChange) => void): void {
    this.cb = cb;
  }
  bfdStatus(key: string): BfdSessionStatus | undefined {
    const state = this.states.get(key);
    return state ? ({ key, state, downs: 2 } as unknown as BfdSessionStatus) : undefined;
  }
  bfdDrops(): ReadonlyMap<DropType, number> {
    return new Map<DropType, number>([['bad-ttl', 4], ['bad-version', 0]]);
  }
  change(key: string, from: BfdState, to: BfdState): void {
    this.states.set(key, to);
    this.cb?.({ key, from, to, reason: to === 'down' ? { type: 'detect-timeout', detectMs: 900 } : { type: 'handshake', remoteState: 'up' } });
  }
}

const profile = (name: string, spec: Record<string, unknown>): Record<string, unknown> => obj('BFDProfile', name, spec);

function setup(): { s: BgpSessions; bfd: FakeBfd; made: FakeSession[]; events: string[]; registry: ReturnType<typeof createRegistry> } {
  const made: FakeSession[] = [];
  const events: string[] = [];
  const bfd = new FakeBfd();
  const registry = createRegistry('test', false);
  const recorder: EventRecorder = { record: (o, type, reason) => events.push(`${o.name} ${type} ${reason}`) };
  const s = new BgpSessions({
    factory: (p) => {
      const f = new FakeSession(p);
      made.push(f);
      return f;
    },
    node: 'node1',
    namespace: 'herald-system',
    log,
    events: recorder,
    bfd,
    registry,
  });
  return { s, bfd, made, events, registry };
}

const cfg = (peers: Record<string, unknown>[], profiles: Record<string, unknown>[]) => config({ peers, bfdProfiles: profiles });

describe('reconcile: BGP sessions with BFD', () => {
  it("a peer's bfdProfile becomes one BFD session with every field mapped", () => {
    const { s, bfd } = setup();
    const c = cfg(
      [
        peer('direct', { peerAddress: '192.0.2.1', sourceAddress: '192.0.2.11', bfdProfile: 'fast' }),
        peer('far', { peerAddress: '198.51.100.1', ebgpMultiHop: true, bfdProfile: 'slow' }),
        peer('plain', { peerAddress: '192.0.2.2' }),
      ],
      [profile('fast', { receiveInterval: 200, transmitInterval: 100, detectMultiplier: 5 }), profile('slow', { passiveMode: true, minimumTtl: 200 })],
    );
    s.setPeers([...c.peers.values()], c.bfdProfiles);
    assert.deepEqual(bfd.sets.at(-1), [
      { key: 'direct', peerAddress: '192.0.2.1', localAddress: '192.0.2.11', multihop: false, desiredMinTxUs: 100_000, requiredMinRxUs: 200_000, detectMult: 5, passive: false, minimumTtl: 254 },
      { key: 'far', peerAddress: '198.51.100.1', multihop: true, desiredMinTxUs: 300_000, requiredMinRxUs: 300_000, detectMult: 3, passive: true, minimumTtl: 200 },
    ]);
  });

  it('an unchanged set is not sent again; a profile change is; peers gone take their BFD sessions', () => {
    const { s, bfd } = setup();
    const c1 = cfg([peer('r', { bfdProfile: 'p' })], [profile('p', {})]);
    s.setPeers([...c1.peers.values()], c1.bfdProfiles);
    s.setPeers([...c1.peers.values()], c1.bfdProfiles);
    assert.equal(bfd.sets.length, 1);
    const c2 = cfg([peer('r', { bfdProfile: 'p' })], [profile('p', { transmitInterval: 500 })]);
    s.setPeers([...c2.peers.values()], c2.bfdProfiles);
    assert.equal(bfd.sets.length, 2);
    assert.equal(bfd.sets[1]![0]!.desiredMinTxUs, 500_000);
    s.setPeers([], c2.bfdProfiles);
    assert.deepEqual(bfd.sets.at(-1), []);
  });

  it('BFD Up -> Down tears down only that BGP session, at once, with an Event; Down -> Init does not', () => {
    const { s, bfd, made, events } = setup();
    const c = cfg([peer('a', { peerAddress: '192.0.2.1', bfdProfile: 'p' }), peer('b', { peerAddress: '192.0.2.2', bfdProfile: 'p' })], [profile('p', {})]);
    s.setPeers([...c.peers.values()], c.bfdProfiles);
    const [a, b] = [made.find((m) => m.peer.name === 'a')!, made.find((m) => m.peer.name === 'b')!];
    bfd.change('a', 'down', 'init');
    bfd.change('a', 'init', 'up');
    assert.equal(a.bfdDowns, 0);
    bfd.change('a', 'up', 'down');
    assert.equal(a.bfdDowns, 1);
    assert.equal(b.bfdDowns, 0);
    assert.deepEqual(events, ['a Warning BFDDown']);
    bfd.change('a', 'up', 'admin-down');
    assert.equal(a.bfdDowns, 2, 'the peer going AdminDown also means no forwarding');
  });

  it('views carry bfdState for peers with a profile only', () => {
    const { s, bfd } = setup();
    const c = cfg([peer('a', { peerAddress: '192.0.2.1', bfdProfile: 'p' }), peer('b', { peerAddress: '192.0.2.2' })], [profile('p', {})]);
    s.setPeers([...c.peers.values()], c.bfdProfiles);
    assert.deepEqual(s.views().map((v) => [v.peer, v.bfdState]), [['a', 'down'], ['b', undefined]]);
    bfd.change('a', 'init', 'up');
    assert.equal(s.views()[0]!.bfdState, 'up');
  });

  it('metrics: herald_bfd_session_up, _state, _downs and dropped packets by reason', async () => {
    const { s, bfd, registry } = setup();
    const c = cfg([peer('a', { peerAddress: '192.0.2.1', bfdProfile: 'p' })], [profile('p', {})]);
    s.setPeers([...c.peers.values()], c.bfdProfiles);
    bfd.change('a', 'init', 'up');
    const text = await registry.metrics();
    const has = (line: string): void => assert.ok(text.split('\n').includes(line), `${line} in\n${text}`);
    has('herald_bfd_session_up{peer="a",component="test"} 1');
    has('herald_bfd_session_state{peer="a",state="up",component="test"} 1');
    has('herald_bfd_session_state{peer="a",state="down",component="test"} 0');
    has('herald_bfd_session_downs{peer="a",component="test"} 2');
    has('herald_bfd_dropped_packets_total{reason="bad-ttl",component="test"} 4');
  });
});
