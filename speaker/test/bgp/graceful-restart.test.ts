// Graceful restart (RFC 4724, issue 15 item 2) in the pure parts: the capability we send (restart
// time, Forwarding State bit per family, Restart State bit only until this process's first
// Established), the peer's capability as negotiated, and End-of-RIB held until the speaker's
// first pass is done, on a FakeClock.
import assert from 'node:assert/strict';
import { FakeClock, IP } from '@herald/shared';
import { initialState, step } from '../../src/bgp/fsm.js';
import type { FsmConfig, FsmEvent, FsmState } from '../../src/bgp/fsm-types.js';
import { GR_RESTART_TIME_S, buildOpen, checkOpen } from '../../src/bgp/open-check.js';
import { SessionCore } from '../../src/bgp/session-core.js';
import { decodeMessage, encodeMessage, type BgpMessage, type Capability, type OpenMessage } from '../../src/wire/bgp/index.js';
import { cfg, peerOpen } from './fsm.test.js';
import { FakeIO, adv, announced, enc, isEndOfRib } from './session-harness.js';

const grCfg: FsmConfig = { ...cfg, gracefulRestart: true };
const local = IP.parse('192.0.2.11');

function grCap(o: OpenMessage): Extract<Capability, { type: 'graceful-restart' }> | undefined {
  return o.capabilities.find((c): c is Extract<Capability, { type: 'graceful-restart' }> => c.type === 'graceful-restart');
}

/** Runs events from `s`; returns the state and every OPEN sent on the way. */
function run(c: FsmConfig, s: FsmState, events: FsmEvent[]): { s: FsmState; opens: OpenMessage[] } {
  const opens: OpenMessage[] = [];
  for (const e of events) {
    const t = step(c, s, e);
    s = t.next;
    for (const a of t.actions) if (a.type === 'send' && a.message.type === 'open') opens.push(a.message);
  }
  return { s, opens };
}

const connectAndOpen: FsmEvent[] = [{ type: 'start' }, { type: 'tcp-connected', localAddress: local }];

describe('graceful restart (RFC 4724): what we advertise', () => {
  const cases: { desc: string; cfg: FsmConfig; restarting: boolean; want: unknown }[] = [
    { desc: 'off: no capability', cfg, restarting: true, want: undefined },
    {
      desc: 'on, a fresh process: R set, 120 s, F set for IPv4 and IPv6 unicast',
      cfg: grCfg,
      restarting: true,
      want: { type: 'graceful-restart', restarting: true, restartTime: GR_RESTART_TIME_S, families: [{ afi: 1, safi: 1, forwardingPreserved: true }, { afi: 2, safi: 1, forwardingPreserved: true }] },
    },
    {
      desc: 'on, a reconnect in the same process: R clear, F still set',
      cfg: grCfg,
      restarting: false,
      want: { type: 'graceful-restart', restarting: false, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: true }, { afi: 2, safi: 1, forwardingPreserved: true }] },
    },
    {
      desc: 'a configured restart time is used, capped at the 12-bit field (4095 s)',
      cfg: { ...grCfg, restartTimeS: 9000, families: [{ afi: 1, safi: 1 }] },
      restarting: false,
      want: { type: 'graceful-restart', restarting: false, restartTime: 4095, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] },
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const open = buildOpen(c.cfg, { restarting: c.restarting });
      assert.deepEqual(grCap(open), c.want);
      // And it survives the wire as it was meant (the codec's own golden tests cover the bytes).
      const back = decodeMessage(encodeMessage(open, { fourOctetAs: true }), { fourOctetAs: true });
      assert.ok(back.type === 'open');
      assert.deepEqual(grCap(back), c.want);
    });
  }

  it('golden bytes: R set, 120 s, IPv4 and IPv6 unicast with F (capability 64, RFC 4724 §3)', () => {
    const open = buildOpen(grCfg, { restarting: true });
    const body = encodeMessage(open, { fourOctetAs: true });
    // 0x80|0x00 0x78: R bit and 120; then 00 01 01 80 and 00 02 01 80.
    const want = Buffer.from([64, 10, 0x80, 0x78, 0x00, 0x01, 0x01, 0x80, 0x00, 0x02, 0x01, 0x80]);
    assert.ok(body.includes(want), `OPEN ${body.toString('hex')} lacks ${want.toString('hex')}`);
  });

  it('the FSM sets R on the OPENs of a fresh process, including retries before any Established, and never after one', () => {
    const first = run(grCfg, initialState, [...connectAndOpen, { type: 'tcp-closed' }, { type: 'timer', timer: 'connectRetry' }, { type: 'tcp-connected', localAddress: local }]);
    assert.deepEqual(first.opens.map((o) => grCap(o)?.restarting), [true, true], 'no session came up yet: still a restarted speaker');
    const up = run(grCfg, first.s, [{ type: 'message', message: peerOpen() }, { type: 'message', message: { type: 'keepalive' } }]);
    assert.equal(up.s.state, 'established');
    const again = run(grCfg, up.s, [{ type: 'tcp-closed' }, { type: 'timer', timer: 'connectRetry' }, { type: 'tcp-connected', localAddress: local }]);
    assert.deepEqual(again.opens.map((o) => grCap(o)?.restarting), [false], 'a reconnect after Established is not a restart');
    const stopped = run(grCfg, again.s, [{ type: 'stop' }, { type: 'start' }, { type: 'tcp-connected', localAddress: local }]);
    assert.deepEqual(stopped.opens.map((o) => grCap(o)?.restarting), [false], 'nor is a stop and start of the session (a config change)');
  });
});

