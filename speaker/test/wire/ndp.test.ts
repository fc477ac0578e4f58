import assert from 'node:assert/strict';
import { IP } from '@herald/shared';
import { WireError } from '../../src/wire/cursor.js';
import { EtherType, MAC, decodeEthernet } from '../../src/wire/ethernet.js';
import {
  NEXT_HEADER_ICMPV6,
  decodeIPv6,
  decodeIcmpv6,
  encodeIPv6,
  encodeIcmpv6,
  icmpv6Checksum,
  multicastMac,
  neighborAdvertisementFrame,
  solicitedNodeAddress,
  unsolicitedNaFrame,
  validateNdp,
  type IPv6Packet,
} from '../../src/wire/ndp.js';
import { capture, loadCaptures } from './fixtures.js';

const m1 = MAC.parse('02:00:00:00:00:01');
const m2 = MAC.parse('02:00:00:00:00:02');

function ipOf(frame: Buffer): IPv6Packet {
  const eth = decodeEthernet(frame);
  assert.equal(eth.etherType, EtherType.IPv6);
  return decodeIPv6(eth.payload);
}

/** Re-wraps an ICMPv6 body in an IPv6 packet with a correct checksum (an independent builder). */
function wrap(icmp: Buffer, src: IP, dst: IP, hopLimit = 255): IPv6Packet {
  const b = Buffer.from(icmp);
  b.writeUInt16BE(0, 2);
  b.writeUInt16BE(icmpv6Checksum(src, dst, b), 2);
  return decodeIPv6(encodeIPv6({ trafficClass: 0, flowLabel: 0, nextHeader: NEXT_HEADER_ICMPV6, hopLimit, src, dst, payload: b }));
}

