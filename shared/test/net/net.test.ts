import assert from 'node:assert/strict';
import { IP } from '../../src/net/ip.js';
import { Prefix } from '../../src/net/prefix.js';
import { IPRange } from '../../src/net/range.js';

describe('net: IP.tryParse', () => {
  const cases: { desc: string; input: string; want: string | undefined }[] = [
    { desc: 'v4', input: '192.0.2.1', want: '192.0.2.1' },
    { desc: 'v6 canonicalised', input: '2001:DB8:0:0::1', want: '2001:db8::1' },
    { desc: 'v4 leading zero', input: '192.0.2.01', want: undefined },
    { desc: 'v4 out of range', input: '192.0.2.256', want: undefined },
    { desc: 'v6 zone', input: 'fe80::1%eth0', want: undefined },
    { desc: 'empty', input: '', want: undefined },
  ];
  for (const c of cases) it(c.desc, () => assert.equal(IP.tryParse(c.input)?.toString(), c.want));
});

describe('net: Prefix', () => {
  const cases: { desc: string; input: string; want: { text: string; size: bigint } | undefined }[] = [
    { desc: '/24', input: '192.0.2.0/24', want: { text: '192.0.2.0/24', size: 256n } },
    { desc: 'host bits masked', input: '192.0.2.5/24', want: { text: '192.0.2.0/24', size: 256n } },
    { desc: 'v6 /64 size is a bigint', input: '2001:db8::/64', want: { text: '2001:db8::/64', size: 1n << 64n } },
    { desc: '/33 invalid', input: '192.0.2.0/33', want: undefined },
    { desc: 'no length', input: '192.0.2.0/', want: undefined },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const p = Prefix.tryParse(c.input);
      assert.deepEqual(p ? { text: p.toString(), size: p.size } : undefined, c.want);
    });
  }
});

describe('net: IPRange', () => {
  const cases: { desc: string; input: string; want?: { text: string; prefixes: string[]; covering: number }; wantError?: string }[] = [
    { desc: 'CIDR', input: '192.0.2.0/30', want: { text: '192.0.2.0/30', prefixes: ['192.0.2.0/30'], covering: 30 } },
    { desc: 'range to prefixes', input: '203.0.113.10-203.0.113.20', want: { text: '203.0.113.10-203.0.113.20', prefixes: ['203.0.113.10/31', '203.0.113.12/30', '203.0.113.16/30', '203.0.113.20/32'], covering: 27 } },
    { desc: 'single address', input: '192.0.2.9', want: { text: '192.0.2.9', prefixes: ['192.0.2.9/32'], covering: 32 } },
    { desc: 'v6 range', input: '2001:db8::-2001:db8::ffff', want: { text: '2001:db8::-2001:db8::ffff', prefixes: ['2001:db8::/112'], covering: 112 } },
    { desc: 'backwards', input: '192.0.2.9-192.0.2.1', wantError: 'range "192.0.2.9-192.0.2.1" starts after it ends' },
    { desc: 'mixed', input: '192.0.2.1-2001:db8::1', wantError: 'range "192.0.2.1-2001:db8::1" mixes IPv4 and IPv6' },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      if (c.wantError) return assert.throws(() => IPRange.parse(c.input), { message: c.wantError });
      const r = IPRange.parse(c.input);
      assert.deepEqual({ text: r.toString(), prefixes: r.toPrefixes().map(String), covering: r.coveringPrefixLength }, c.want);
      return undefined;
    });
  }
  it('a /64 is iterated lazily (never materialised)', () => {
    const r = IPRange.parse('2001:db8::/64');
    assert.deepEqual([...r.addresses(3n)].map(String), ['2001:db8::', '2001:db8::1', '2001:db8::2']);
    assert.equal(r.at((1n << 64n) - 1n)?.toString(), '2001:db8::ffff:ffff:ffff:ffff');
    assert.equal(r.at(1n << 64n), undefined);
  });
  const overlap: { desc: string; input: [string, string]; want: boolean }[] = [
    { desc: 'adjacent', input: ['192.0.2.0/25', '192.0.2.128/25'], want: false },
    { desc: 'contained', input: ['192.0.2.0/24', '192.0.2.7'], want: true },
    { desc: 'other family', input: ['0.0.0.0/30', '::/126'], want: false },
  ];
  for (const c of overlap) it(`overlaps: ${c.desc}`, () => assert.equal(IPRange.parse(c.input[0]).overlaps(IPRange.parse(c.input[1])), c.want));
});

describe('net: formatted text is computed once, and stays off the object', () => {
  it('an IP prints the same every time; printing does not make equal IPs unequal', () => {
    const a = IP.parse('2001:db8:0:0:0:0:0:1');
    const b = IP.fromBigInt(6, a.value);
    assert.equal(a.toString(), '2001:db8::1');
    assert.equal(a.toString(), '2001:db8::1');
    assert.deepEqual(a, b, 'a printed IP and an unprinted one are still deep-equal');
    assert.equal(b.toString(), '2001:db8::1');
    assert.equal(IP.parse('198.51.100.7').toString(), '198.51.100.7');
  });

  it('a host prefix keeps the IP it was made from; shorter ones mask', () => {
    const ip = IP.parse('203.0.113.9');
    assert.equal(Prefix.containing(ip, 32).network, ip);
    assert.equal(Prefix.containing(ip, 24).toString(), '203.0.113.0/24');
    assert.equal(Prefix.containing(IP.parse('2001:db8::5'), 128).toString(), '2001:db8::5/128');
  });
});