describe("graceful restart: the peer's capability (receiving role)", () => {
  const cases: { desc: string; caps: Capability[]; want: unknown }[] = [
    { desc: 'none', caps: [{ type: 'multiprotocol', afi: 1, safi: 1 }], want: undefined },
    {
      desc: 'a restarted router (R set, F for IPv4)',
      caps: [{ type: 'multiprotocol', afi: 1, safi: 1 }, { type: 'graceful-restart', restarting: true, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] }],
      want: { restarting: true, restartTimeS: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] },
    },
    {
      desc: 'a helper only (no families)',
      caps: [{ type: 'multiprotocol', afi: 1, safi: 1 }, { type: 'graceful-restart', restarting: false, restartTime: 90, families: [] }],
      want: { restarting: false, restartTimeS: 90, families: [] },
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const r = checkOpen(grCfg, peerOpen({ capabilities: [...c.caps, { type: 'four-octet-as', asn: 64500 }] }));
      assert.ok(r.ok);
      assert.deepEqual(r.negotiated.peerGracefulRestart, c.want);
    });
  }

  it('a restarted router gets the whole table again and End-of-RIB on the new session (we never wait for its End-of-RIB)', () => {
    const { core, io, clock } = coreWith(false);
    core.setAdvertised(adv(['203.0.113.7/32']));
    core.start();
    establishWith(core, [{ type: 'graceful-restart', restarting: true, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] }]);
    clock.advance(0);
    const first = io.take();
    core.closed(); // the router restarts: its TCP session goes
    clock.advance(1000);
    establishWith(core, [{ type: 'graceful-restart', restarting: true, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] }]);
    clock.advance(0);
    const second = io.take();
    for (const sent of [first, second]) {
      assert.deepEqual(announced(sent), ['203.0.113.7/32']);
      assert.ok(sent.some(isEndOfRib), 'End-of-RIB after the table');
    }
  });
});

function coreWith(hold: boolean): { core: SessionCore; io: FakeIO; clock: FakeClock } {
  const clock = new FakeClock();
  const io = new FakeIO();
  const core = new SessionCore({ fsm: grCfg, ibgp: false, clock, io, ...(hold ? { holdEndOfRib: true } : {}) });
  io.core = core;
  return { core, io, clock };
}

function establishWith(core: SessionCore, extra: Capability[] = []): void {
  core.connected(local);
  core.data(enc(peerOpen({ capabilities: [{ type: 'multiprotocol', afi: 1, safi: 1 }, { type: 'route-refresh' }, { type: 'four-octet-as', asn: 64500 }, ...extra] })));
  core.data(enc({ type: 'keepalive' }));
}

