// The BFD endpoint over fake sockets (a BfdIo that delivers between two endpoints on a
// FakeClock): sessions come Up, a timer change is a Poll and not a new session, a changed
// minimum TTL or address is a new session, removal sends AdminDown, and bad packets are counted.
import assert from 'node:assert/strict';
import { FakeClock } from '@herald/shared/clock';
import { createLogger } from '@herald/shared/log';
import { IP } from '@herald/shared/net';
import { BfdEndpoint, type BfdPeerSpec } from '../../src/bfd/endpoint.js';
import type { BfdIo } from '../../src/bfd/udp-io.js';
import type { Datagram } from '../../src/sys/udp-ttl-socket.js';
import { decodeControl, type ControlPacket } from '../../src/wire/bfd/index.js';

const log = createLogger({ component: 'test', level: 'error' });

/** Two hosts on a wire: datagrams arrive 1 ms later with the TTL the wire is set to. */
class Wire {
  ttl = 255;
  readonly seen: { from: string; p: ControlPacket }[] = [];
  private readonly rx = new Map<string, (d: Datagram) => void>();
  constructor(readonly clock: FakeClock) {}

  io(self: string): BfdIo {
    return {
      openReceiver: (_family, port, onDatagram) => {
        this.rx.set(`${self}:${port}`, onDatagram);
        return { close: () => this.rx.delete(`${self}:${port}`) };
      },
      openSender: (peer, port) =>
        Promise.resolve({
          send: (b: Buffer) => {
            this.seen.push({ from: self, p: decodeControl(b) });
            const ttl = this.ttl;
            this.clock.setTimeout(() => this.rx.get(`${peer.toString()}:${port}`)?.({ payload: b, from: IP.parse(self), port: 49152, ttl }), 1);
          },
          close: () => undefined,
        }),
    };
  }

  inject(to: string, port: number, from: string, hex: string, ttl = 255): void {
    this.rx.get(`${to}:${port}`)?.({ payload: Buffer.from(hex, 'hex'), from: IP.parse(from), port: 49152, ttl });
  }
}

const spec = (peer: string, o: Partial<BfdPeerSpec> = {}): BfdPeerSpec => ({
  key: 'r',
  peerAddress: IP.parse(peer),
  multihop: false,
  minimumTtl: 254,
  config: { desiredMinTxUs: 300_000, requiredMinRxUs: 300_000, detectMult: 3, passive: false },
  ...o,
});

async function settle(clock: FakeClock, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 10) {
    await Promise.resolve();
    clock.advance(10);
  }
}

function pair(): { clock: FakeClock; wire: Wire; a: BfdEndpoint; b: BfdEndpoint } {
  const clock = new FakeClock();
  const wire = new Wire(clock);
  const a = new BfdEndpoint({ log, clock, io: wire.io('192.0.2.1') });
  const b = new BfdEndpoint({ log, clock, io: wire.io('192.0.2.2') });
  return { clock, wire, a, b };
}

describe('bfd endpoint (fake sockets, fake clock)', () => {
  it('two endpoints come Up; a timer change runs a Poll on the same session', async () => {
    const { clock, wire, a, b } = pair();
    a.setSessions([spec('192.0.2.2')]);
    b.setSessions([spec('192.0.2.1')]);
    await settle(clock, 3000);
    assert.equal(a.status('r')?.state, 'up');
    const discr = a.status('r')!.localDiscr;
    a.setSessions([spec('192.0.2.2', { config: { desiredMinTxUs: 500_000, requiredMinRxUs: 500_000, detectMult: 3, passive: false } })]);
    await settle(clock, 2000);
    assert.equal(a.status('r')?.localDiscr, discr, 'same session');
    assert.ok(wire.seen.some((x) => x.from === '192.0.2.1' && x.p.poll && x.p.desiredMinTxUs === 500_000));
    assert.equal(b.status('r')?.detectMs, 1500);
    assert.equal(a.status('r')?.state, 'up');
  });

  it('a new minimum TTL on a multihop session is a new session', async () => {
    const { clock, a } = pair();
    a.setSessions([spec('192.0.2.2', { multihop: true, minimumTtl: 254 })]);
    await settle(clock, 100);
    const d = a.status('r')!.localDiscr;
    a.setSessions([spec('192.0.2.2', { multihop: true, minimumTtl: 100 })]);
    await settle(clock, 100);
    assert.notEqual(a.status('r')!.localDiscr, d);
  });

  it('a removed session tells the peer AdminDown; the peer goes Down without waiting for detection', async () => {
    const { clock, a, b } = pair();
    const downs: string[] = [];
    b.onState((_k, from, to, reason) => downs.push(`${from}->${to}:${reason.type}`));
    a.setSessions([spec('192.0.2.2')]);
    b.setSessions([spec('192.0.2.1')]);
    await settle(clock, 3000);
    a.setSessions([]);
    await settle(clock, 20);
    assert.equal(b.status('r')?.state, 'down');
    assert.equal(downs.at(-1), 'up->down:neighbor-admin-down');
  });

  it('wrong TTL and malformed packets are counted by reason, never crash, and change no state', async () => {
    const { clock, wire, a, b } = pair();
    a.setSessions([spec('192.0.2.2')]);
    b.setSessions([spec('192.0.2.1')]);
    await settle(clock, 3000);
    wire.inject('192.0.2.1', 3784, '192.0.2.2', '20400318000000090000000000000001000000010000000000', 64);
    wire.inject('192.0.2.1', 3784, '192.0.2.2', 'e040');
    wire.inject('192.0.2.1', 3784, '192.0.2.9', '204003180000000900000000000f4240000f424000000000');
    assert.equal(a.drops().get('bad-ttl'), 1);
    assert.equal(a.drops().get('bad-version'), 1);
    assert.equal(a.drops().get('unknown-peer'), 1);
    assert.equal(a.status('r')?.state, 'up');
    // The wire's TTL drops to 64 (a router in between): every packet is refused, the session dies.
    wire.ttl = 64;
    await settle(clock, 1500);
    assert.equal(a.status('r')?.state, 'down');
    assert.ok((a.drops().get('bad-ttl') ?? 0) > 2);
  });
});
