// Golden bytes from real routers: FRR 8.4 bfdd and BIRD 2 peering with each other, captured with
// tcpdump by scripts/bfd/capture-fixtures.sh (each fixture says where its bytes came from).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { decodeControl, encodeControl, MULTIHOP_PORT, SINGLE_HOP_PORT, type ControlPacket } from '../../../src/wire/bfd/index.js';

const dir = fileURLToPath(new URL('../../../../test/wire/bfd/fixtures/', import.meta.url));

interface Fixture {
  router: string;
  source: string;
  packets: { atMs: number; from: string; port: number; ttl: number; hex: string }[];
}

const load = (f: string): Fixture => JSON.parse(readFileSync(dir + f, 'utf8')) as Fixture;

describe('bfd codec: golden bytes captured from FRR bfdd and BIRD', () => {
  it('found both router captures', () => {
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.json')).sort(), ['bird.json', 'frr.json']);
  });

  for (const [file, version] of [['frr.json', /bfdd version 8\.4/], ['bird.json', /BIRD version 2\./]] as const) {
    describe(file, () => {
      const fx = load(file);
      const decoded = fx.packets.map((p) => ({ ...p, packet: decodeControl(Buffer.from(p.hex, 'hex')) }));

      it(`has packets of both session kinds and a provenance (${fx.router})`, () => {
        assert.match(fx.router, version);
        assert.match(fx.source, /tcpdump/);
        assert.ok(fx.packets.length >= 6, `${fx.packets.length} packets`);
        assert.ok(fx.packets.some((p) => p.port === SINGLE_HOP_PORT));
        assert.ok(fx.packets.some((p) => p.port === MULTIHOP_PORT));
      });

      it('every packet re-encodes to its exact bytes', () => {
        for (const d of decoded) assert.equal(encodeControl(d.packet).toString('hex'), d.hex);
      });

      it('single-hop packets are sent with TTL 255 (RFC 5881 §5)', () => {
        for (const d of decoded.filter((x) => x.port === SINGLE_HOP_PORT)) assert.equal(d.ttl, 255);
      });

      it('detect multiplier 3; 1 s while not Up, 300 ms (or the changed 500 ms) when Up', () => {
        for (const d of decoded) {
          assert.equal(d.packet.detectMult, 3);
          if (d.packet.state === 'up') assert.ok([300_000, 500_000].includes(d.packet.desiredMinTxUs), `${d.packet.desiredMinTxUs}`);
        }
        assert.ok(decoded.some((d) => d.packet.state !== 'up' && d.packet.desiredMinTxUs === 1_000_000), 'a slow-rate packet while not Up');
        assert.ok(decoded.some((d) => d.packet.state === 'up'));
      });
    });
  }

  it("each router's discriminators are the other's Your Discriminator, and Poll is answered with Final", () => {
    const frr = load('frr.json').packets.map((p) => decodeControl(Buffer.from(p.hex, 'hex')));
    const bird = load('bird.json').packets.map((p) => decodeControl(Buffer.from(p.hex, 'hex')));
    const upMy = (ps: ControlPacket[]): Set<number> => new Set(ps.filter((p) => p.state === 'up').map((p) => p.myDiscriminator));
    for (const p of frr.filter((x) => x.state === 'up')) assert.ok(upMy(bird).has(p.yourDiscriminator));
    for (const p of bird.filter((x) => x.state === 'up')) assert.ok(upMy(frr).has(p.yourDiscriminator));
    assert.ok(frr.some((p) => p.poll), 'FRR polls');
    assert.ok(bird.some((p) => p.final), 'BIRD answers with Final');
    // FRR polls for its new 500 ms interval once Up, after BIRD went silent: Down, diag 1.
    assert.ok(frr.some((p) => p.state === 'up' && p.poll && p.desiredMinTxUs === 500_000));
    assert.ok(frr.some((p) => p.state === 'down' && p.diag === 1));
  });
});
