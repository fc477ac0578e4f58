// NLRI prefixes: a length byte then the fewest bytes that hold it (RFC 4271 §4.3).
import { IP, Prefix, familyBits, type Family } from '@herald/shared/net';
import { Cursor } from './cursor.js';
import { DecodeError, ErrorCode, UpdateSubcode } from './errors.js';

export function prefixWireLength(p: Prefix): number {
  return 1 + Math.ceil(p.length / 8);
}

/** The network address in network order, written into one reused buffer (IP.toBytes works a byte at a time in bigint). */
const scratch = Buffer.alloc(16);

export function writePrefix(out: Buffer, at: number, p: Prefix): number {
  out[at] = p.length;
  const n = Math.ceil(p.length / 8);
  const ip = p.network;
  if (ip.family === 4) scratch.writeUInt32BE(Number(ip.value), 0);
  else {
    scratch.writeBigUInt64BE(ip.value >> 64n, 0);
    scratch.writeBigUInt64BE(BigInt.asUintN(64, ip.value), 8);
  }
  scratch.copy(out, at + 1, 0, n);
  return at + 1 + n;
}

export function encodePrefixes(ps: readonly Prefix[]): Buffer {
  const out = Buffer.alloc(ps.reduce((s, p) => s + prefixWireLength(p), 0));
  let at = 0;
  for (const p of ps) at = writePrefix(out, at, p);
  return out;
}

/** Decodes a run of prefixes of one family; errors are UPDATE / Invalid Network Field. */
export function decodePrefixes(buf: Buffer, family: Family): Prefix[] {
  const c = new Cursor(buf, ErrorCode.updateMessage, UpdateSubcode.invalidNetworkField, 'NLRI');
  const out: Prefix[] = [];
  const bits = familyBits[family];
  const full = Buffer.alloc(bits / 8);
  while (c.remaining > 0) {
    const len = c.u8();
    if (len > bits) throw new DecodeError(`NLRI prefix length ${len} > ${bits}`, ErrorCode.updateMessage, UpdateSubcode.invalidNetworkField);
    const b = c.bytes(Math.ceil(len / 8));
    full.fill(0);
    b.copy(full);
    const ip = IP.fromBytes(full);
    const p = Prefix.of(ip, len);
    out.push(p);
  }
  return out;
}
