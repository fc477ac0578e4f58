// The pure BFD state machine, one transition per row (RFC 5880 §6.2 diagram, §6.8.3 Poll
// Sequence and intervals, §6.8.4 detection, §6.8.6 reception, §6.8.7 transmission).
import assert from 'node:assert/strict';
import { initialState, jitteredMs, step, SLOW_TX_US, type BfdAction, type BfdConfig, type BfdEvent, type BfdSessionState } from '../../src/bfd/index.js';
import type { BfdState, ControlPacket } from '../../src/wire/bfd/index.js';

const cfg: BfdConfig = { desiredMinTxUs: 300_000, requiredMinRxUs: 300_000, detectMult: 3, passive: false };
const ctx = { random: 0 };
const fresh = initialState(cfg, 0x1111);

function peer(state: BfdState, o: Partial<ControlPacket> = {}): BfdEvent {
  return {
    type: 'received',
    packet: {
      diag: 0,
      state,
      poll: false,
      final: false,
      controlPlaneIndependent: false,
      demand: false,
      detectMult: 3,
      myDiscriminator: 0x2222,
      yourDiscriminator: state === 'down' || state === 'admin-down' ? 0 : 0x1111,
      desiredMinTxUs: 300_000,
      requiredMinRxUs: 300_000,
      requiredMinEchoRxUs: 0,
      ...o,
    },
  };
}

/** A state reached by the handshake, for rows that start Up. */
function run(s: BfdSessionState, events: BfdEvent[], c = cfg): BfdSessionState {
  for (const e of events) s = step(c, s, e, ctx).next;
  return s;
}
const up = run(fresh, [peer('down'), peer('up')]);
const upSettled = run(up, [peer('up', { final: true })]);

const sends = (a: readonly BfdAction[]): ControlPacket[] => a.flatMap((x) => (x.type === 'send' ? [x.packet] : []));
const arms = (a: readonly BfdAction[], t: 'tx' | 'detect'): number[] => a.flatMap((x) => (x.type === 'arm' && x.timer === t ? [x.ms] : []));
const moves = (a: readonly BfdAction[]): string[] => a.flatMap((x) => (x.type === 'state' ? [`${x.from}->${x.to}:${x.reason.type}`] : []));

interface Row {
  desc: string;
  from: BfdSessionState;
  event: BfdEvent;
  config?: BfdConfig;
  want: {
    state: BfdState;
    moves?: string[];
    diag?: number;
    sends?: Partial<ControlPacket>[];
    detectArmMs?: number;
    txArmMs?: number;
    polling?: boolean;
    remoteDiscr?: number;
    usedMinTxUs?: number;
    usedMinRxUs?: number;
  };
}

