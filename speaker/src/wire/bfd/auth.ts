// The optional authentication section (RFC 5880 §4.2-4.4): parsed with its length rules, or
// rejected with a reason. Herald configures no BFD authentication, so a session drops every
// authenticated packet (§6.8.6); parsing it still tells the operator what the peer sends.
import { AuthType, type AuthSection } from './types.js';
import { BfdDropError } from './errors.js';
import { Cursor } from './cursor.js';

const bad = (why: string): BfdDropError => new BfdDropError({ type: 'bad-auth', why });

const DIGESTS = {
  [AuthType.keyedMd5]: { type: 'keyed-md5', len: 24, digest: 16 },
  [AuthType.meticulousKeyedMd5]: { type: 'meticulous-keyed-md5', len: 24, digest: 16 },
  [AuthType.keyedSha1]: { type: 'keyed-sha1', len: 28, digest: 20 },
  [AuthType.meticulousKeyedSha1]: { type: 'meticulous-keyed-sha1', len: 28, digest: 20 },
} as const;

/** Parses the whole of `b` as one authentication section. */
export function decodeAuth(b: Buffer): AuthSection {
  const c = new Cursor(b);
  const type = c.u8();
  const len = c.u8();
  if (len !== b.length) throw bad(`auth length ${len}, but ${b.length} bytes follow the header`);
  const keyId = c.u8();
  if (type === AuthType.simplePassword) {
    // §4.2: the password is 1 to 16 bytes, so the section is 4 to 19.
    if (len < 4 || len > 19) throw bad(`simple password section length ${len}, want 4-19`);
    return { type: 'simple-password', keyId, password: c.rest() };
  }
  const d = DIGESTS[type as keyof typeof DIGESTS] as (typeof DIGESTS)[keyof typeof DIGESTS] | undefined;
  if (!d) throw bad(`unknown auth type ${type}`);
  if (len !== d.len) throw bad(`${d.type} section length ${len}, want ${d.len}`);
  c.u8(); // reserved
  const sequence = c.u32();
  return { type: d.type, keyId, sequence, digest: c.bytes(d.digest) };
}

export function authLength(a: AuthSection): number {
  if (a.type === 'simple-password') return 3 + a.password.length;
  return 8 + a.digest.length;
}

export function encodeAuth(a: AuthSection, out: Buffer, at: number): void {
  const len = authLength(a);
  if (a.type === 'simple-password') {
    if (a.password.length < 1 || a.password.length > 16) throw new RangeError(`simple password of ${a.password.length} bytes, want 1-16`);
    out[at] = AuthType.simplePassword;
    out[at + 1] = len;
    out[at + 2] = a.keyId;
    a.password.copy(out, at + 3);
    return;
  }
  const code = { 'keyed-md5': AuthType.keyedMd5, 'meticulous-keyed-md5': AuthType.meticulousKeyedMd5, 'keyed-sha1': AuthType.keyedSha1, 'meticulous-keyed-sha1': AuthType.meticulousKeyedSha1 }[a.type];
  const want = DIGESTS[code].digest;
  if (a.digest.length !== want) throw new RangeError(`${a.type} digest of ${a.digest.length} bytes, want ${want}`);
  out[at] = code;
  out[at + 1] = len;
  out[at + 2] = a.keyId;
  out[at + 3] = 0;
  out.writeUInt32BE(a.sequence >>> 0, at + 4);
  a.digest.copy(out, at + 8);
}
