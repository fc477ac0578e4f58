// Two BFD cores wired back to back over a fake link, on one FakeClock: the handshake, the
// detection time after the peer freezes, the slow rate while not Up, Poll/Final on a timer
// change, passive mode and AdminDown. No sleeps.
import assert from 'node:assert/strict';
import { FakeClock } from '@herald/shared/clock';
import { BfdSessionCore, type BfdConfig } from '../../src/bfd/index.js';
import { decodeControl, type BfdState, type ControlPacket } from '../../src/wire/bfd/index.js';

const fast: BfdConfig = { desiredMinTxUs: 300_000, requiredMinRxUs: 300_000, detectMult: 3, passive: false };

interface Side {
  core: BfdSessionCore;
  sent: { at: number; p: ControlPacket }[];
  moves: string[];
}

/** a <-> b over a link that delivers after 1 ms unless cut in that direction. */
function pair(clock: FakeClock, ca: BfdConfig, cb: BfdConfig, random = () => 0.5): { a: Side; b: Side; cut: { a: boolean; b: boolean } } {
  const cut = { a: false, b: false };
  const mk = (cfg: BfdConfig, discr: number, from: 'a' | 'b', to: () => Side): Side => {
    const side: Side = {
      sent: [],
      moves: [],
      core: new BfdSessionCore({
        config: cfg,
        localDiscr: discr,
        clock,
        random,
        send: (buf) => {
          const p = decodeControl(buf);
          side.sent.push({ at: clock.now(), p });
          if (!cut[from]) clock.setTimeout(() => to().core.receive(p), 1);
        },
      }),
    };
    side.core.onState((f, t, r) => side.moves.push(`${f}->${t}:${r.type}`));
    return side;
  };
  const a: Side = mk(ca, 0xa, 'a', () => b);
  const b: Side = mk(cb, 0xb, 'b', () => a);
  return { a, b, cut };
}

const gaps = (s: Side, from: number, state?: BfdState): number[] => {
  const ts = s.sent.filter((x) => x.at >= from && (!state || x.p.state === state) && !x.p.final).map((x) => x.at);
  return ts.slice(1).map((t, i) => t - ts[i]!);
};

