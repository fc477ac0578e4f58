import assert from 'node:assert/strict';
import { IP, Prefix } from '@herald/shared';
import { decodeMessage, encodeMessage, type BgpMessage } from '../../../src/wire/bgp/index.js';
import { ctx2, ctx4, messages } from './messages.js';

const ip = IP.parse;
const pfx = Prefix.parse;

/** Normalises decoded values for deep comparison (IP/Prefix become strings). */
function plain(v: unknown): unknown {
  return JSON.parse(JSON.stringify(v)) as unknown;
}


describe('bgp codec: round trip and golden bytes', () => {
  for (const c of messages) {
    it(`${c.desc}: encodes to the hand-built bytes`, () => {
      assert.equal(encodeMessage(c.msg, c.ctx).toString('hex'), c.wire.toString('hex'));
    });
    it(`${c.desc}: decodes back to the value`, () => {
      assert.deepEqual(plain(decodeMessage(c.wire, c.ctx)), plain(c.msg));
    });
  }

  it('a 2-byte peer path with AS4_PATH decodes to the real 4-byte path', () => {
    const m = decodeMessage(messages[6]!.wire, ctx2);
    assert.equal(m.type, 'update');
    if (m.type !== 'update') return;
    assert.deepEqual(m.attributes.asPath, [{ type: 'sequence', asns: [4200000001, 64500] }]);
  });

  it('an attribute over 255 bytes uses the extended length flag', () => {
    const communities = Array.from({ length: 100 }, (_, i) => ({ type: 'standard' as const, asn: 64500, value: i }));
    const msg: BgpMessage = { type: 'update', withdrawn: [], attributes: { origin: 0, asPath: [], nextHop: ip('192.0.2.1'), communities }, nlri: [pfx('192.0.2.0/24')] };
    const wire = encodeMessage(msg, ctx4);
    const at = wire.indexOf(Buffer.from([0xd0, 0x08, 0x01, 0x90]));
    assert.ok(at > 0, 'extended-length COMMUNITIES header (flags d0, length 400) present');
    assert.deepEqual(plain(decodeMessage(wire, ctx4)), plain(msg));
  });
});
