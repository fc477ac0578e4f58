import assert from 'node:assert/strict';
import { IP } from '@herald/shared';
import { step, initialState, retryDelayMs } from '../../src/bgp/fsm.js';
import type { FsmConfig, FsmEvent, FsmState } from '../../src/bgp/fsm-types.js';
import type { OpenMessage } from '../../src/wire/bgp/index.js';

export const cfg: FsmConfig = {
  localAS: 64512,
  peerAS: 64500,
  routerId: IP.parse('192.0.2.11'),
  holdTime: 9,
  keepaliveTime: 3,
  connectRetryMs: 1000,
  maxRetryMs: 8000,
  families: [
    { afi: 1, safi: 1 },
    { afi: 2, safi: 1 },
  ],
  gracefulRestart: false,
};

export function peerOpen(over: Partial<OpenMessage> = {}): OpenMessage {
  return {
    type: 'open',
    version: 4,
    myAS: 64500,
    holdTime: 90,
    routerId: IP.parse('192.0.2.1'),
    capabilities: [
      { type: 'multiprotocol', afi: 1, safi: 1 },
      { type: 'route-refresh' },
      { type: 'four-octet-as', asn: 64500 },
    ],
    ...over,
  };
}

const local = IP.parse('192.0.2.11');
const toOpenSent: FsmEvent[] = [{ type: 'start' }, { type: 'tcp-connected', localAddress: local }];
const toEstablished: FsmEvent[] = [...toOpenSent, { type: 'message', message: peerOpen() }, { type: 'message', message: { type: 'keepalive' } }];

function run(events: FsmEvent[], c: FsmConfig = cfg): { s: FsmState; last: ReturnType<typeof step> } {
  let s = initialState;
  let last = step(c, s, events[0]!);
  s = last.next;
  for (const e of events.slice(1)) {
    last = step(c, s, e);
    s = last.next;
  }
  return { s, last };
}

const cases: { desc: string; events: FsmEvent[]; cfg?: FsmConfig; wantState: string; wantReason: unknown; wantSent?: unknown }[] = [
  { desc: 'start -> connect', events: [{ type: 'start' }], wantState: 'connect', wantReason: { type: 'progress', event: 'start' } },
  { desc: 'connect failure -> active', events: [{ type: 'start' }, { type: 'tcp-failed', error: 'ECONNREFUSED' }], wantState: 'active', wantReason: { type: 'progress', event: 'tcp-failed' } },
  { desc: 'connected -> openSent, sends OPEN', events: toOpenSent, wantState: 'openSent', wantReason: { type: 'progress', event: 'tcp-connected' } },
  { desc: 'good OPEN -> openConfirm', events: toEstablished.slice(0, 3), wantState: 'openConfirm', wantReason: { type: 'progress', event: 'message' } },
  { desc: 'KEEPALIVE in openConfirm -> established', events: toEstablished, wantState: 'established', wantReason: { type: 'progress', event: 'message' } },
  {
    desc: 'wrong peer AS -> 2/2, idle',
    events: [...toOpenSent, { type: 'message', message: peerOpen({ capabilities: [{ type: 'four-octet-as', asn: 65000 }] }) }],
    wantState: 'idle',
    wantReason: { type: 'down', reason: { type: 'open-rejected', code: 2, subcode: 2, why: 'peer AS 65000, want 64500' } },
    wantSent: { type: 'notification', code: 2, subcode: 2 },
  },
  {
    desc: 'hold time 2 -> 2/6',
    events: [...toOpenSent, { type: 'message', message: peerOpen({ holdTime: 2 }) }],
    wantState: 'idle',
    wantReason: { type: 'down', reason: { type: 'open-rejected', code: 2, subcode: 6, why: 'hold time 2' } },
    wantSent: { type: 'notification', code: 2, subcode: 6 },
  },
  {
    desc: 'router ID 0.0.0.0 -> 2/3',
    events: [...toOpenSent, { type: 'message', message: peerOpen({ routerId: IP.parse('0.0.0.0') }) }],
    wantState: 'idle',
    wantReason: { type: 'down', reason: { type: 'open-rejected', code: 2, subcode: 3, why: 'router ID 0.0.0.0' } },
  },
  {
    desc: 'iBGP peer with our router ID -> 2/3',
    cfg: { ...cfg, peerAS: 64512 },
    events: [...toOpenSent, { type: 'message', message: peerOpen({ myAS: 64512, routerId: cfg.routerId, capabilities: [] }) }],
    wantState: 'idle',
    wantReason: { type: 'down', reason: { type: 'open-rejected', code: 2, subcode: 3, why: 'iBGP peer has our router ID 192.0.2.11' } },
  },
  {
    desc: 'no common address family -> 2/7',
    cfg: { ...cfg, families: [{ afi: 2, safi: 1 }] },
    events: [...toOpenSent, { type: 'message', message: peerOpen() }],
    wantState: 'idle',
    wantReason: { type: 'down', reason: { type: 'open-rejected', code: 2, subcode: 7, why: 'no address family in common' } },
  },
  {
    desc: 'NOTIFICATION received -> idle with the code as the reason',
    events: [...toEstablished, { type: 'message', message: { type: 'notification', code: 6, subcode: 2, data: Buffer.alloc(0) } }],
    wantState: 'idle',
    wantReason: { type: 'down', reason: { type: 'notification-received', code: 6, subcode: 2, data: '' } },
  },
  {
    desc: 'BFD down while established -> Cease/BFD Down (RFC 9384), idle at once',
    events: [...toEstablished, { type: 'bfd-down' }],
    wantState: 'idle',
    wantReason: { type: 'down', reason: { type: 'bfd-down' } },
    wantSent: { type: 'notification', code: 6, subcode: 10 },
  },
  { desc: 'BFD down while connecting -> idle, nothing sent', events: [{ type: 'start' }, { type: 'bfd-down' }], wantState: 'idle', wantReason: { type: 'down', reason: { type: 'bfd-down' } } },
  { desc: 'BFD down while idle: ignored', events: [{ type: 'bfd-down' }], wantState: 'idle', wantReason: { type: 'ignored', event: 'bfd-down' } },
  {
    desc: 'hold timer expiry -> 4/0, idle',
    events: [...toEstablished, { type: 'timer', timer: 'hold' }],
    wantState: 'idle',
    wantReason: { type: 'down', reason: { type: 'hold-timer-expired' } },
    wantSent: { type: 'notification', code: 4, subcode: 0 },
  },
  {
    desc: 'decode error -> that NOTIFICATION',
    events: [...toEstablished, { type: 'decode-error', code: 3, subcode: 1, data: Buffer.alloc(0), error: 'x' }],
    wantState: 'idle',
    wantReason: { type: 'down', reason: { type: 'decode-error', code: 3, subcode: 1, error: 'x' } },
    wantSent: { type: 'notification', code: 3, subcode: 1 },
  },
  {
    desc: 'UPDATE in openConfirm -> FSM error 5/0',
    events: [...toEstablished.slice(0, 3), { type: 'message', message: { type: 'update', withdrawn: [], attributes: {}, nlri: [] } }],
    wantState: 'idle',
    wantReason: { type: 'down', reason: { type: 'fsm-error', state: 'openConfirm', event: 'update' } },
    wantSent: { type: 'notification', code: 5, subcode: 0 },
  },
  {
    desc: 'stop while established -> Cease/admin shutdown',
    events: [...toEstablished, { type: 'stop' }],
    wantState: 'idle',
    wantReason: { type: 'down', reason: { type: 'stopped' } },
    wantSent: { type: 'notification', code: 6, subcode: 2 },
  },
  {
    desc: 'TCP closed while established -> idle',
    events: [...toEstablished, { type: 'tcp-closed' }],
    wantState: 'idle',
    wantReason: { type: 'down', reason: { type: 'tcp-closed', state: 'established' } },
  },
];