describe('bfd session core (fake clock, two sessions back to back)', () => {
  it('comes Up both sides within one slow interval, and polls down to 300 ms', () => {
    const clock = new FakeClock();
    const { a, b } = pair(clock, fast, fast);
    a.core.start();
    b.core.start();
    clock.advance(50);
    assert.equal(a.core.state, 'up');
    assert.equal(b.core.state, 'up');
    assert.ok(a.sent.some((x) => x.p.poll) && b.sent.some((x) => x.p.final), 'a Poll answered by a Final');
    clock.advance(3000);
    assert.equal(a.core.variables.polling, false);
    const g = gaps(a, 1000, 'up');
    assert.ok(g.length > 5);
    for (const x of g) assert.ok(x >= 225 && x <= 300, `up gap ${x}`);
    assert.deepEqual(a.moves, ['down->init:handshake', 'init->up:handshake']);
  });

  it('a frozen peer is detected Down after 3 x 300 ms (diag 1), and the slow 1 s rate resumes', () => {
    const clock = new FakeClock();
    const { a, b, cut } = pair(clock, fast, fast);
    a.core.start();
    b.core.start();
    clock.advance(2000);
    const frozenAt = clock.now();
    cut.b = true;
    clock.advance(5000);
    assert.equal(a.core.state, 'down');
    assert.equal(a.core.status().diag, 1);
    assert.deepEqual(a.moves, ['down->init:handshake', 'init->up:handshake', 'up->down:detect-timeout']);
    const lastHeard = Math.max(...b.sent.filter((x) => x.at < frozenAt).map((x) => x.at)) + 1;
    const downAt = a.sent.find((x) => x.at > frozenAt && x.p.state === 'down')!.at;
    assert.ok(downAt - lastHeard >= 899 && downAt - lastHeard <= 901, `detected ${downAt - lastHeard} ms after the last packet`);
    for (const x of gaps(a, downAt + 1, 'down')) assert.ok(x >= 750 && x <= 1000, `down gap ${x}`);
    assert.equal(a.core.status().lastDown?.type, 'detect-timeout');
    assert.equal(a.core.status().downs, 1);
  });

  it('comes back Up when the peer thaws', () => {
    const clock = new FakeClock();
    const { a, b, cut } = pair(clock, fast, fast);
    a.core.start();
    b.core.start();
    clock.advance(1000);
    cut.b = true;
    clock.advance(3000);
    cut.b = false;
    clock.advance(3000);
    assert.equal(a.core.state, 'up');
    assert.equal(b.core.state, 'up');
  });

  it('a timer change while Up runs a Poll Sequence; the new rate is used after the Final', () => {
    const clock = new FakeClock();
    const { a, b } = pair(clock, fast, fast);
    a.core.start();
    b.core.start();
    clock.advance(2000);
    const t = clock.now();
    a.core.setConfig({ ...fast, desiredMinTxUs: 600_000, requiredMinRxUs: 600_000 });
    clock.advance(10);
    assert.ok(a.sent.some((x) => x.at >= t && x.p.poll && x.p.desiredMinTxUs === 600_000));
    assert.ok(b.sent.some((x) => x.at >= t && x.p.final));
    assert.equal(a.core.variables.polling, false);
    clock.advance(5000);
    for (const x of gaps(a, t + 1000, 'up')) assert.ok(x >= 450 && x <= 600, `gap ${x}`);
    assert.equal(b.core.status().detectMs, 1800);
    assert.equal(a.core.state, 'up');
    assert.equal(b.core.state, 'up');
  });

  it('passive: silent until the peer speaks, then Up', () => {
    const clock = new FakeClock();
    const { a, b } = pair(clock, { ...fast, passive: true }, fast);
    a.core.start();
    clock.advance(5000);
    assert.equal(a.sent.length, 0);
    b.core.start();
    clock.advance(100);
    assert.equal(a.core.state, 'up');
  });

  it('two passive ends never talk', () => {
    const clock = new FakeClock();
    const { a, b } = pair(clock, { ...fast, passive: true }, { ...fast, passive: true });
    a.core.start();
    b.core.start();
    clock.advance(5000);
    assert.equal(a.sent.length + b.sent.length, 0);
  });

  it('stop sends AdminDown; the peer goes Down with neighbor-admin-down, not a detection', () => {
    const clock = new FakeClock();
    const { a, b } = pair(clock, fast, fast);
    a.core.start();
    b.core.start();
    clock.advance(1000);
    a.core.stop();
    clock.advance(10);
    assert.equal(b.core.state, 'down');
    assert.deepEqual(b.moves, ['down->init:handshake', 'init->up:handshake', 'up->down:neighbor-admin-down']);
    assert.equal(clock.pending() > 0, true, 'b keeps its timers');
    const n = a.sent.length;
    clock.advance(5000);
    assert.equal(a.sent.length, n, 'a stopped sending');
  });

  it('drops authenticated packets: no authentication is configured', () => {
    const clock = new FakeClock();
    const { a } = pair(clock, fast, fast);
    const p = { diag: 0, state: 'down' as const, poll: false, final: false, controlPlaneIndependent: false, demand: false, detectMult: 3, myDiscriminator: 5, yourDiscriminator: 0, desiredMinTxUs: 1, requiredMinRxUs: 1, requiredMinEchoRxUs: 0 };
    assert.deepEqual(a.core.receive({ ...p, auth: { type: 'simple-password', keyId: 1, password: Buffer.from('x') } }), { type: 'auth-not-configured' });
    assert.equal(a.core.state, 'down');
    assert.equal(a.core.receive(p), undefined);
    assert.equal(a.core.state, 'init');
  });
});
