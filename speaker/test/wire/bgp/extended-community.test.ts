// Extended communities, Link Bandwidth in particular (draft-ietf-idr-link-bandwidth): golden
// bytes built by hand here (type 0x40, subtype 0x04, 2-byte AS, IEEE-754 float32 bytes/s; the
// float hex is Python's struct.pack('>f', x)), round trips, and the attribute inside an UPDATE.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { IP, Prefix } from '@herald/shared';
import {
  AS_TRANS,
  DecodeError,
  EncodeError,
  decodeExtendedCommunities,
  decodeMessage,
  encodeExtendedCommunities,
  encodeMessage,
  linkBandwidth,
  type BgpMessage,
  type ExtendedCommunity,
} from '../../../src/wire/bgp/index.js';
import { frame, hex } from './helpers.js';
import { ctx4 } from './messages.js';

const cases: { desc: string; input: ExtendedCommunity[]; wire: string }[] = [
  { desc: '1 Mbps (125,000 B/s) from AS 64512', input: [linkBandwidth(64512, 125_000)], wire: '4004 fc00 47f42400' },
  { desc: '2 Mbps from AS 64512', input: [linkBandwidth(64512, 250_000)], wire: '4004 fc00 48742400' },
  { desc: 'a 4-byte AS goes as AS_TRANS (23456)', input: [linkBandwidth(4200000001, 125_000)], wire: '4004 5ba0 47f42400' },
  { desc: 'zero bandwidth', input: [linkBandwidth(1, 0)], wire: '4004 0001 00000000' },
  {
    desc: 'an unknown community (route target) is kept as bytes, in order',
    input: [{ type: 'other', bytes: hex('0002fbf400000064') }, linkBandwidth(64500, 375_000)],
    wire: '0002fbf400000064 4004 fbf4 48b71b00',
  },
  { desc: 'the transitive variant (type 0x00) stays other', input: [{ type: 'other', bytes: hex('0004fbf447f42400') }], wire: '0004fbf447f42400' },
];

describe('bgp extended communities: Link Bandwidth', () => {
  for (const c of cases) {
    it(`${c.desc}: encodes to the hand-built bytes`, () => assert.equal(encodeExtendedCommunities(c.input).toString('hex'), hex(c.wire).toString('hex')));
    it(`${c.desc}: decodes back`, () => assert.deepEqual(decodeExtendedCommunities(hex(c.wire)), c.input));
  }

  it('linkBandwidth picks AS_TRANS only above 65535', () => {
    assert.equal(linkBandwidth(65535, 1).asn, 65535);
    assert.equal(linkBandwidth(65536, 1).asn, AS_TRANS);
  });

  const bad: { desc: string; input: ExtendedCommunity[]; want: RegExp }[] = [
    { desc: 'negative bandwidth', input: [{ type: 'link-bandwidth', asn: 1, bandwidth: -1 }], want: /not a finite non-negative/ },
    { desc: 'NaN bandwidth', input: [{ type: 'link-bandwidth', asn: 1, bandwidth: NaN }], want: /not a finite non-negative/ },
    { desc: 'AS over 2 bytes', input: [{ type: 'link-bandwidth', asn: 70000, bandwidth: 1 }], want: /does not fit 2 bytes/ },
    { desc: 'other of 7 bytes', input: [{ type: 'other', bytes: Buffer.alloc(7) }], want: /7 bytes, not 8/ },
  ];
  for (const c of bad) it(`refuses to encode ${c.desc}`, () => assert.throws(() => encodeExtendedCommunities(c.input), (e: unknown) => e instanceof EncodeError && c.want.test(e.message)));

  for (const len of [0, 7, 9]) {
    it(`a value of ${len} bytes is an attribute length error`, () => {
      assert.throws(() => decodeExtendedCommunities(Buffer.alloc(len)), (e: unknown) => e instanceof DecodeError && e.code === 3 && e.subcode === 5);
    });
  }

  it('inside an UPDATE: attribute 16, optional transitive, after COMMUNITIES, and back', () => {
    const msg: BgpMessage = {
      type: 'update',
      withdrawn: [],
      attributes: { origin: 0, asPath: [{ type: 'sequence', asns: [64512] }], nextHop: IP.parse('192.0.2.11'), extendedCommunities: [linkBandwidth(64512, 250_000)] },
      nlri: [Prefix.parse('203.0.113.100/32')],
    };
    // ORIGIN, AS_PATH (4-byte ASNs), NEXT_HOP, EXTENDED_COMMUNITIES, then the /32.
    const want = frame(2, '0000 001f 40010100 40020602010000fc00 400304c000020b c01008 4004fc0048742400 20cb007164');
    const wire = encodeMessage(msg, ctx4);
    assert.equal(wire.toString('hex'), want.toString('hex'));
    assert.deepEqual(JSON.parse(JSON.stringify(decodeMessage(wire, ctx4))), JSON.parse(JSON.stringify(msg)));
  });
});