describe('bgp fsm: transitions', () => {
  for (const c of cases) {
    it(c.desc, () => {
      const { s, last } = run(c.events, c.cfg);
      assert.equal(s.state, c.wantState);
      assert.deepEqual(last.reason, c.wantReason);
      if (c.wantSent) {
        const sent = last.actions.find((a) => a.type === 'send');
        assert.ok(sent && sent.type === 'send');
        assert.deepEqual({ ...sent.message, data: undefined }, { ...(c.wantSent), data: undefined });
      }
    });
  }

  const holds: { desc: string; ours: number; ka: number; theirs: number; want: [number, number] }[] = [
    { desc: 'min of both hold times; keepalive capped at a third', ours: 9, ka: 3, theirs: 90, want: [9, 3] },
    { desc: 'peer proposes less', ours: 90, ka: 30, theirs: 6, want: [6, 2] },
    { desc: 'keepalive 0 means a third of hold', ours: 9, ka: 0, theirs: 90, want: [9, 3] },
    { desc: 'hold 0 disables both', ours: 0, ka: 3, theirs: 90, want: [0, 0] },
    { desc: 'peer hold 0 disables both', ours: 9, ka: 3, theirs: 0, want: [0, 0] },
  ];
  for (const h of holds) {
    it(`hold negotiation: ${h.desc}`, () => {
      const c = { ...cfg, holdTime: h.ours, keepaliveTime: h.ka };
      const { s, last } = run([...toOpenSent, { type: 'message', message: peerOpen({ holdTime: h.theirs }) }], c);
      assert.deepEqual([s.negotiated?.holdTime, s.negotiated?.keepaliveTime], h.want);
      const timers = last.actions.filter((a) => a.type === 'start-timer').map((a) => a.type === 'start-timer' && [a.timer, a.ms]);
      assert.deepEqual(timers, h.want[0] ? [['hold', h.want[0] * 1000], ['keepalive', h.want[1] * 1000]] : []);
    });
  }

  it('connect-retry backoff doubles per failure and is capped', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 10].map((n) => retryDelayMs(cfg, n)), [1000, 2000, 4000, 8000, 8000, 8000]);
  });

  it('a 2-byte-only peer (no capabilities) negotiates IPv4 and 2-byte AS paths', () => {
    const { s } = run([...toOpenSent, { type: 'message', message: peerOpen({ capabilities: [] }) }]);
    assert.equal(s.negotiated?.fourOctetAs, false);
    assert.deepEqual(s.negotiated?.families, [{ afi: 1, safi: 1 }]);
  });
});
