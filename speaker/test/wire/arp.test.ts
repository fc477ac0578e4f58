import assert from 'node:assert/strict';
import { IP } from '@herald/shared';
import { decodeArp, encodeArp, gratuitousArpFrame, arpReplyFrame, isGratuitous, type ArpPacket } from '../../src/wire/arp.js';
import { WireError } from '../../src/wire/cursor.js';
import { MAC, decodeEthernet } from '../../src/wire/ethernet.js';
import { capture, loadCaptures } from './fixtures.js';

const m1 = MAC.parse('02:00:00:00:00:01');
const m2 = MAC.parse('02:00:00:00:00:02');
const ip1 = IP.parse('192.0.2.1');
const ip2 = IP.parse('192.0.2.2');

function arpOf(name: string): ArpPacket {
  return decodeArp(decodeEthernet(capture(name)).payload);
}

describe('wire/arp', () => {
  it('finds its fixtures', () => {
    const names = [...loadCaptures().keys()].filter((n) => n.startsWith('arp-')).sort();
    assert.deepEqual(names, ['arp-gratuitous-reply', 'arp-gratuitous-request', 'arp-reply', 'arp-request']);
  });

  const cases: { desc: string; input: string; want: { op: string; senderMac: string; senderIp: string; targetMac: string; targetIp: string; gratuitous: boolean } }[] = [
    { desc: 'arping request', input: 'arp-request', want: { op: 'request', senderMac: '02:00:00:00:00:01', senderIp: '192.0.2.1', targetMac: 'ff:ff:ff:ff:ff:ff', targetIp: '192.0.2.2', gratuitous: false } },
    { desc: 'kernel reply', input: 'arp-reply', want: { op: 'reply', senderMac: '02:00:00:00:00:02', senderIp: '192.0.2.2', targetMac: '02:00:00:00:00:01', targetIp: '192.0.2.1', gratuitous: false } },
    { desc: 'arping -U (gratuitous request)', input: 'arp-gratuitous-request', want: { op: 'request', senderMac: '02:00:00:00:00:02', senderIp: '192.0.2.2', targetMac: 'ff:ff:ff:ff:ff:ff', targetIp: '192.0.2.2', gratuitous: true } },
    { desc: 'arping -A (gratuitous reply)', input: 'arp-gratuitous-reply', want: { op: 'reply', senderMac: '02:00:00:00:00:02', senderIp: '192.0.2.2', targetMac: '02:00:00:00:00:02', targetIp: '192.0.2.2', gratuitous: true } },
  ];
  for (const c of cases) {
    it(`decodes the captured ${c.desc} and round-trips it`, () => {
      const payload = decodeEthernet(capture(c.input)).payload;
      const p = decodeArp(payload);
      assert.deepEqual(
        { op: p.op, senderMac: p.senderMac.toString(), senderIp: p.senderIp.toString(), targetMac: p.targetMac.toString(), targetIp: p.targetIp.toString(), gratuitous: isGratuitous(p) },
        c.want,
      );
      assert.deepEqual(encodeArp(p), payload);
    });
  }

  it('builds the same reply bytes the kernel sent for the captured request', () => {
    assert.deepEqual(arpReplyFrame(arpOf('arp-request'), m2), capture('arp-reply'));
  });

  it('builds the same gratuitous frames as arping -U and -A', () => {
    assert.deepEqual(gratuitousArpFrame(ip2, m2, 'request'), capture('arp-gratuitous-request'));
    assert.deepEqual(gratuitousArpFrame(ip2, m2, 'reply'), capture('arp-gratuitous-reply'));
  });

  it('ignores Ethernet padding after the ARP body', () => {
    const padded = Buffer.concat([decodeEthernet(capture('arp-request')).payload, Buffer.alloc(18)]);
    assert.equal(decodeArp(padded).targetIp.toString(), '192.0.2.2');
  });

  it('rejects every truncation of a captured request', () => {
    const payload = decodeEthernet(capture('arp-request')).payload;
    for (let n = 0; n < payload.length; n++) {
      assert.throws(() => decodeArp(payload.subarray(0, n)), (e: unknown) => e instanceof WireError && e.reason.type === 'truncated', `length ${n}`);
    }
  });

  const mutate = (at: number, v: number): Buffer => {
    const b = Buffer.from(decodeEthernet(capture('arp-request')).payload);
    b[at] = v;
    return b;
  };
  const bad: { desc: string; input: Buffer; wantReason: string }[] = [
    { desc: 'hardware type 6 (IEEE 802)', input: mutate(1, 6), wantReason: 'unsupported' },
    { desc: 'protocol type IPv6', input: Buffer.concat([Buffer.from([0, 1, 0x86, 0xdd]), mutate(0, 0).subarray(4)]), wantReason: 'unsupported' },
    { desc: 'hardware length 8', input: mutate(4, 8), wantReason: 'bad-length' },
    { desc: 'protocol length 16', input: mutate(5, 16), wantReason: 'bad-length' },
    { desc: 'opcode 3 (RARP)', input: mutate(7, 3), wantReason: 'unsupported' },
  ];
  for (const c of bad) {
    it(`rejects ${c.desc}`, () => {
      assert.throws(() => decodeArp(c.input), (e: unknown) => e instanceof WireError && e.reason.type === c.wantReason);
    });
  }

  it('round-trips a built packet', () => {
    const p: ArpPacket = { op: 'reply', senderMac: m1, senderIp: ip1, targetMac: m2, targetIp: ip2 };
    const q = decodeArp(encodeArp(p));
    assert.ok(q.senderMac.equals(m1) && q.targetMac.equals(m2) && q.senderIp.equals(ip1) && q.targetIp.equals(ip2) && q.op === 'reply');
  });
});
