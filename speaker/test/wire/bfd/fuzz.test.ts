// Property and mutation fuzzing of the BFD codec (fast-check): any valid packet round-trips, and
// any bytes (random, or real captures mutated) either decode or are dropped with a BfdDropError,
// never another exception.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { BfdDropError, decodeControl, encodeControl, STATES, type AuthSection, type ControlPacket } from '../../../src/wire/bfd/index.js';

const dir = fileURLToPath(new URL('../../../../test/wire/bfd/fixtures/', import.meta.url));
const captured = readdirSync(dir)
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => (JSON.parse(readFileSync(dir + f, 'utf8')) as { packets: { hex: string }[] }).packets.map((p) => Buffer.from(p.hex, 'hex')));

const RUNS = Number(process.env['HERALD_FUZZ_COUNT'] ?? 20_000);
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const buf = (min: number, max: number): fc.Arbitrary<Buffer> => fc.uint8Array({ minLength: min, maxLength: max }).map((a) => Buffer.from(a));
const auth: fc.Arbitrary<AuthSection> = fc.oneof(
  fc.record({ type: fc.constant('simple-password' as const), keyId: fc.integer({ min: 0, max: 255 }), password: buf(1, 16) }),
  fc.record({ type: fc.constantFrom('keyed-md5' as const, 'meticulous-keyed-md5' as const), keyId: fc.integer({ min: 0, max: 255 }), sequence: u32, digest: buf(16, 16) }),
  fc.record({ type: fc.constantFrom('keyed-sha1' as const, 'meticulous-keyed-sha1' as const), keyId: fc.integer({ min: 0, max: 255 }), sequence: u32, digest: buf(20, 20) }),
);
const packet: fc.Arbitrary<ControlPacket> = fc
  .record({
    diag: fc.integer({ min: 0, max: 31 }),
    state: fc.constantFrom(...STATES),
    poll: fc.boolean(),
    final: fc.boolean(),
    controlPlaneIndependent: fc.boolean(),
    demand: fc.boolean(),
    detectMult: fc.integer({ min: 1, max: 255 }),
    myDiscriminator: fc.integer({ min: 1, max: 0xffffffff }),
    yourDiscriminator: u32,
    desiredMinTxUs: u32,
    requiredMinRxUs: u32,
    requiredMinEchoRxUs: u32,
    auth: fc.option(auth, { nil: undefined }),
  })
  .map(({ auth: a, ...p }) => {
    const yourDiscriminator = p.state === 'up' || p.state === 'init' ? p.yourDiscriminator || 1 : p.yourDiscriminator;
    // fc.record makes null-prototype objects; the decoder makes plain ones.
    return a ? { ...p, yourDiscriminator, auth: { ...a } } : { ...p, yourDiscriminator };
  });

function decodesOrDrops(b: Buffer): void {
  try {
    decodeControl(b);
  } catch (e) {
    assert.ok(e instanceof BfdDropError, `not a BfdDropError: ${String(e)} for ${b.toString('hex')}`);
  }
}

describe('bfd codec: property and mutation fuzz', () => {
  it(`${RUNS} random valid packets round-trip`, function () {
    this.timeout(120_000);
    fc.assert(
      fc.property(packet, (p) => {
        assert.deepEqual(decodeControl(encodeControl(p)), p);
      }),
      { numRuns: RUNS, seed: 5880 },
    );
  });

  it(`${RUNS} random byte strings decode or drop with a reason`, function () {
    this.timeout(120_000);
    fc.assert(fc.property(buf(0, 64), (b) => decodesOrDrops(b)), { numRuns: RUNS, seed: 5881 });
  });

  it(`${RUNS} mutated real captures decode or drop with a reason`, function () {
    this.timeout(120_000);
    assert.ok(captured.length >= 12, 'captured fixtures are in the corpus');
    let dropped = 0;
    fc.assert(
      fc.property(fc.nat(captured.length - 1), fc.array(fc.tuple(fc.nat(63), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.integer({ min: -4, max: 40 }), (i, flips, grow) => {
        const src = captured[i]!;
        const b = Buffer.alloc(Math.max(0, src.length + grow));
        src.copy(b);
        for (const [at, v] of flips) if (b.length) b[at % b.length] = v;
        try {
          decodeControl(b);
        } catch (e) {
          assert.ok(e instanceof BfdDropError, `not a BfdDropError: ${String(e)} for ${b.toString('hex')}`);
          dropped++;
        }
      }),
      { numRuns: RUNS, seed: 5883 },
    );
    assert.ok(dropped > 0, 'the mutations produced some drops');
  });
});
