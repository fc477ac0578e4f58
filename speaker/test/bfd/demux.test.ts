// Which session a received packet is for, or why it is dropped (RFC 5880 §6.8.6 demultiplexing,
// RFC 5881 §5 TTL 255 for single hop, RFC 5883 §2 a configured minimum for multihop).
import assert from 'node:assert/strict';
import { IP } from '@herald/shared/net';
import { BfdDemux } from '../../src/bfd/demux.js';
import { encodeControl, type ControlPacket, type DropType } from '../../src/wire/bfd/index.js';

const pkt = (o: Partial<ControlPacket>): Buffer =>
  encodeControl({ diag: 0, state: 'up', poll: false, final: false, controlPlaneIndependent: false, demand: false, detectMult: 3, myDiscriminator: 99, yourDiscriminator: 11, desiredMinTxUs: 300_000, requiredMinRxUs: 300_000, requiredMinEchoRxUs: 0, ...o });

const demux = new BfdDemux<string>();
demux.add({ session: 'sh', localDiscr: 11, peerAddress: IP.parse('192.0.2.1'), multihop: false, minTtl: 255 });
demux.add({ session: 'mh', localDiscr: 22, peerAddress: IP.parse('198.51.100.1'), multihop: true, minTtl: 250 });

const cases: { desc: string; b: Buffer; from: string; ttl: number | undefined; multihop: boolean; want: 'sh' | 'mh' | DropType }[] = [
  { desc: 'by Your Discriminator', b: pkt({}), from: '192.0.2.1', ttl: 255, multihop: false, want: 'sh' },
  { desc: 'Your Discriminator 0 (Down): by source address', b: pkt({ state: 'down', yourDiscriminator: 0 }), from: '192.0.2.1', ttl: 255, multihop: false, want: 'sh' },
  { desc: 'single hop with TTL 254', b: pkt({}), from: '192.0.2.1', ttl: 254, multihop: false, want: 'bad-ttl' },
  { desc: 'no TTL from the kernel', b: pkt({}), from: '192.0.2.1', ttl: undefined, multihop: false, want: 'bad-ttl' },
  { desc: 'multihop at its minimum TTL', b: pkt({ yourDiscriminator: 22 }), from: '198.51.100.1', ttl: 250, multihop: true, want: 'mh' },
  { desc: 'multihop below its minimum TTL', b: pkt({ yourDiscriminator: 22 }), from: '198.51.100.1', ttl: 249, multihop: true, want: 'bad-ttl' },
  { desc: 'a discriminator of no session', b: pkt({ yourDiscriminator: 33 }), from: '192.0.2.1', ttl: 255, multihop: false, want: 'unknown-discriminator' },
  { desc: 'a multihop discriminator on the single-hop port', b: pkt({ yourDiscriminator: 22 }), from: '198.51.100.1', ttl: 255, multihop: false, want: 'unknown-discriminator' },
  { desc: 'the right discriminator from another address', b: pkt({}), from: '192.0.2.99', ttl: 255, multihop: false, want: 'unknown-peer' },
  { desc: 'Your Discriminator 0 from an unknown address', b: pkt({ state: 'down', yourDiscriminator: 0 }), from: '192.0.2.99', ttl: 255, multihop: false, want: 'unknown-peer' },
  { desc: 'malformed: the codec reason comes first', b: Buffer.from('e0c00318', 'hex'), from: '192.0.2.1', ttl: 255, multihop: false, want: 'bad-version' },
];

describe('bfd demux', () => {
  for (const c of cases) {
    it(`${c.desc} -> ${c.want}`, () => {
      const r = demux.classify(c.b, IP.parse(c.from), c.ttl, c.multihop);
      assert.equal(r.ok ? r.session : r.reason.type, c.want);
    });
  }

  it('refuses a second session with the same peer and hop kind, or the same discriminator', () => {
    assert.throws(() => demux.add({ session: 'x', localDiscr: 44, peerAddress: IP.parse('192.0.2.1'), multihop: false, minTtl: 255 }), /exists/);
    assert.throws(() => demux.add({ session: 'x', localDiscr: 11, peerAddress: IP.parse('192.0.2.7'), multihop: false, minTtl: 255 }), /in use/);
  });
});
