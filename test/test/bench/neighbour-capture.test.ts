// The capture parsers the L2 failover figures rest on: tcpdump lines (captured on this machine,
// tcpdump 4.99, `-nn -e -tt`) into requests and replies, for ARP and for NDP alike.
import assert from 'node:assert/strict';
import { doubleAnswers, isGratuitous, parseArpLine, parseNdpLine } from '../../src/bench/arp-capture.js';

const ns = '1796418144.636557 02:00:00:00:00:01 > 33:33:ff:00:00:11, ethertype IPv6 (0x86dd), length 86: fe80::ff:fe00:1 > ff02::1:ff00:11: ICMP6, neighbor solicitation, who has 2001:db8:0:1::11, length 32';
const na = '1796418144.636589 02:00:00:00:00:0b > 02:00:00:00:00:01, ethertype IPv6 (0x86dd), length 86: 2001:db8:0:1::11 > fe80::ff:fe00:1: ICMP6, neighbor advertisement, tgt is 2001:db8:0:1::11, length 32';
const unsolicited = '1796418145.000001 02:00:00:00:00:0c > 33:33:00:00:00:01, ethertype IPv6 (0x86dd), length 86: fe80::ff:fe00:c > ff02::1: ICMP6, neighbor advertisement, tgt is 2001:db8:0:1::11, length 32';

describe('bench: neighbour captures (ARP and NDP)', () => {
  it('parseNdpLine: a solicitation is a request, an advertisement a reply from the frame source MAC', () => {
    assert.deepEqual(parseNdpLine(ns), { t: Number('1796418144.636557') * 1000, src: '02:00:00:00:00:01', op: 'request', target: '2001:db8:0:1::11', sender: 'fe80::ff:fe00:1' });
    assert.deepEqual(parseNdpLine(na), { t: Number('1796418144.636589') * 1000, src: '02:00:00:00:00:0b', op: 'reply', sender: '2001:db8:0:1::11', mac: '02:00:00:00:00:0b', unsolicited: false });
    assert.equal(parseNdpLine(unsolicited)?.op, 'reply');
    assert.equal(parseNdpLine('1796418144.1 02:00:00:00:00:01 > 33:33:00:00:00:01, ethertype IPv6 (0x86dd), length 70: fe80::1 > ff02::1: ICMP6, router advertisement, length 16'), undefined);
    assert.equal(parseArpLine(ns), undefined, 'an NDP line is not ARP');
  });

  it('isGratuitous: an unsolicited advertisement (to all nodes) is; an answer to a solicitation is not', () => {
    assert.equal(isGratuitous(parseNdpLine(unsolicited)!, '2001:db8:0:1::11'), true);
    assert.equal(isGratuitous(parseNdpLine(na)!, '2001:db8:0:1::11'), false);
    assert.equal(isGratuitous(parseNdpLine(unsolicited)!, '2001:db8:0:1::12'), false);
    const garp = parseArpLine('1796418144.000000 02:00:00:00:00:0b > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.200 tell 192.0.2.200, length 28');
    assert.equal(garp && isGratuitous(garp, '192.0.2.200'), true, 'ARP keeps its rule');
  });

  it('doubleAnswers: a solicitation from the router (by its MAC, from a link-local address) answered by two MACs', () => {
    const second = na.replace('1796418144.636589 02:00:00:00:00:0b', '1796418144.636600 02:00:00:00:00:0c');
    const events = [ns, na, second].map((l) => parseNdpLine(l)!);
    assert.deepEqual(doubleAnswers(events, '2001:db8:0:1::11', '2001:db8:0:1::1', '02:00:00:00:00:01'), [{ t: events[0]!.t, macs: ['02:00:00:00:00:0b', '02:00:00:00:00:0c'] }]);
    assert.deepEqual(doubleAnswers(events, '2001:db8:0:1::11', '2001:db8:0:1::1'), [], 'without the MAC the link-local solicitation is not the router’s');
    assert.deepEqual(doubleAnswers([ns, na].map((l) => parseNdpLine(l)!), '2001:db8:0:1::11', '2001:db8:0:1::1', '02:00:00:00:00:01'), []);
  });

  it('parseArpLine: a reply to the Ethernet broadcast (a gratuitous reply) is marked, one to the asker is not', () => {
    const garpReply = parseArpLine('1796418144.000001 02:00:00:00:00:0b > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Reply 192.0.2.200 is-at 02:00:00:00:00:0b, length 28');
    const answer = parseArpLine('1796418144.000002 02:00:00:00:00:0b > 02:00:00:00:00:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.200 is-at 02:00:00:00:00:0b, length 28');
    assert.deepEqual(garpReply, { t: Number('1796418144.000001') * 1000, src: '02:00:00:00:00:0b', op: 'reply', sender: '192.0.2.200', mac: '02:00:00:00:00:0b', broadcast: true });
    assert.deepEqual(answer, { t: Number('1796418144.000002') * 1000, src: '02:00:00:00:00:0b', op: 'reply', sender: '192.0.2.200', mac: '02:00:00:00:00:0b' });
  });

  it('doubleAnswers: a gratuitous reply (broadcast ARP, unsolicited NA) after the owner answered is no double; a second unicast answer is', () => {
    const req = '1796418144.000000 02:00:00:00:00:01 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.0.2.200 tell 192.0.2.1, length 28';
    const old = '1796418144.000100 02:00:00:00:00:0b > 02:00:00:00:00:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.200 is-at 02:00:00:00:00:0b, length 28';
    const garp = '1796418144.005000 02:00:00:00:00:0c > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Reply 192.0.2.200 is-at 02:00:00:00:00:0c, length 28';
    const second = '1796418144.000200 02:00:00:00:00:0c > 02:00:00:00:00:01, ethertype ARP (0x0806), length 42: Reply 192.0.2.200 is-at 02:00:00:00:00:0c, length 28';
    const ev = (ls: string[]) => ls.map((l) => parseArpLine(l)!);
    assert.deepEqual(doubleAnswers(ev([req, old, garp]), '192.0.2.200', '192.0.2.1'), []);
    assert.equal(doubleAnswers(ev([req, old, second]), '192.0.2.200', '192.0.2.1').length, 1);
    const unsolicitedNa = doubleAnswers([ns, na, unsolicited].map((l) => parseNdpLine(l)!), '2001:db8:0:1::11', '2001:db8:0:1::1', '02:00:00:00:00:01');
    assert.deepEqual(unsolicitedNa, []);
  });
});