const rows: Row[] = [
  { desc: 'start: Down, sends at once at the slow 1 s rate', from: fresh, event: { type: 'start' }, want: { state: 'down', sends: [{ state: 'down', desiredMinTxUs: SLOW_TX_US, yourDiscriminator: 0 }], txArmMs: 750 } },
  { desc: 'start, passive: sends nothing until it hears the peer', from: fresh, event: { type: 'start' }, config: { ...cfg, passive: true }, want: { state: 'down', sends: [], txArmMs: 750 } },
  { desc: 'Down + peer Down -> Init, told at once', from: fresh, event: peer('down'), want: { state: 'init', moves: ['down->init:handshake'], sends: [{ state: 'init', yourDiscriminator: 0x2222, poll: false }], detectArmMs: 900, remoteDiscr: 0x2222 } },
  { desc: 'Down + peer Init -> Up, with a Poll for the faster rate', from: fresh, event: peer('init'), want: { state: 'up', moves: ['down->up:handshake'], sends: [{ state: 'up', poll: true, desiredMinTxUs: 300_000 }], polling: true, usedMinTxUs: 300_000 } },
  { desc: 'Down + peer Up: stays Down (RFC 5880 §6.2)', from: fresh, event: peer('up'), want: { state: 'down', moves: [], sends: [] } },
  { desc: 'Init + peer Up -> Up', from: run(fresh, [peer('down')]), event: peer('up'), want: { state: 'up', moves: ['init->up:handshake'] } },
  { desc: 'Init + peer Init -> Up', from: run(fresh, [peer('down')]), event: peer('init'), want: { state: 'up', moves: ['init->up:handshake'] } },
  { desc: 'Init + peer Down: stays Init', from: run(fresh, [peer('down')]), event: peer('down'), want: { state: 'init', moves: [] } },
  { desc: 'Up + peer Down -> Down, diag 3 (neighbor signaled down), back to 1 s', from: upSettled, event: peer('down'), want: { state: 'down', moves: ['up->down:neighbor-down'], diag: 3, sends: [{ state: 'down', diag: 3, desiredMinTxUs: SLOW_TX_US }] } },
  { desc: 'Up + peer AdminDown -> Down, diag 3', from: upSettled, event: peer('admin-down'), want: { state: 'down', moves: ['up->down:neighbor-admin-down'], diag: 3 } },
  { desc: 'Down + peer AdminDown: stays Down', from: fresh, event: peer('admin-down'), want: { state: 'down', moves: [] } },
  { desc: 'Up + detect timer -> Down, diag 1, peer forgotten', from: upSettled, event: { type: 'timer', timer: 'detect' }, want: { state: 'down', moves: ['up->down:detect-timeout'], diag: 1, remoteDiscr: 0, sends: [{ state: 'down', diag: 1, yourDiscriminator: 0 }] } },
  { desc: 'Down + detect timer: the peer is forgotten, no state change', from: run(fresh, [peer('admin-down')]), event: { type: 'timer', timer: 'detect' }, want: { state: 'down', moves: [], remoteDiscr: 0 } },
  { desc: 'a Poll from the peer is answered at once with a Final, never both bits', from: upSettled, event: peer('up', { poll: true }), want: { state: 'up', sends: [{ final: true, poll: false }] } },
  { desc: 'a Final ends our Poll Sequence', from: up, event: peer('up', { final: true }), want: { state: 'up', polling: false, sends: [] } },
  { desc: 'Up: the periodic packet carries P while polling', from: up, event: { type: 'timer', timer: 'tx' }, want: { state: 'up', sends: [{ poll: true, state: 'up' }], txArmMs: 225 } },
  { desc: 'Up: no P once the Poll Sequence ended', from: upSettled, event: { type: 'timer', timer: 'tx' }, want: { state: 'up', sends: [{ poll: false }], txArmMs: 225 } },
  { desc: 'the peer asks for a slower rate: we transmit at its Required Min RX', from: upSettled, event: peer('up', { requiredMinRxUs: 2_000_000 }), want: { state: 'up', txArmMs: 1500 } },
  { desc: 'peer Required Min RX 0: no periodic packets', from: run(upSettled, [peer('up', { requiredMinRxUs: 0 })]), event: { type: 'timer', timer: 'tx' }, want: { state: 'up', sends: [] } },
  { desc: 'detection time is the peer multiplier times the slower of our RX and its TX', from: upSettled, event: peer('up', { detectMult: 5, desiredMinTxUs: 400_000 }), want: { state: 'up', detectArmMs: 2000 } },
  {
    desc: 'config, Up: a slower TX starts a Poll and is not used until the Final',
    from: upSettled,
    event: { type: 'config', config: { ...cfg, desiredMinTxUs: 500_000 } },
    want: { state: 'up', polling: true, usedMinTxUs: 300_000, sends: [{ poll: true, desiredMinTxUs: 500_000 }] },
  },
  {
    desc: 'config, Up: a faster RX keeps the old one in the detection time until the Final',
    from: upSettled,
    event: { type: 'config', config: { ...cfg, requiredMinRxUs: 100_000 } },
    want: { state: 'up', polling: true, usedMinRxUs: 300_000, sends: [{ poll: true, requiredMinRxUs: 100_000 }] },
  },
  { desc: 'config, Down: applies at once without a Poll, still at least 1 s', from: fresh, event: { type: 'config', config: { ...cfg, requiredMinRxUs: 100_000 } }, want: { state: 'down', polling: false, usedMinRxUs: 100_000, usedMinTxUs: SLOW_TX_US, sends: [] } },
  { desc: 'admin-down: tells the peer AdminDown, diag 7', from: upSettled, event: { type: 'admin-down' }, want: { state: 'admin-down', moves: ['up->admin-down:admin-down'], diag: 7, sends: [{ state: 'admin-down', diag: 7 }] } },
  { desc: 'AdminDown discards what it receives', from: run(upSettled, [{ type: 'admin-down' }]), event: peer('init'), want: { state: 'admin-down', moves: [], sends: [] } },
];

describe('bfd fsm: step()', () => {
  for (const r of rows) {
    it(r.desc, () => {
      const t = step(r.config ?? cfg, r.from, r.event, ctx);
      const w = r.want;
      assert.equal(t.next.state, w.state);
      if (w.moves) assert.deepEqual(moves(t.actions), w.moves);
      if (w.diag !== undefined) assert.equal(t.next.diag, w.diag);
      if (w.polling !== undefined) assert.equal(t.next.polling, w.polling);
      if (w.remoteDiscr !== undefined) assert.equal(t.next.remoteDiscr, w.remoteDiscr);
      if (w.usedMinTxUs !== undefined) assert.equal(t.next.usedMinTxUs, w.usedMinTxUs);
      if (w.usedMinRxUs !== undefined) assert.equal(t.next.usedMinRxUs, w.usedMinRxUs);
      if (w.detectArmMs !== undefined) assert.deepEqual(arms(t.actions, 'detect'), [w.detectArmMs]);
      if (w.txArmMs !== undefined) assert.deepEqual(arms(t.actions, 'tx'), [w.txArmMs]);
      if (w.sends) {
        const got = sends(t.actions);
        assert.equal(got.length, w.sends.length, JSON.stringify(got));
        w.sends.forEach((want, i) => {
          for (const [k, v] of Object.entries(want)) assert.deepEqual(got[i]![k as keyof ControlPacket], v, `packet ${i} ${k}`);
          assert.ok(!(got[i]!.poll && got[i]!.final), 'P and F never together');
          assert.equal(got[i]!.requiredMinEchoRxUs, 0, 'we never ask for echoes');
        });
      }
    });
  }

  it('jitter: 75-100% of the interval, 75-90% with a detect multiplier of 1 (RFC 5880 §6.8.7)', () => {
    const cases: { mult: number; random: number; want: number }[] = [
      { mult: 3, random: 0, want: 750 },
      { mult: 3, random: 0.5, want: 875 },
      { mult: 3, random: 0.999999, want: 999.99975 },
      { mult: 1, random: 0, want: 750 },
      { mult: 1, random: 0.999999, want: 899.99985 },
      { mult: 3, random: 7, want: 999.99975 },
    ];
    for (const c of cases) assert.ok(Math.abs(jitteredMs(1_000_000, c.mult, c.random) - c.want) < 1e-6, `${JSON.stringify(c)}: ${jitteredMs(1_000_000, c.mult, c.random)}`);
  });

  it('refuses a zero local discriminator', () => {
    assert.throws(() => initialState(cfg, 0), RangeError);
  });
});
