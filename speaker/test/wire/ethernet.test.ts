import assert from 'node:assert/strict';
import { WireError } from '../../src/wire/cursor.js';
import { EtherType, MAC, decodeEthernet, encodeEthernet } from '../../src/wire/ethernet.js';
import { capture, loadCaptures } from './fixtures.js';

/** An independent builder: inserts an 802.1Q tag after the MACs of an untagged frame. */
function tag(frame: Buffer, vid: number, tpid = 0x8100): Buffer {
  const t = Buffer.from([tpid >> 8, tpid & 0xff, (vid >> 8) & 0x0f, vid & 0xff]);
  return Buffer.concat([frame.subarray(0, 12), t, frame.subarray(12)]);
}

describe('wire/ethernet', () => {
  it('finds its fixtures', () => {
    const names = [...loadCaptures().keys()];
    for (const want of ['arp-request', 'arp-reply', 'ndp-ns', 'ndp-na-solicited']) assert.ok(names.includes(want), `missing ${want} in ${names.join(',')}`);
  });

  const cases: { desc: string; input: Buffer; want: { dst: string; src: string; etherType: number; vlans: number[]; payloadLen: number } }[] = [
    { desc: 'captured ARP request (broadcast)', input: capture('arp-request'), want: { dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:01', etherType: EtherType.ARP, vlans: [], payloadLen: 28 } },
    { desc: 'captured NA (unicast IPv6)', input: capture('ndp-na-solicited'), want: { dst: '02:00:00:00:00:01', src: '02:00:00:00:00:02', etherType: EtherType.IPv6, vlans: [], payloadLen: 72 } },
    { desc: 'ARP request with an 802.1Q tag (built from the capture)', input: tag(capture('arp-request'), 7), want: { dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:01', etherType: EtherType.ARP, vlans: [7], payloadLen: 28 } },
    { desc: 'QinQ: 802.1ad outer and 802.1Q inner tag', input: tag(tag(capture('arp-request'), 7), 100, 0x88a8), want: { dst: 'ff:ff:ff:ff:ff:ff', src: '02:00:00:00:00:01', etherType: EtherType.ARP, vlans: [100, 7], payloadLen: 28 } },
  ];
  for (const c of cases) {
    it(`decodes ${c.desc}`, () => {
      const f = decodeEthernet(c.input);
      assert.deepEqual({ dst: f.dst.toString(), src: f.src.toString(), etherType: f.etherType, vlans: f.vlans, payloadLen: f.payload.length }, c.want);
    });
  }

  it('round-trips the captured frames byte for byte', () => {
    for (const [name, frame] of loadCaptures()) {
      const f = decodeEthernet(frame);
      assert.deepEqual(encodeEthernet(f), frame, name);
    }
  });

  it('round-trips a tagged frame', () => {
    const tagged = tag(capture('arp-request'), 42);
    const f = decodeEthernet(tagged);
    assert.deepEqual(encodeEthernet({ ...f, vlan: f.vlans[0]! }), tagged);
  });

  const bad: { desc: string; input: Buffer; wantReason: string }[] = [
    { desc: 'empty', input: Buffer.alloc(0), wantReason: 'truncated' },
    { desc: '13 bytes', input: capture('arp-request').subarray(0, 13), wantReason: 'truncated' },
    { desc: 'tag without inner EtherType', input: tag(capture('arp-request'), 7).subarray(0, 16), wantReason: 'truncated' },
    { desc: 'three tags', input: tag(tag(tag(capture('arp-request'), 1), 2), 3), wantReason: 'unsupported' },
    { desc: '802.3 length instead of EtherType', input: Buffer.concat([capture('arp-request').subarray(0, 12), Buffer.from([0, 46]), Buffer.alloc(46)]), wantReason: 'unsupported' },
  ];
  for (const c of bad) {
    it(`rejects ${c.desc} with a WireError`, () => {
      assert.throws(() => decodeEthernet(c.input), (e: unknown) => e instanceof WireError && e.reason.type === c.wantReason);
    });
  }

  const macs: { desc: string; input: string; want?: string; wantError?: boolean }[] = [
    { desc: 'colon form', input: '02:00:00:00:00:0A', want: '02:00:00:00:00:0a' },
    { desc: 'dash form', input: '02-00-00-00-00-0b', want: '02:00:00:00:00:0b' },
    { desc: 'too short', input: '02:00:00:00:00', wantError: true },
    { desc: 'not hex', input: '02:00:00:00:00:zz', wantError: true },
  ];
  for (const c of macs) {
    it(`MAC.parse: ${c.desc}`, () => {
      if (c.wantError) assert.throws(() => MAC.parse(c.input));
      else assert.equal(MAC.parse(c.input).toString(), c.want);
    });
  }
});
