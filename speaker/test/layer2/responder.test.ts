import assert from 'node:assert/strict';
import { IP } from '@herald/shared';
import { respond, type ResponderOutcome } from '../../src/layer2/responder.js';
import { decodeEthernet, encodeEthernet } from '../../src/wire/ethernet.js';
import { decodeIPv6, decodeIcmpv6, encodeIPv6, icmpv6Checksum } from '../../src/wire/ndp.js';
import { capture, loadCaptures } from '../wire/fixtures.js';
import { macFor } from './fake-conn.js';

const m2 = macFor(2);
const owning = (...ips: string[]) => ({ mac: m2, owns: (ip: IP) => ips.some((s) => IP.parse(s).equals(ip)) });

/** Rebuilds a captured IPv6 frame with another hop limit or source (checksum recomputed). */
function rewrite(name: string, edit: { hopLimit?: number; src?: string; corrupt?: boolean }): Buffer {
  const eth = decodeEthernet(capture(name));
  const ip = decodeIPv6(eth.payload);
  const src = edit.src ? IP.parse(edit.src) : ip.src;
  const icmp = Buffer.from(ip.payload);
  let body = icmp;
  if (edit.src) body = icmp.subarray(0, 24); // a DAD NS carries no source link-layer option
  body.writeUInt16BE(0, 2);
  body.writeUInt16BE(icmpv6Checksum(src, ip.dst, body) ^ (edit.corrupt ? 1 : 0), 2);
  const payload = encodeIPv6({ ...ip, src, hopLimit: edit.hopLimit ?? ip.hopLimit, payload: body });
  return encodeEthernet({ ...eth, payload });
}

function tagged(frame: Buffer, vid: number): Buffer {
  return Buffer.concat([frame.subarray(0, 12), Buffer.from([0x81, 0, 0, vid]), frame.subarray(12)]);
}

function summary(o: ResponderOutcome): string {
  switch (o.type) {
    case 'reply':
      return `reply ${o.protocol} ${o.ip.toString()}`;
    case 'ignored':
      return `ignored ${o.reason}`;
    case 'dropped':
      return `dropped ${o.protocol ?? '-'} ${o.reason.type === 'malformed' ? o.reason.wire.type : o.reason.ndp.type}`;
  }
}

describe('layer2/responder', () => {
  it('finds its fixtures', () => {
    assert.ok(loadCaptures().size >= 8, `only ${loadCaptures().size} captures`);
  });

  const cases: { desc: string; input: () => Buffer; owns: string[]; want: string; wantFrame?: () => Buffer }[] = [
    { desc: 'ARP request for an owned IP: the kernel\'s exact reply', input: () => capture('arp-request'), owns: ['192.0.2.2'], want: 'reply arp 192.0.2.2', wantFrame: () => capture('arp-reply') },
    { desc: 'ARP request for an IP owned elsewhere', input: () => capture('arp-request'), owns: ['192.0.2.9'], want: 'ignored not-owned' },
    { desc: 'ARP reply', input: () => capture('arp-reply'), owns: ['192.0.2.1', '192.0.2.2'], want: 'ignored not-a-request' },
    { desc: 'somebody else\'s gratuitous ARP for our IP', input: () => capture('arp-gratuitous-request'), owns: ['192.0.2.2'], want: 'ignored gratuitous' },
    { desc: 'truncated ARP', input: () => capture('arp-request').subarray(0, 30), owns: ['192.0.2.2'], want: 'dropped arp truncated' },
    { desc: 'tagged ARP request: tagged reply', input: () => tagged(capture('arp-request'), 7), owns: ['192.0.2.2'], want: 'reply arp 192.0.2.2', wantFrame: () => tagged(capture('arp-reply'), 7) },
    { desc: 'NS for an owned IP: the kernel\'s exact solicited NA', input: () => capture('ndp-ns'), owns: ['2001:db8::2'], want: 'reply ndp 2001:db8::2', wantFrame: () => capture('ndp-na-solicited') },
    { desc: 'NS for an IP owned elsewhere', input: () => capture('ndp-ns'), owns: ['2001:db8::3'], want: 'ignored not-owned' },
    { desc: 'NS with hop limit 254', input: () => rewrite('ndp-ns', { hopLimit: 254 }), owns: ['2001:db8::2'], want: 'dropped ndp hop-limit' },
    { desc: 'NS with hop limit 1', input: () => rewrite('ndp-ns', { hopLimit: 1 }), owns: ['2001:db8::2'], want: 'dropped ndp hop-limit' },
    { desc: 'NS with a bad checksum', input: () => rewrite('ndp-ns', { corrupt: true }), owns: ['2001:db8::2'], want: 'dropped ndp bad-checksum' },
    { desc: 'DAD NS for an owned IP (defended)', input: () => capture('ndp-ns-dad'), owns: ['fe80::ff:fe00:2'], want: 'reply ndp fe80::ff:fe00:2' },
    { desc: 'router solicitation', input: () => capture('icmpv6-router-solicitation'), owns: ['2001:db8::2'], want: 'ignored not-neighbor-solicitation' },
    { desc: 'the kernel\'s NA', input: () => capture('ndp-na-solicited'), owns: ['2001:db8::2'], want: 'ignored not-neighbor-solicitation' },
    { desc: 'IPv4 frame', input: () => encodeEthernet({ dst: m2, src: macFor(1), etherType: 0x0800, payload: Buffer.alloc(20) }), owns: [], want: 'ignored not-arp-or-ipv6' },
    { desc: 'runt frame', input: () => Buffer.alloc(5), owns: [], want: 'dropped - truncated' },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const out = respond(c.input(), owning(...c.owns));
      assert.equal(summary(out), c.want);
      if (c.wantFrame) assert.deepEqual(out.type === 'reply' ? out.frame : undefined, c.wantFrame());
    });
  }

  it('answers a DAD NS to all-nodes, from the target, S=0 O=1', () => {
    const out = respond(capture('ndp-ns-dad'), owning('fe80::ff:fe00:2'));
    assert.equal(out.type, 'reply');
    const ip = decodeIPv6(decodeEthernet(out.type === 'reply' ? out.frame : Buffer.alloc(0)).payload);
    const m = decodeIcmpv6(ip);
    assert.equal(ip.dst.toString(), 'ff02::1');
    assert.equal(ip.src.toString(), 'fe80::ff:fe00:2');
    assert.ok(m.type === 'neighbor-advertisement' && !m.solicited && m.override);
  });

  it('never throws on 100,000 mutated frames (fuzz)', () => {
    let seed = 0x12345678;
    const rnd = (n: number): number => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const seeds = [...loadCaptures().values()];
    const ctx = owning('192.0.2.2', '2001:db8::2', 'fe80::ff:fe00:2');
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const base = seeds[rnd(seeds.length)]!;
      let f = Buffer.from(base);
      const k = rnd(4);
      if (k === 0) f = f.subarray(0, rnd(f.length + 1));
      else if (k === 1) for (let j = 0; j <= rnd(4); j++) f[rnd(f.length)] = rnd(256);
      else if (k === 2) f = Buffer.concat([f, Buffer.from([rnd(256), rnd(256), rnd(256)])]);
      else {
        const at = 14 + rnd(f.length - 14);
        f[at] = f[at]! ^ (1 << rnd(8));
      }
      seen.add(summary(respond(f, ctx)).split(' ')[0]!);
    }
    assert.deepEqual([...seen].sort(), ['dropped', 'ignored', 'reply'], 'mutations reached every outcome');
  });
});
