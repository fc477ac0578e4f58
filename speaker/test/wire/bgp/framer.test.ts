import assert from 'node:assert/strict';
import { BgpFramer, DecodeError, decodeMessage } from '../../../src/wire/bgp/index.js';
import { messages } from './messages.js';
import { frame } from './helpers.js';

describe('bgp framer', () => {
  const stream = Buffer.concat(messages.map((m) => m.wire));

  for (const m of messages) {
    it(`${m.desc}: split at every offset yields the same one frame`, () => {
      for (let cut = 0; cut <= m.wire.length; cut++) {
        const f = new BgpFramer();
        const got = [...f.push(m.wire.subarray(0, cut)), ...f.push(m.wire.subarray(cut))];
        assert.equal(got.length, 1, `cut at ${cut}`);
        assert.ok(got[0]!.equals(m.wire), `cut at ${cut}`);
        assert.equal(f.buffered, 0);
      }
    });
  }

  it('a stream of every message, split at every offset, yields every frame in order', () => {
    for (let cut = 0; cut <= stream.length; cut++) {
      const f = new BgpFramer();
      const got = [...f.push(stream.subarray(0, cut)), ...f.push(stream.subarray(cut))];
      assert.deepEqual(got.map((b) => b.toString('hex')), messages.map((m) => m.wire.toString('hex')), `cut at ${cut}`);
    }
  });

  it('a stream fed one byte at a time yields every frame', () => {
    const f = new BgpFramer();
    const got: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) got.push(...f.push(stream.subarray(i, i + 1)));
    assert.equal(got.length, messages.length);
    for (const g of got) decodeMessage(g, { fourOctetAs: true });
  });

  it('frames inside one chunk are views of it, not copies', () => {
    const f = new BgpFramer();
    const got = f.push(stream);
    assert.equal(got[0]!.buffer, stream.buffer);
  });

  const bad: { desc: string; input: Buffer; want: [number, number] }[] = [
    { desc: 'bad marker', input: Buffer.concat([Buffer.alloc(16, 0xfe), Buffer.from([0, 19, 4])]), want: [1, 1] },
    { desc: 'length below 19', input: Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([0, 18, 4])]), want: [1, 2] },
    { desc: 'length above 4096', input: Buffer.concat([Buffer.alloc(16, 0xff), Buffer.from([0x10, 0x01, 2])]), want: [1, 2] },
    { desc: 'unknown type', input: frame(9, ''), want: [1, 3] },
  ];
  for (const c of bad) {
    it(`${c.desc}: header error ${c.want.join('/')}`, () => {
      const f = new BgpFramer();
      assert.throws(
        () => f.push(c.input),
        (e: unknown) => e instanceof DecodeError && e.code === c.want[0] && e.subcode === c.want[1],
      );
    });
  }
});
