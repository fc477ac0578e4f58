import assert from 'node:assert/strict';
import { BgpFramer, DecodeError, decodeMessage } from '../../../src/wire/bgp/index.js';
import { messages } from './codec.test.js';

// A deterministic PRNG so a failure reproduces (xorshift32).
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

describe('bgp decode: mutation fuzz (small; the 1M run is a benchmark-sized job)', () => {
  it('20,000 mutated messages: each decodes or throws a DecodeError with a NOTIFICATION code', () => {
    const r = rng(0x6b67);
    let rejected = 0;
    for (let i = 0; i < 20_000; i++) {
      const src = messages[r() % messages.length]!.wire;
      const b = Buffer.from(src);
      const flips = 1 + (r() % 4);
      for (let j = 0; j < flips; j++) b[19 + (r() % (b.length - 19 || 1))] = r() & 0xff;
      // Keep the header consistent half the time so the body decoders get exercised.
      if (r() % 2 === 0) b.writeUInt16BE(b.length, 16);
      try {
        for (const frame of new BgpFramer().push(b)) decodeMessage(frame, { fourOctetAs: (r() & 1) === 1 });
      } catch (e) {
        assert.ok(e instanceof DecodeError, `not a DecodeError: ${String(e)} for ${b.toString('hex')}`);
        assert.ok(e.code >= 1 && e.code <= 7, `code ${e.code}`);
        rejected++;
      }
    }
    assert.ok(rejected > 0, 'the fuzzer produced some rejections');
  });
});
