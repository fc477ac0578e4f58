// The BFD control packet (RFC 5880 §4.1): encode, and decode with the stateless reception checks
// of §6.8.6 (version, length, detect multiplier, multipoint, discriminators, auth section
// structure). Checks that need a session (which discriminator, auth in use, TTL) are the
// caller's; their reasons are in the same DropReason union.
import { authLength, decodeAuth, encodeAuth } from './auth.js';
import { Cursor } from './cursor.js';
import { BfdDropError, type DropReason } from './errors.js';
import { HEADER_LENGTH, STATES, STATE_CODES, type ControlPacket } from './types.js';

const drop = (r: DropReason): BfdDropError => new BfdDropError(r);

/** Decodes one UDP payload; throws BfdDropError naming the first check it fails. */
export function decodeControl(b: Buffer): ControlPacket {
  if (b.length < 1) throw drop({ type: 'truncated', need: HEADER_LENGTH, have: 0 });
  const version = b[0]! >> 5;
  if (version !== 1) throw drop({ type: 'bad-version', version });
  const c = new Cursor(b);
  const b0 = c.u8();
  const b1 = c.u8();
  const detectMult = c.u8();
  const length = c.u8();
  const hasAuth = (b1 & 0x04) !== 0;
  if (length < (hasAuth ? HEADER_LENGTH + 2 : HEADER_LENGTH) || length > b.length) throw drop({ type: 'bad-length', length, received: b.length });
  if (detectMult === 0) throw drop({ type: 'zero-detect-mult' });
  if (b1 & 0x01) throw drop({ type: 'multipoint' });
  const myDiscriminator = c.u32();
  const yourDiscriminator = c.u32();
  const state = STATES[b1 >> 6]!;
  if (myDiscriminator === 0) throw drop({ type: 'zero-my-discriminator' });
  if (yourDiscriminator === 0 && state !== 'down' && state !== 'admin-down') throw drop({ type: 'zero-your-discriminator', state });
  const desiredMinTxUs = c.u32();
  const requiredMinRxUs = c.u32();
  const requiredMinEchoRxUs = c.u32();
  // Bytes after the Length field (padding) are ignored; without the A bit, so is the rest.
  const auth = hasAuth ? decodeAuth(b.subarray(HEADER_LENGTH, length)) : undefined;
  return {
    diag: b0 & 0x1f,
    state,
    poll: (b1 & 0x20) !== 0,
    final: (b1 & 0x10) !== 0,
    controlPlaneIndependent: (b1 & 0x08) !== 0,
    demand: (b1 & 0x02) !== 0,
    detectMult,
    myDiscriminator,
    yourDiscriminator,
    desiredMinTxUs,
    requiredMinRxUs,
    requiredMinEchoRxUs,
    ...(auth ? { auth } : {}),
  };
}

/** decodeControl as a value: the packet, or why it is dropped. */
export function parseControl(b: Buffer): { readonly ok: true; readonly packet: ControlPacket } | { readonly ok: false; readonly reason: DropReason } {
  try {
    return { ok: true, packet: decodeControl(b) };
  } catch (err) {
    if (err instanceof BfdDropError) return { ok: false, reason: err.reason };
    throw err;
  }
}

const u32 = (what: string, v: number): number => {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw new RangeError(`${what} ${v} is not a 32-bit unsigned integer`);
  return v;
};

export function encodeControl(p: ControlPacket): Buffer {
  if (!Number.isInteger(p.diag) || p.diag < 0 || p.diag > 31) throw new RangeError(`diag ${p.diag} does not fit 5 bits`);
  if (!Number.isInteger(p.detectMult) || p.detectMult < 1 || p.detectMult > 255) throw new RangeError(`detect multiplier ${p.detectMult}, want 1-255`);
  const len = HEADER_LENGTH + (p.auth ? authLength(p.auth) : 0);
  const b = Buffer.alloc(len);
  b[0] = (1 << 5) | p.diag;
  b[1] =
    (STATE_CODES[p.state] << 6) |
    (p.poll ? 0x20 : 0) |
    (p.final ? 0x10 : 0) |
    (p.controlPlaneIndependent ? 0x08 : 0) |
    (p.auth ? 0x04 : 0) |
    (p.demand ? 0x02 : 0);
  b[2] = p.detectMult;
  b[3] = len;
  b.writeUInt32BE(u32('my discriminator', p.myDiscriminator), 4);
  b.writeUInt32BE(u32('your discriminator', p.yourDiscriminator), 8);
  b.writeUInt32BE(u32('desired min TX', p.desiredMinTxUs), 12);
  b.writeUInt32BE(u32('required min RX', p.requiredMinRxUs), 16);
  b.writeUInt32BE(u32('required min echo RX', p.requiredMinEchoRxUs), 20);
  if (p.auth) encodeAuth(p.auth, b, HEADER_LENGTH);
  return b;
}