describe('wire/ndp', () => {
  it('finds its fixtures', () => {
    const names = [...loadCaptures().keys()].filter((n) => n.startsWith('ndp-') || n.startsWith('icmpv6-')).sort();
    assert.deepEqual(names, ['icmpv6-router-solicitation', 'ndp-na-solicited', 'ndp-ns', 'ndp-ns-dad']);
  });

  const cases: { desc: string; input: string; want: Record<string, unknown> }[] = [
    {
      desc: 'ndisc6 NS (source-lla option, flow label set)',
      input: 'ndp-ns',
      want: { src: 'fe80::ff:fe00:1', dst: 'ff02::1:ff00:2', hopLimit: 255, flowLabel: 0x471c6, type: 'neighbor-solicitation', target: '2001:db8::2', options: ['source-lla 02:00:00:00:00:01'] },
    },
    {
      desc: 'kernel solicited NA (S+O, target-lla)',
      input: 'ndp-na-solicited',
      want: { src: '2001:db8::2', dst: 'fe80::ff:fe00:1', hopLimit: 255, flowLabel: 0, type: 'neighbor-advertisement', target: '2001:db8::2', flags: 'SO', options: ['target-lla 02:00:00:00:00:02'] },
    },
    {
      desc: 'kernel DAD NS (unspecified source, nonce option 14)',
      input: 'ndp-ns-dad',
      want: { src: '::', dst: 'ff02::1:ff00:2', hopLimit: 255, flowLabel: 0, type: 'neighbor-solicitation', target: 'fe80::ff:fe00:2', options: ['other 14'] },
    },
    { desc: 'router solicitation (not NS/NA)', input: 'icmpv6-router-solicitation', want: { src: 'fe80::ff:fe00:2', dst: 'ff02::2', hopLimit: 255, flowLabel: 0, type: 'other', icmpType: 133 } },
  ];
  for (const c of cases) {
    it(`decodes the captured ${c.desc} and round-trips it`, () => {
      const frame = capture(c.input);
      const ip = ipOf(frame);
      const m = decodeIcmpv6(ip);
      const got: Record<string, unknown> = { src: ip.src.toString(), dst: ip.dst.toString(), hopLimit: ip.hopLimit, flowLabel: ip.flowLabel, type: m.type };
      if (m.type === 'other') got['icmpType'] = m.icmpType;
      else {
        got['target'] = m.target.toString();
        got['options'] = m.options.map((o) => (o.type === 'other' ? `other ${o.code}` : `${o.type} ${o.mac.toString()}`));
        if (m.type === 'neighbor-advertisement') got['flags'] = `${m.router ? 'R' : ''}${m.solicited ? 'S' : ''}${m.override ? 'O' : ''}`;
        assert.deepEqual(encodeIcmpv6(m, ip.src, ip.dst), ip.payload, 're-encoded ICMPv6 with checksum');
        assert.equal(validateNdp(ip, m), undefined);
      }
      assert.deepEqual(got, c.want);
      assert.deepEqual(encodeIPv6(ip), decodeEthernet(frame).payload, 're-encoded IPv6');
    });
  }

  it('builds the same solicited NA bytes the kernel sent for the captured NS', () => {
    const built = neighborAdvertisementFrame({ mac: m2, dstMac: m1, src: IP.parse('2001:db8::2'), dst: IP.parse('fe80::ff:fe00:1'), target: IP.parse('2001:db8::2'), solicited: true, override: true });
    assert.deepEqual(built, capture('ndp-na-solicited'));
  });

  it('builds an unsolicited NA to all-nodes from the target, hop limit 255, Override, no Solicited', () => {
    const target = IP.parse('2001:db8::100');
    const eth = decodeEthernet(unsolicitedNaFrame(target, m2));
    assert.equal(eth.dst.toString(), '33:33:00:00:00:01');
    const ip = decodeIPv6(eth.payload);
    const m = decodeIcmpv6(ip);
    assert.equal(ip.src.toString(), '2001:db8::100');
    assert.equal(ip.dst.toString(), 'ff02::1');
    assert.equal(ip.hopLimit, 255);
    assert.ok(m.type === 'neighbor-advertisement' && m.override && !m.solicited && !m.router && m.target.equals(target));
    assert.equal(validateNdp(ip, m), undefined);
  });

  const groups: { desc: string; input: string; want: string; wantMac: string }[] = [
    { desc: 'global', input: '2001:db8::2', want: 'ff02::1:ff00:2', wantMac: '33:33:ff:00:00:02' },
    { desc: 'low 24 bits only', input: '2001:db8::abcd:1234:5678', want: 'ff02::1:ff34:5678', wantMac: '33:33:ff:34:56:78' },
  ];
  for (const c of groups) {
    it(`solicited-node group: ${c.desc}`, () => {
      const g = solicitedNodeAddress(IP.parse(c.input));
      assert.equal(g.toString(), c.want);
      assert.equal(multicastMac(g).toString(), c.wantMac);
    });
  }

  it('rejects every truncation of the captured NS', () => {
    const payload = decodeEthernet(capture('ndp-ns')).payload;
    for (let n = 0; n < payload.length; n++) {
      assert.throws(() => decodeIcmpv6(decodeIPv6(payload.subarray(0, n))), (e: unknown) => e instanceof WireError && e.reason.type === 'truncated', `length ${n}`);
    }
  });

  const ns = ipOf(capture('ndp-ns'));
  const body = (edit: (b: Buffer) => void, len?: number): Buffer => {
    const b = Buffer.from(ns.payload.subarray(0, len ?? ns.payload.length));
    edit(b);
    return b;
  };
  const bad: { desc: string; input: () => IPv6Packet; wantReason: string }[] = [
    { desc: 'bad checksum', input: () => ({ ...ns, payload: body((b) => (b[30] = 0x99)) }), wantReason: 'bad-checksum' },
    { desc: 'NS body shorter than the target', input: () => wrap(body(() => undefined, 20), ns.src, ns.dst), wantReason: 'truncated' },
    { desc: 'option length 0', input: () => wrap(body((b) => (b[25] = 0)), ns.src, ns.dst), wantReason: 'bad-option' },
    { desc: 'option longer than the packet', input: () => wrap(body((b) => (b[25] = 2)), ns.src, ns.dst), wantReason: 'truncated' },
    { desc: 'link-layer option of 16 bytes', input: () => wrap(Buffer.concat([body((b) => (b[25] = 2)), Buffer.alloc(8)]), ns.src, ns.dst), wantReason: 'bad-option' },
    { desc: 'IPv4 in the version field', input: () => decodeIPv6(Buffer.concat([Buffer.from([0x45]), encodeIPv6(ns).subarray(1)])), wantReason: 'unsupported' },
    { desc: 'next header UDP', input: () => ({ ...ns, nextHeader: 17 }), wantReason: 'unsupported' },
  ];
  for (const c of bad) {
    it(`rejects ${c.desc} with a WireError`, () => {
      assert.throws(() => decodeIcmpv6(c.input()), (e: unknown) => e instanceof WireError && e.reason.type === c.wantReason);
    });
  }

  const invalid: { desc: string; input: () => IPv6Packet; want: string }[] = [
    { desc: 'hop limit 64 (routed from off-link)', input: () => wrap(ns.payload, ns.src, ns.dst, 64), want: 'hop-limit' },
    { desc: 'ICMP code 1', input: () => wrap(body((b) => (b[1] = 1)), ns.src, ns.dst), want: 'icmp-code' },
    { desc: 'multicast target', input: () => wrap(body((b) => (b[8] = 0xff)), ns.src, ns.dst), want: 'multicast-target' },
    { desc: 'DAD NS with a source-lla option', input: () => wrap(ns.payload, IP.parse('::'), ns.dst), want: 'dad-with-source-lla' },
    { desc: 'DAD NS not to the solicited-node group', input: () => wrap(body(() => undefined, 24), IP.parse('::'), IP.parse('ff02::1')), want: 'dad-not-to-solicited-node' },
  ];
  for (const c of invalid) {
    it(`validateNdp flags ${c.desc}`, () => {
      const ip = c.input();
      const m = decodeIcmpv6(ip);
      assert.ok(m.type !== 'other');
      assert.equal(validateNdp(ip, m)?.type, c.want);
    });
  }
});
