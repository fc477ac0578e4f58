import assert from 'node:assert/strict';
import { decodeShutdownCommunication, encodeShutdownCommunication, type ShutdownCommunication } from '../../../src/wire/bgp/index.js';

/** Independent builder for the expected bytes (RFC 9003 §2): one length octet, then UTF-8. */
function golden(utf8: Buffer): Buffer {
  return Buffer.from([utf8.length, ...utf8]);
}

describe('BGP shutdown communication (RFC 9003)', () => {
  const encodes: { desc: string; text: string; want: Buffer }[] = [
    { desc: 'ASCII', text: 'herald: node node2 shutting down', want: golden(Buffer.from('herald: node node2 shutting down', 'latin1')) },
    { desc: 'empty: a zero length octet', text: '', want: Buffer.from([0]) },
    { desc: 'UTF-8 kept as UTF-8', text: 'nœud', want: Buffer.from([5, 0x6e, 0xc5, 0x93, 0x75, 0x64]) },
    { desc: '255 octets: kept whole', text: 'a'.repeat(255), want: golden(Buffer.alloc(255, 0x61)) },
    { desc: '300 octets: cut to 255', text: 'a'.repeat(300), want: golden(Buffer.alloc(255, 0x61)) },
    // 254 ASCII octets then a 2-octet character: it would end at 256, so it goes whole.
    { desc: 'a cut never splits a character', text: 'a'.repeat(254) + 'é', want: golden(Buffer.alloc(254, 0x61)) },
  ];
  for (const c of encodes) {
    it(`encodes: ${c.desc}`, () => {
      assert.deepEqual(encodeShutdownCommunication(c.text), c.want);
    });
  }

  const decodes: { desc: string; data: Buffer; want: ShutdownCommunication }[] = [
    { desc: 'no data (a Cease from an RFC 4486 speaker)', data: Buffer.alloc(0), want: { type: 'none' } },
    { desc: 'zero length', data: Buffer.from([0]), want: { type: 'none' } },
    { desc: 'a message', data: golden(Buffer.from('maintenance')), want: { type: 'message', text: 'maintenance' } },
    { desc: 'length past the end', data: Buffer.from([10, 0x61]), want: { type: 'malformed', why: 'length 10 but 1 octets follow' } },
    { desc: 'not UTF-8', data: Buffer.from([2, 0xc3, 0x28]), want: { type: 'malformed', why: 'not UTF-8' } },
  ];
  for (const c of decodes) {
    it(`decodes: ${c.desc}`, () => {
      assert.deepEqual(decodeShutdownCommunication(c.data), c.want);
    });
  }

  it('round trips', () => {
    for (const t of ['x', 'herald: node a shutting down', 'ノード停止']) assert.deepEqual(decodeShutdownCommunication(encodeShutdownCommunication(t)), { type: 'message', text: t });
  });
});
