import assert from 'node:assert/strict';
import { createLogger, type BGPPeer, type BGPSessionStateStatus } from '@herald/shared';
import type { SessionState } from '../../src/bgp/fsm-types.js';
import type { SessionStatus } from '../../src/bgp/session-core.js';
import { BgpSessions, type SessionError, type SessionView } from '../../src/reconcile/bgp-sessions.js';
import { describeSessionError, desiredSessionState, sessionStateName, significant } from '../../src/status/session-state.js';
import { config, peer } from '../announce/fixtures.js';

const times = { now: '2026-01-02T03:04:05Z', wall: (ms: number): string => `wall(${ms})` };

const view = (o: Partial<SessionView> = {}): SessionView => ({
  peer: 'r1',
  peerAddress: '203.0.113.1',
  state: 'established',
  establishedAt: 1000,
  prefixesSent: 3,
  prefixesReceived: 1,
  updatesSent: 2,
  lastError: undefined,
  ...o,
});

describe('status: BGPSessionState names', () => {
  const long = 'n'.repeat(250);
  const cases: { desc: string; input: [string, string]; want: string | RegExp }[] = [
    { desc: 'node.peer', input: ['node1', 'r1'], want: 'node1.r1' },
    { desc: 'a node name with dots stays readable (the peer is after the last dot)', input: ['node1.example.org', 'r1'], want: 'node1.example.org.r1' },
    { desc: 'a peer name with a dot: hashed (node "a.b" + "c" and "a" + "b.c" must differ)', input: ['a', 'b.c'], want: /^bgpsession-[0-9a-f]{40}$/ },
    { desc: 'over 253 characters: hashed', input: [long, 'router1'], want: /^bgpsession-[0-9a-f]{40}$/ },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const got = sessionStateName(...c.input);
      if (typeof c.want === 'string') assert.equal(got, c.want);
      else assert.match(got, c.want);
    });
  }

  it('the hashed names of different sessions differ', () => {
    assert.notEqual(sessionStateName('a', 'b.c'), sessionStateName('a.b', 'c.x'));
    assert.notEqual(sessionStateName('a', 'b.c'), sessionStateName('b', 'b.c'));
  });
});

describe('status: BGPSessionState last error, readable', () => {
  // "bye" as an RFC 8203 shutdown communication: a length byte, then UTF-8.
  const bye = Buffer.concat([Buffer.from([3]), Buffer.from('bye')]).toString('hex');
  const cases: { desc: string; input: SessionError; want: string }[] = [
    { desc: 'hold timer', input: { type: 'down', reason: { type: 'hold-timer-expired' } }, want: 'hold timer expired' },
    { desc: 'BFD', input: { type: 'down', reason: { type: 'bfd-down' } }, want: 'BFD session went down' },
    {
      desc: 'NOTIFICATION received, cease',
      input: { type: 'down', reason: { type: 'notification-received', code: 6, subcode: 2, data: '' } },
      want: 'NOTIFICATION received: 6/2 administrative shutdown',
    },
    {
      desc: 'NOTIFICATION received with a shutdown communication',
      input: { type: 'down', reason: { type: 'notification-received', code: 6, subcode: 2, data: bye } },
      want: 'NOTIFICATION received: 6/2 administrative shutdown: "bye"',
    },
    {
      desc: 'a shutdown communication whose length overruns is left out',
      input: { type: 'down', reason: { type: 'notification-received', code: 6, subcode: 4, data: 'ff41' } },
      want: 'NOTIFICATION received: 6/4 administrative reset',
    },
    {
      desc: 'NOTIFICATION received, OPEN error',
      input: { type: 'down', reason: { type: 'notification-received', code: 2, subcode: 2, data: '' } },
      want: 'NOTIFICATION received: 2/2 bad peer AS',
    },
    { desc: 'an unknown code', input: { type: 'down', reason: { type: 'notification-received', code: 42, subcode: 1, data: '' } }, want: 'NOTIFICATION received: 42/1 unknown error code' },
    { desc: 'connect refused', input: { type: 'down', reason: { type: 'tcp-failed', error: 'connect ECONNREFUSED 203.0.113.1:179' } }, want: 'connect: ECONNREFUSED 203.0.113.1:179' },
    { desc: 'connection closed', input: { type: 'down', reason: { type: 'tcp-closed', state: 'openSent' } }, want: 'connection closed by the peer in OpenSent' },
    {
      desc: 'OPEN rejected',
      input: { type: 'down', reason: { type: 'open-rejected', code: 2, subcode: 2, why: 'peer AS 64501, expected 64500' } },
      want: 'OPEN rejected, NOTIFICATION sent: 2/2 bad peer AS: peer AS 64501, expected 64500',
    },
    {
      desc: 'malformed message',
      input: { type: 'down', reason: { type: 'decode-error', code: 1, subcode: 2, error: 'length 5' } },
      want: 'malformed message, NOTIFICATION sent: 1/2 message header error: length 5',
    },
    { desc: 'FSM error', input: { type: 'down', reason: { type: 'fsm-error', state: 'openConfirm', event: 'update' } }, want: 'unexpected update in OpenConfirm, NOTIFICATION sent: 5/0 finite state machine error' },
    { desc: 'stopped', input: { type: 'down', reason: { type: 'stopped' } }, want: 'stopped by the speaker' },
    { desc: 'reset for new settings', input: { type: 'reset', why: 'config-changed' }, want: 'session reset by the speaker: the BGPPeer settings changed' },
    { desc: 'not created', input: { type: 'create-failed', error: 'no router ID' }, want: 'session not started: no router ID' },
  ];
  for (const c of cases) it(c.desc, () => assert.equal(describeSessionError(c.input), c.want));
});