// Golden bytes from FRR 8.4 (test/src/bgp/capture-link-bandwidth.ts): FRR's route-map `set
// extcommunity bandwidth 2` sends the transitive variant (type 0x00) with 2 Mbps as 250,000 B/s,
// the float and unit we send per 2 endpoints; with `non-transitive` FRR strips the community on
// an eBGP session, so that UPDATE carries none (FRR still takes ours from an eBGP peer: the lab).
describe('bgp extended communities: golden bytes captured from FRR', () => {
  const file = fileURLToPath(new URL('../../../../test/wire/bgp/fixtures/link-bandwidth/frr.json', import.meta.url));
  const fx = JSON.parse(readFileSync(file, 'utf8')) as { router: string; source: string; captures: { variant: string; set: string; hex: string[] }[] };
  const update = (variant: string): Extract<BgpMessage, { type: 'update' }> => {
    const c = fx.captures.find((x) => x.variant === variant);
    assert.ok(c && c.hex.length === 1, `${variant}: one UPDATE captured`);
    const m = decodeMessage(Buffer.from(c.hex[0]!, 'hex'), ctx4);
    assert.ok(m.type === 'update' && !m.treatAsWithdraw, JSON.stringify(m));
    return m;
  };

  it(`found the capture, with its provenance (${fx.router})`, () => {
    assert.match(fx.source, /tcpdump/);
    assert.deepEqual(fx.captures.map((c) => c.variant).sort(), ['non-transitive', 'transitive']);
  });

  it('`bandwidth 2` (transitive): kept as bytes 0004 fbf4 48742400, whose value is our encoding of 2 endpoints', () => {
    const u = update('transitive');
    assert.deepEqual(u.attributes.extendedCommunities, [{ type: 'other', bytes: hex('0004fbf448742400') }]);
    const ours = encodeExtendedCommunities([linkBandwidth(64500, 2 * 125_000)]);
    assert.equal(ours.subarray(2).toString('hex'), 'fbf448742400', 'same AS and float bytes; only the type differs (0x40, non-transitive)');
  });

  it('`bandwidth 1 non-transitive`: FRR sends no extended community to an eBGP peer', () => {
    assert.equal(update('non-transitive').attributes.extendedCommunities, undefined);
  });

  // Not byte-equal on re-encoding: FRR sets the extended-length flag on a short AS_PATH, which
  // we do not keep. The values survive.
  it('both UPDATEs survive decode, encode, decode', () => {
    for (const c of fx.captures) {
      const m = decodeMessage(Buffer.from(c.hex[0]!, 'hex'), ctx4);
      assert.deepEqual(JSON.parse(JSON.stringify(decodeMessage(encodeMessage(m, ctx4), ctx4))), JSON.parse(JSON.stringify(m)), c.variant);
    }
  });
});
