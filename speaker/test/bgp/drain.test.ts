// The SIGTERM drain (issue 15 item 3) at the FSM and SessionCore level: stop({withdraw,
// communication}) writes the withdrawals, then Cease / Administrative Shutdown carrying the
// RFC 9003 message, then closes; a peer's Cease with a message shows in the down reason.
import assert from 'node:assert/strict';
import { IP } from '@herald/shared';
import { initialState, step } from '../../src/bgp/fsm.js';
import type { FsmEvent, FsmState } from '../../src/bgp/fsm-types.js';
import { encodeShutdownCommunication } from '../../src/wire/bgp/index.js';
import { cfg, peerOpen } from './fsm.test.js';
import { adv, isEndOfRib, setup, withdrawn } from './session-harness.js';

const toEstablished: FsmEvent[] = [
  { type: 'start' },
  { type: 'tcp-connected', localAddress: IP.parse('192.0.2.11') },
  { type: 'message', message: peerOpen() },
  { type: 'message', message: { type: 'keepalive' } },
];

function established(): FsmState {
  let s = initialState;
  for (const e of toEstablished) s = step(cfg, s, e).next;
  assert.equal(s.state, 'established');
  return s;
}

describe('bgp drain: withdraw, then Cease with a shutdown communication', () => {
  const stops: { desc: string; event: FsmEvent; wantData: Buffer; wantReason: unknown }[] = [
    { desc: 'stop without a message: Cease 6/2 with no data', event: { type: 'stop' }, wantData: Buffer.alloc(0), wantReason: { type: 'stopped' } },
    {
      desc: 'stop with a message: Cease 6/2 carries it (length octet + UTF-8)',
      event: { type: 'stop', communication: 'herald: node node2 shutting down' },
      wantData: Buffer.concat([Buffer.from([32]), Buffer.from('herald: node node2 shutting down')]),
      wantReason: { type: 'stopped', communication: 'herald: node node2 shutting down' },
    },
  ];
  for (const c of stops) {
    it(c.desc, () => {
      const t = step(cfg, established(), c.event);
      const sent = t.actions.find((a) => a.type === 'send');
      assert.ok(sent?.type === 'send' && sent.message.type === 'notification');
      assert.equal(sent.message.code, 6);
      assert.equal(sent.message.subcode, 2);
      assert.deepEqual(sent.message.data, c.wantData);
      assert.deepEqual(t.reason, { type: 'down', reason: c.wantReason });
      assert.deepEqual(t.actions.map((a) => a.type).slice(0, 2), ['send', 'close'], 'the NOTIFICATION is written before the close');
    });
  }

  const received: { desc: string; subcode: number; data: Buffer; want: string | undefined }[] = [
    { desc: "the router's admin shutdown with a message", subcode: 2, data: encodeShutdownCommunication('maintenance window'), want: 'maintenance window' },
    { desc: "the router's admin reset with a message", subcode: 4, data: encodeShutdownCommunication('policy change'), want: 'policy change' },
    { desc: 'admin shutdown without data', subcode: 2, data: Buffer.alloc(0), want: undefined },
    { desc: 'a malformed communication is noted, not fatal', subcode: 2, data: Buffer.from([9, 0x61]), want: '(malformed shutdown communication: length 9 but 1 octets follow)' },
    { desc: 'other Cease subcodes carry no communication', subcode: 3, data: encodeShutdownCommunication('x'), want: undefined },
  ];
  for (const c of received) {
    it(`received: ${c.desc}`, () => {
      const t = step(cfg, established(), { type: 'message', message: { type: 'notification', code: 6, subcode: c.subcode, data: c.data } });
      assert.equal(t.reason.type, 'down');
      const r = t.reason.type === 'down' ? t.reason.reason : undefined;
      assert.equal(r?.type, 'notification-received');
      assert.equal(r?.type === 'notification-received' ? r.communication : 'wrong type', c.want);
    });
  }

  it('SessionCore.stop({withdraw, communication}): every route withdrawn, then the Cease, then close, all at once', () => {
    const t = setup();
    t.core.setAdvertised(adv(['203.0.113.7/32', '203.0.113.8/32', '2001:db8:5::/64']));
    t.core.start();
    t.establish();
    t.flush();
    t.io.take();
    const closes = t.io.closes;
    t.core.stop({ withdraw: true, communication: 'herald: node node1 shutting down' });
    // No clock advance: everything is written inside stop().
    const sent = t.io.take();
    const last = sent.at(-1);
    assert.ok(last?.type === 'notification' && last.code === 6 && last.subcode === 2, `last message: ${JSON.stringify(last?.type)}`);
    assert.equal(last.data.subarray(1).toString(), 'herald: node node1 shutting down');
    assert.deepEqual(withdrawn(sent.slice(0, -1)).sort(), ['2001:db8:5::/64', '203.0.113.7/32', '203.0.113.8/32']);
    assert.ok(sent.slice(0, -1).every((m) => m.type === 'update'), 'only UPDATEs before the NOTIFICATION');
    assert.equal(t.io.closes, closes + 1);
    assert.equal(t.core.state, 'idle');
  });

  it('the withdrawals ignore backpressure: a socket that refuses more still gets them before the Cease', () => {
    const t = setup();
    const many = Array.from({ length: 600 }, (_, i) => `203.0.${113 + (i >> 8)}.${i % 256}/32`);
    t.core.setAdvertised(adv(many.filter((p) => !p.startsWith('203.0.115'))));
    t.core.start();
    t.establish();
    t.flush();
    t.io.take();
    t.io.capacity = 1; // every write now "fills the buffer"
    t.core.stop({ withdraw: true });
    const sent = t.io.take();
    assert.equal(withdrawn(sent).length, many.filter((p) => !p.startsWith('203.0.115')).length);
    assert.equal(sent.at(-1)?.type, 'notification');
  });

  it('stop without withdraw (a peer removed): the Cease only, the router drops the routes itself', () => {
    const t = setup();
    t.core.setAdvertised(adv(['203.0.113.7/32']));
    t.core.start();
    t.establish();
    t.flush();
    t.io.take();
    t.core.stop();
    const sent = t.io.take();
    assert.deepEqual(sent.map((m) => m.type), ['notification']);
    assert.ok(!sent.some(isEndOfRib));
  });
});
