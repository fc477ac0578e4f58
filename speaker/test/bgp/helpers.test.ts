import assert from 'node:assert/strict';
import { IP } from '@herald/shared';
import { nextHopsFor } from '../../src/bgp/next-hops.js';
import { selectRouterId } from '../../src/bgp/router-id.js';
import { md5sigStruct, sockaddr } from '../../src/sys/tcp-md5.js';

const ip = IP.parse;

describe('bgp router ID selection', () => {
  const cases: { desc: string; input: Parameters<typeof selectRouterId>[0]; want: [string, string] | undefined }[] = [
    { desc: 'configured wins', input: { configured: ip('203.0.113.9'), sourceAddress: ip('192.0.2.11'), nodeAddresses: [ip('192.0.2.200')] }, want: ['203.0.113.9', 'configured'] },
    { desc: 'then the IPv4 source address', input: { sourceAddress: ip('192.0.2.11'), nodeAddresses: [ip('192.0.2.200')] }, want: ['192.0.2.11', 'source-address'] },
    { desc: 'then the highest non-loopback IPv4', input: { nodeAddresses: [ip('127.0.0.1'), ip('192.0.2.11'), ip('198.51.100.2'), ip('2001:db8::1')] }, want: ['198.51.100.2', 'highest-ipv4'] },
    { desc: 'IPv6-only: derived from the low 32 bits', input: { nodeAddresses: [ip('::1'), ip('fe80::1'), ip('2001:db8::c000:20b')] }, want: ['192.0.2.11', 'derived-from-ipv6'] },
    { desc: 'nothing usable', input: { nodeAddresses: [ip('127.0.0.1')] }, want: undefined },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const r = selectRouterId(c.input);
      assert.deepEqual(r && [r.id.toString(), r.source], c.want);
    });
  }
});

describe('bgp next hops (RFC 2545)', () => {
  const ifaces = {
    lo: [{ address: '127.0.0.1', cidr: '127.0.0.1/8', family: 'IPv4', internal: true }],
    eth0: [
      { address: '192.0.2.11', cidr: '192.0.2.11/24', family: 'IPv4', internal: false },
      { address: '2001:db8::11', cidr: '2001:db8::11/64', family: 'IPv6', internal: false },
      { address: 'fe80::200:ff:fe00:b', cidr: 'fe80::200:ff:fe00:b/64', family: 'IPv6', internal: false },
    ],
  };
  const cases: { desc: string; local: string; peer: string; want: Record<string, string[]> }[] = [
    { desc: 'IPv4 session on-link: v4 local, v6 global + link-local', local: '192.0.2.11', peer: '192.0.2.1', want: { 4: ['192.0.2.11'], 6: ['2001:db8::11', 'fe80::200:ff:fe00:b'] } },
    { desc: 'IPv6 session on-link: global + link-local, v4 from the interface', local: '2001:db8::11', peer: '2001:db8::1', want: { 4: ['192.0.2.11'], 6: ['2001:db8::11', 'fe80::200:ff:fe00:b'] } },
    { desc: 'IPv6 multihop peer: global only', local: '2001:db8::11', peer: '2001:db8:ff::1', want: { 4: ['192.0.2.11'], 6: ['2001:db8::11'] } },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const r = nextHopsFor(ip(c.local), ip(c.peer), ifaces);
      assert.deepEqual(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.map(String)])), c.want);
    });
  }
});

describe('tcp md5 structs', () => {
  it('sockaddr_in and sockaddr_in6 layouts', () => {
    assert.equal(sockaddr(ip('192.0.2.1'), 179).toString('hex'), '020000b3c0000201' + '00'.repeat(8));
    assert.equal(sockaddr(ip('2001:db8::1'), 179).toString('hex'), '0a0000b3' + '00000000' + '20010db8000000000000000000000001' + '00000000');
  });
  it('struct tcp_md5sig: address, key length at 130, key at 136, 216 bytes', () => {
    const b = md5sigStruct(ip('192.0.2.1'), 'sekret');
    assert.equal(b.length, 216);
    assert.equal(b.readUInt16LE(0), 2);
    assert.equal(b.readUInt16LE(130), 6);
    assert.equal(b.subarray(136, 142).toString(), 'sekret');
  });
});
