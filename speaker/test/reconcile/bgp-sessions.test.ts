import assert from 'node:assert/strict';
import { Prefix, Registry, createLogger, type BGPPeer, type EventRecorder } from '@herald/shared';
import type { Advertisement } from '../../src/bgp/adj-rib-out.js';
import type { SessionState } from '../../src/bgp/fsm-types.js';
import type { SessionStatus } from '../../src/bgp/session-core.js';
import { BgpSessions } from '../../src/reconcile/bgp-sessions.js';
import { config, peer } from '../announce/fixtures.js';

const log = createLogger({ component: 'test', level: 'error' });

class FakeSession {
  started = false;
  stopped = false;
  routes: string[] = [];
  state: SessionStatus['state'] = 'idle';
  updates = 0;
  constructor(
    readonly peer: BGPPeer,
    readonly onState: (s: SessionState, detail: string) => void,
  ) {}
  start(): void {
    this.started = true;
  }
  stop(): void {
    this.stopped = true;
  }
  setAdvertised(want: ReadonlyMap<string, Advertisement>): void {
    this.routes = [...want.keys()].sort();
  }
  status(): SessionStatus {
    return { state: this.state, establishedAt: undefined, prefixesSent: this.routes.length, updatesSent: this.updates, updatesReceived: 0, prefixesReceived: 0, lastError: undefined, negotiated: undefined };
  }
}

const peers = (...specs: [string, Record<string, unknown>][]): BGPPeer[] => [...config({ peers: specs.map(([n, s]) => peer(n, s)) }).peers.values()];
const routes = (m: Record<string, string[]>): Map<string, Map<string, Advertisement>> =>
  new Map(Object.entries(m).map(([p, l]) => [p, new Map(l.map((x) => [x, { prefix: Prefix.parse(x) }]))]));

describe('reconcile: BGP sessions per peer', () => {
  const steps: { desc: string; peers: BGPPeer[]; routes: Record<string, string[]>; want: { live: Record<string, string[]>; created: number; stopped: number } }[] = [
    { desc: 'a peer appears: one session, started, with its routes', peers: peers(['r1', {}]), routes: { r1: ['192.0.2.10/32'] }, want: { live: { r1: ['192.0.2.10/32'] }, created: 1, stopped: 0 } },
    { desc: 'routes change: same session, new routes', peers: peers(['r1', {}]), routes: { r1: ['192.0.2.10/32', '192.0.2.11/32'] }, want: { live: { r1: ['192.0.2.10/32', '192.0.2.11/32'] }, created: 1, stopped: 0 } },
    { desc: 'a second peer: a second session', peers: peers(['r1', {}], ['r2', { peerAddress: '203.0.113.2' }]), routes: { r1: [], r2: ['192.0.2.10/32'] }, want: { live: { r1: [], r2: ['192.0.2.10/32'] }, created: 2, stopped: 0 } },
    { desc: "a peer's config changes: its session is replaced", peers: peers(['r1', { holdTime: '30s' }], ['r2', { peerAddress: '203.0.113.2' }]), routes: { r2: ['192.0.2.10/32'] }, want: { live: { r1: [], r2: ['192.0.2.10/32'] }, created: 3, stopped: 1 } },
    { desc: 'a peer goes: its session stops', peers: peers(['r2', { peerAddress: '203.0.113.2' }]), routes: { r2: [] }, want: { live: { r2: [] }, created: 3, stopped: 2 } },
  ];

  it('follows the peers step by step (and says so in Events on session up/down)', () => {
    const made: FakeSession[] = [];
    const events: string[] = [];
    const recorder: EventRecorder = { record: (o, _t, reason, msg) => events.push(`${o.kind}/${o.name} ${reason} ${msg}`) };
    const s = new BgpSessions({ factory: (p, on) => { const f = new FakeSession(p, on); made.push(f); return f; }, node: 'node1', namespace: 'herald-system', log, events: recorder });
    for (const st of steps) {
      s.sync(st.peers, routes(st.routes));
      const live = Object.fromEntries(made.filter((f) => !f.stopped).map((f) => [f.peer.name, f.routes]));
      assert.deepEqual(live, st.want.live, st.desc);
      assert.equal(made.length, st.want.created, `${st.desc}: created`);
      assert.equal(made.filter((f) => f.stopped).length, st.want.stopped, `${st.desc}: stopped`);
      assert.ok(made.every((f) => f.started), `${st.desc}: every session started`);
    }
    const r2 = made.find((f) => f.peer.name === 'r2' && !f.stopped)!;
    r2.onState('established', 'progress');
    r2.onState('established', 'progress');
    r2.onState('active', '{"type":"hold-timer-expired"}');
    assert.deepEqual(events, ['BGPPeer/r2 SessionEstablished node1: session established', 'BGPPeer/r2 SessionDown node1: session down: {"type":"hold-timer-expired"}']);
    assert.deepEqual([...s.statuses().keys()], ['r2']);
    s.stopAll();
    assert.ok(made.every((f) => f.stopped));
  });

  it('the metrics read each live session: up, prefixes advertised, UPDATEs sent', async () => {
    const made: FakeSession[] = [];
    const registry = new Registry();
    const s = new BgpSessions({ factory: (p, on) => { const f = new FakeSession(p, on); made.push(f); return f; }, node: 'node1', namespace: 'herald-system', log, registry });
    s.sync(peers(['r1', {}], ['r2', { peerAddress: '203.0.113.2' }]), routes({ r1: ['192.0.2.10/32', '192.0.2.11/32'], r2: [] }));
    const r1 = made.find((f) => f.peer.name === 'r1')!;
    r1.state = 'established';
    r1.updates = 4;
    const text = await registry.metrics();
    assert.match(text, /herald_bgp_session_up\{peer="r1"\} 1/);
    assert.match(text, /herald_bgp_session_up\{peer="r2"\} 0/);
    assert.match(text, /herald_bgp_announced_prefixes\{peer="r1"\} 2/);
    assert.match(text, /herald_bgp_updates_sent\{peer="r1"\} 4/);
    s.sync(peers(['r2', { peerAddress: '203.0.113.2' }]), routes({ r2: [] }));
    assert.doesNotMatch(await registry.metrics(), /peer="r1"/, 'a peer that went has no series left');
  });

  it('a session that cannot be created is reported, not thrown', () => {
    const s = new BgpSessions({ factory: () => { throw new Error('no router ID'); }, node: 'node1', namespace: 'herald-system', log });
    s.sync(peers(['r1', {}]), new Map());
    assert.deepEqual([...s.statuses()], [['r1', { state: 'failed', error: 'no router ID' }]]);
  });
});