describe('graceful restart: End-of-RIB only once the first pass is done', () => {
  const eorAt = (ms: BgpMessage[]) => ms.findIndex(isEndOfRib);

  it('held: the table so far goes out, End-of-RIB waits; routes added before tableReady() go before it', () => {
    const { core, io, clock } = coreWith(true);
    core.setAdvertised(adv(['203.0.113.7/32']));
    core.start();
    establishWith(core);
    clock.advance(0);
    let sent = io.take();
    assert.deepEqual(announced(sent), ['203.0.113.7/32']);
    assert.equal(eorAt(sent), -1, 'no End-of-RIB while the first pass runs: the router would purge our stale routes');
    clock.advance(5000);
    core.updateAdvertised(new Map([['203.0.113.8/32', adv(['203.0.113.8/32']).get('203.0.113.8/32')]]));
    clock.advance(0);
    assert.equal(eorAt(io.take()), -1);
    core.updateAdvertised(new Map([['203.0.113.9/32', adv(['203.0.113.9/32']).get('203.0.113.9/32')]]));
    core.tableReady();
    clock.advance(0);
    sent = io.take();
    assert.deepEqual(announced(sent), ['203.0.113.9/32']);
    assert.equal(eorAt(sent), sent.length - 1, 'End-of-RIB last, after the route queued before tableReady()');
  });

  it('ready before the session comes up: End-of-RIB right after the table', () => {
    const { core, io, clock } = coreWith(true);
    core.setAdvertised(adv(['203.0.113.7/32']));
    core.tableReady();
    core.start();
    establishWith(core);
    clock.advance(0);
    const sent = io.take().filter((m) => m.type === 'update');
    assert.deepEqual(sent.map((m) => (isEndOfRib(m) ? 'eor' : 'route')), ['route', 'eor']);
  });

  it('not held (the default): End-of-RIB at once, as before', () => {
    const { core, io, clock } = coreWith(false);
    core.start();
    establishWith(core);
    clock.advance(0);
    assert.ok(io.take().some(isEndOfRib));
  });
});

describe('graceful restart, receiving role: a restarting router is reconnected to at once', () => {
  const slow: FsmConfig = { ...grCfg, connectRetryMs: 120_000, maxRetryMs: 600_000 };
  const routerGr = (restartTime: number): Capability => ({ type: 'graceful-restart', restarting: false, restartTime, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] });
  const up = (caps: Capability[]): FsmState =>
    run(slow, initialState, [...connectAndOpen, { type: 'message', message: peerOpen({ capabilities: [{ type: 'multiprotocol', afi: 1, safi: 1 }, { type: 'four-octet-as', asn: 64500 }, ...caps] }) }, { type: 'message', message: { type: 'keepalive' } }]).s;
  /**
   * Every connect-retry timer the FSM starts after `end`, through `attempts` rounds of: the timer
   * fires (a connect, whose timer is its timeout), the connect is refused (the wait before the next).
   */
  function delays(s: FsmState, end: FsmEvent, attempts: number): number[] {
    const out: number[] = [];
    const record = (t: ReturnType<typeof step>): FsmState => {
      for (const a of t.actions) if (a.type === 'start-timer' && a.timer === 'connectRetry') out.push(a.ms);
      return t.next;
    };
    s = record(step(slow, s, end));
    for (let i = 0; i < attempts; i++) {
      s = record(step(slow, s, { type: 'timer', timer: 'connectRetry' }));
      s = record(step(slow, s, { type: 'tcp-failed', error: 'ECONNREFUSED' }));
    }
    return out;
  }

  const cases: { desc: string; caps: Capability[]; end: FsmEvent; want: number[] }[] = [
    { desc: 'GR router, TCP closed (it restarted): 1 s, and 1 s while it boots', caps: [routerGr(120)], end: { type: 'tcp-closed' }, want: [1000, 1000, 1000, 1000, 1000] },
    { desc: 'GR router gone silent (hold timer): 1 s too', caps: [routerGr(120)], end: { type: 'timer', timer: 'hold' }, want: [1000, 1000, 1000, 1000, 1000] },
    { desc: 'GR router that said why (NOTIFICATION): the usual backoff', caps: [routerGr(120)], end: { type: 'message', message: { type: 'notification', code: 6, subcode: 4, data: Buffer.alloc(0) } }, want: [120_000, 240_000, 240_000, 480_000, 480_000] },
    { desc: 'a router without GR: the usual backoff', caps: [], end: { type: 'tcp-closed' }, want: [120_000, 240_000, 240_000, 480_000, 480_000] },
    // Two attempts, each with a 1 s connect timeout and a 1 s wait after a refusal.
    { desc: "quick only for the router's restart time (2 s: two attempts), then the backoff", caps: [routerGr(2)], end: { type: 'tcp-closed' }, want: [1000, 1000, 1000, 1000, 480_000] },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      assert.deepEqual(delays(up(c.caps), c.end, 3).slice(0, 5), c.want);
    });
  }

  it('once the session is back, the quick retries are spent: a later failure backs off as usual', () => {
    const s = up([routerGr(120)]);
    const down = step(slow, s, { type: 'tcp-closed' }).next;
    assert.equal(down.peerRestartRetries, 120);
    const back = run(slow, down, [{ type: 'timer', timer: 'connectRetry' }, { type: 'tcp-connected', localAddress: local }, { type: 'message', message: peerOpen() }, { type: 'message', message: { type: 'keepalive' } }]).s;
    assert.equal(back.state, 'established');
    assert.equal(back.peerRestartRetries, undefined);
  });
});
