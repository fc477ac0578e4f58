import assert from 'node:assert/strict';
import { BgpFramer, DecodeError, decodeMessage } from '../../../src/wire/bgp/index.js';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { messages } from './messages.js';

const fixtures = fileURLToPath(new URL('../../../../test/wire/bgp/fixtures/', import.meta.url));
const captured = readdirSync(fixtures)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => (JSON.parse(readFileSync(fixtures + f, 'utf8')) as { messages: { hex: string }[] }).messages.map((m) => Buffer.from(m.hex, 'hex')));
const corpus = [...messages.map((m) => m.wire), ...captured];

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

// 100,000 by default (a few seconds); HERALD_FUZZ_COUNT=1000000 for the full run.
const COUNT = Number(process.env['HERALD_FUZZ_COUNT'] ?? 100_000);

describe('bgp decode: mutation fuzz', () => {
  it(`${COUNT} mutated messages (real captures and ours): each decodes or throws a DecodeError with a NOTIFICATION code`, function () {
    this.timeout(600_000);
    const r = rng(0x6b67);
    let rejected = 0;
    for (let i = 0; i < COUNT; i++) {
      const src = corpus[r() % corpus.length]!;
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
    assert.ok(captured.length > 20, 'captured fixtures are in the corpus');
    assert.ok(rejected > 0, 'the fuzzer produced some rejections');
  });
});