describe('status: the desired BGPSessionState', () => {
  const base = { node: 'node1', peer: 'r1', peerAddress: '203.0.113.1', prefixesSent: 3, prefixesReceived: 1, updatesSent: 2 };
  const cases: { desc: string; input: { view: SessionView; prev?: BGPSessionStateStatus }; want: Record<string, unknown> }[] = [
    {
      desc: 'established, first write: establishedAt as wall time, transition now',
      input: { view: view() },
      want: { ...base, state: 'Established', establishedAt: 'wall(1000)', lastTransitionTime: times.now },
    },
    {
      desc: 'same state as before: the transition time stays',
      input: { view: view(), prev: { state: 'Established', lastTransitionTime: '2025-01-01T00:00:00Z' } },
      want: { ...base, state: 'Established', establishedAt: 'wall(1000)', lastTransitionTime: '2025-01-01T00:00:00Z' },
    },
    {
      desc: 'down with a reason: no establishedAt, the reason readable, a new transition time',
      input: {
        view: view({ state: 'idle', establishedAt: undefined, prefixesSent: 0, lastError: { type: 'down', reason: { type: 'hold-timer-expired' } } }),
        prev: { state: 'Established', lastTransitionTime: '2025-01-01T00:00:00Z' },
      },
      want: { ...base, prefixesSent: 0, state: 'Idle', lastError: 'hold timer expired', lastTransitionTime: times.now },
    },
    {
      desc: 'no error in this session: the one already written stays',
      input: { view: view({ state: 'connect', establishedAt: undefined }), prev: { state: 'Connect', lastError: 'hold timer expired', lastTransitionTime: 'T0' } },
      want: { ...base, state: 'Connect', lastError: 'hold timer expired', lastTransitionTime: 'T0' },
    },
    {
      desc: 'a peer with a bfdProfile: the BFD state by its RFC 5880 name',
      input: { view: view({ bfdState: 'admin-down' }) },
      want: { ...base, state: 'Established', establishedAt: 'wall(1000)', bfdState: 'AdminDown', lastTransitionTime: times.now },
    },
    {
      desc: 'each FSM state by its RFC name',
      input: { view: view({ state: 'openConfirm', establishedAt: undefined }) },
      want: { ...base, state: 'OpenConfirm', lastTransitionTime: times.now },
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const got = desiredSessionState('node1', c.input.view, c.input.prev, times);
      assert.deepEqual(got.status, c.want);
      assert.equal(got.name, 'node1.r1');
      assert.deepEqual(got.labels, { 'herald.dev/node': 'node1', 'herald.dev/peer': 'r1' });
    });
  }

  it('significant(): counters alone do not count, state and error do', () => {
    const a = desiredSessionState('node1', view(), undefined, times).status;
    assert.equal(significant(a), significant(desiredSessionState('node1', view({ prefixesSent: 9, updatesSent: 7 }), undefined, times).status));
    assert.notEqual(significant(a), significant(desiredSessionState('node1', view({ state: 'active' }), undefined, times).status));
    assert.notEqual(significant(a), significant(desiredSessionState('node1', view({ lastError: { type: 'down', reason: { type: 'stopped' } } }), undefined, times).status));
  });
});

describe('status: BgpSessions.views() feeds BGPSessionState', () => {
  const log = createLogger({ component: 'test', level: 'error' });
  class Fake {
    st: SessionState = 'connect';
    lastError: SessionStatus['lastError'];
    constructor(readonly onState: (s: SessionState, d: string) => void) {}
    start(): void {}
    stop(): void {}
    setAdvertised(): void {}
    status(): SessionStatus {
      return { state: this.st, establishedAt: undefined, prefixesSent: 0, updatesSent: 0, updatesReceived: 0, prefixesReceived: 0, lastError: this.lastError, negotiated: undefined };
    }
  }
  const peers = (spec: Record<string, unknown>): BGPPeer[] => [...config({ peers: [peer('r1', spec)] }).peers.values()];

  it('a replaced session carries "reset" until it has its own reason; changes are signalled; a gone peer leaves no view', () => {
    const made: Fake[] = [];
    let changes = 0;
    const s = new BgpSessions({
      factory: (_p, on) => {
        const f = new Fake(on);
        made.push(f);
        return f;
      },
      node: 'node1',
      namespace: 'herald-system',
      log,
      onChange: () => changes++,
    });
    s.sync(peers({}), new Map());
    assert.equal(changes, 1, 'a session added');
    assert.deepEqual(
      s.views().map((v) => [v.peer, v.peerAddress, v.state, v.lastError]),
      [['r1', '203.0.113.1', 'connect', undefined]],
    );
    made[0]!.onState('established', 'progress');
    assert.equal(changes, 2, 'a state change');
    s.sync(peers({ holdTime: '30s' }), new Map());
    assert.equal(made.length, 2);
    assert.deepEqual(s.views()[0]!.lastError, { type: 'reset', why: 'config-changed' });
    made[1]!.lastError = { type: 'hold-timer-expired' };
    assert.deepEqual(s.views()[0]!.lastError, { type: 'down', reason: { type: 'hold-timer-expired' } });
    const before = changes;
    s.sync([], new Map());
    assert.ok(changes > before, 'removal signalled');
    assert.deepEqual(s.views(), []);
  });

  it('a session that cannot be created shows as Idle with why', () => {
    const s = new BgpSessions({
      factory: () => {
        throw new Error('no router ID');
      },
      node: 'node1',
      namespace: 'herald-system',
      log,
    });
    s.sync(peers({}), new Map());
    const o = desiredSessionState('node1', s.views()[0]!, undefined, times);
    assert.equal(o.status['state'], 'Idle');
    assert.equal(o.status['lastError'], 'session not started: no router ID');
  });
});
