// The hand-built message table shared by the codec, framer and fuzz tests: each value with its
// expected wire bytes, built independently of the codec (helpers.ts).
import { IP, Prefix } from '@herald/shared';
import type { BgpMessage, CodecContext } from '../../../src/wire/bgp/index.js';
import { frame } from './helpers.js';

export const ctx4: CodecContext = { fourOctetAs: true };
export const ctx2: CodecContext = { fourOctetAs: false };
const ip = IP.parse;
const pfx = Prefix.parse;

export const messages: { desc: string; ctx: CodecContext; msg: BgpMessage; wire: Buffer }[] = [
  { desc: 'KEEPALIVE', ctx: ctx4, msg: { type: 'keepalive' }, wire: frame(4, '') },
  {
    desc: 'NOTIFICATION hold timer expired',
    ctx: ctx4,
    msg: { type: 'notification', code: 4, subcode: 0, data: Buffer.alloc(0) },
    wire: frame(3, '0400'),
  },
  {
    desc: 'NOTIFICATION cease/admin shutdown with data',
    ctx: ctx4,
    msg: { type: 'notification', code: 6, subcode: 2, data: Buffer.from('bye') },
    wire: frame(3, '0602 627965'),
  },
  { desc: 'ROUTE-REFRESH ipv6 unicast', ctx: ctx4, msg: { type: 'route-refresh', afi: 2, safi: 1 }, wire: frame(5, '0002 00 01') },
  {
    desc: 'OPEN with MP v4+v6, route refresh, 4-byte AS, graceful restart',
    ctx: ctx4,
    msg: {
      type: 'open',
      version: 4,
      myAS: 23456,
      holdTime: 90,
      routerId: ip('192.0.2.11'),
      capabilities: [
        { type: 'multiprotocol', afi: 1, safi: 1 },
        { type: 'multiprotocol', afi: 2, safi: 1 },
        { type: 'route-refresh' },
        { type: 'four-octet-as', asn: 4200000001 },
        { type: 'graceful-restart', restarting: true, restartTime: 120, families: [{ afi: 1, safi: 1, forwardingPreserved: true }] },
      ],
    },
    wire: frame(
      1,
      '04 5ba0 005a c000020b 26' +
        '0206 0104 0001 0001' +
        '0206 0104 0002 0001' +
        '0202 0200' +
        '0206 4104 fa56ea01' +
        '0208 4006 8078 0001 0180',
    ),
  },
  {
    desc: 'UPDATE IPv4: ORIGIN, 4-byte AS_PATH, NEXT_HOP, MED, LOCAL_PREF, communities, large communities',
    ctx: ctx4,
    msg: {
      type: 'update',
      withdrawn: [pfx('198.51.100.0/24')],
      attributes: {
        origin: 0,
        asPath: [{ type: 'sequence', asns: [4200000001, 64500] }],
        nextHop: ip('192.0.2.11'),
        med: 10,
        localPref: 200,
        communities: [{ type: 'standard', asn: 64500, value: 100 }],
        largeCommunities: [{ type: 'large', global: 4200000001, local1: 1, local2: 2 }],
      },
      nlri: [pfx('203.0.113.7/32'), pfx('203.0.113.128/25')],
    },
    wire: frame(
      2,
      '0004 18c63364' +
        '003c' +
        '400101 00' +
        '40020a 0202 fa56ea01 0000fbf4' +
        '400304 c000020b' +
        '800404 0000000a' +
        '400504 000000c8' +
        'c00804 fbf40064' +
        'c0200c fa56ea01 00000001 00000002' +
        '20cb007107 19cb007180',
    ),
  },
  {
    desc: 'UPDATE to a 2-byte peer: AS_TRANS in AS_PATH and the real path in AS4_PATH',
    ctx: ctx2,
    msg: {
      type: 'update',
      withdrawn: [],
      attributes: {
        origin: 0,
        asPath: [{ type: 'sequence', asns: [4200000001, 64500] }],
        nextHop: ip('192.0.2.11'),
      },
      nlri: [pfx('203.0.113.7/32')],
    },
    wire: frame(
      2,
      '0000 0021' + '400101 00' + '400206 0202 5ba0 fbf4' + '400304 c000020b' + 'c0110a 0202 fa56ea01 0000fbf4' + '20cb007107',
    ),
  },
  {
    desc: 'UPDATE IPv6 MP_REACH with global and link-local next hops (RFC 2545)',
    ctx: ctx4,
    msg: {
      type: 'update',
      withdrawn: [],
      attributes: {
        origin: 0,
        asPath: [],
        localPref: 100,
        mpReach: { afi: 2, safi: 1, nextHops: [ip('2001:db8::11'), ip('fe80::200:ff:fe00:b')], nlri: [pfx('2001:db8:1::/48'), pfx('2001:db8::7/128')] },
      },
      nlri: [],
    },
    wire: frame(
      2,
      '0000 004e' +
        '800e3d 0002 01 20 20010db8000000000000000000000011 fe80000000000000020000fffe00000b 00' +
        '30 20010db80001 80 20010db8000000000000000000000007' +
        '400101 00' +
        '400200' +
        '400504 00000064',
    ),
  },
  {
    desc: 'UPDATE IPv6 MP_UNREACH',
    ctx: ctx4,
    msg: { type: 'update', withdrawn: [], attributes: { mpUnreach: { afi: 2, safi: 1, withdrawn: [pfx('2001:db8:1::/48')] } }, nlri: [] },
    wire: frame(2, '0000 000d 800f0a 0002 01 30 20010db80001'),
  },
];

