// The speaker-to-speaker heartbeat: a small binary message authenticated with HMAC-SHA256 over a
// shared key (a Secret mounted as a file). Pure: no sockets, no clock. decode() never throws; it
// returns a typed error for anything it will not accept (short, oversize, wrong MAC, bad fields).
//
// Layout (all integers big-endian):
//   0   2  magic 0x48 0x42 ("HB")
//   2   1  version (1)
//   3   1  type: 1 heartbeat, 2 leaving, 3 announced
//   4   1  flags: bit 0 "fenced" (the sender answers for no IP and will not within the rejoin
//          delay); other bits are reserved, sent as 0 and ignored
//   5   8  incarnation (u64): chosen at start, so a restarted speaker is a new incarnation
//  13   4  sequence (u32), increasing within an incarnation
//  17   8  send time (u64, milliseconds on the sender's monotonic clock; for diagnostics)
//  25   1  sender name length N (1..253), then N bytes of the node name (DNS-1123 subdomain)
//   .   2  heard count H, then H times: 1 byte length + node name (peers the sender hears now)
//   .      type announced only: 1 byte length + the leaver's node name, 8 bytes its incarnation
//   .  32  HMAC-SHA256(key, every byte before the MAC)
//
// The MAC is checked before a single field is parsed, so the parser only ever sees bytes a key
// holder wrote. Several keys may be given for rotation: the first signs, any of them verifies.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const HEARTBEAT_VERSION = 1;
export const MAGIC = 0x4842;
export const MAC_BYTES = 32;
/** Fixed header up to and including the sender name length byte. */
const FIXED_BYTES = 26;
/** Smallest message: fixed header, a 1-byte name, an empty heard list, the MAC. */
export const MIN_MESSAGE_BYTES = FIXED_BYTES + 1 + 2 + MAC_BYTES;
/**
 * Largest message accepted or sent. Fits ~300 peers with 20-character names; bigger clusters
 * send IP-fragmented datagrams (fine on one L2 segment) up to this bound.
 */
export const MAX_MESSAGE_BYTES = 8192;
const MAX_NAME = 253;
const FLAG_FENCED = 0x01;
const NAME_RE = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;

export type HeartbeatType = 'heartbeat' | 'leaving' | 'announced';
const typeCodes: Record<HeartbeatType, number> = { heartbeat: 1, leaving: 2, announced: 3 };

interface Common {
  readonly from: string;
  readonly incarnation: bigint;
  readonly seq: number;
  readonly sentAtMs: number;
  /** The sender is fenced: it answers for no IP (and will not before its rejoin delay). */
  readonly fenced: boolean;
  /** Peers the sender hears now (for corroboration). */
  readonly heard: readonly string[];
}

/** A decoded (authenticated) message. */
export type HeartbeatMessage =
  | (Common & { readonly type: 'heartbeat' })
  /** "I am shutting down, take my IPs; I will keep answering until you announce." */
  | (Common & { readonly type: 'leaving' })
  /** "I now announce the IPs you (to, toIncarnation) handed me." */
  | (Common & { readonly type: 'announced'; readonly to: string; readonly toIncarnation: bigint });

export type HeartbeatDecodeError =
  | { readonly type: 'truncated'; readonly need: number; readonly have: number }
  | { readonly type: 'oversize'; readonly size: number; readonly max: number }
  | { readonly type: 'bad-mac' }
  | { readonly type: 'bad-magic'; readonly value: number }
  | { readonly type: 'bad-version'; readonly value: number }
  | { readonly type: 'bad-type'; readonly value: number }
  | { readonly type: 'bad-name'; readonly what: string }
  | { readonly type: 'bad-time'; readonly value: string }
  | { readonly type: 'trailing-bytes'; readonly count: number };

export type DecodeResult =
  | { readonly ok: true; readonly msg: HeartbeatMessage }
  | { readonly ok: false; readonly error: HeartbeatDecodeError };

export class HeartbeatEncodeError extends Error {
  override readonly name = 'HeartbeatEncodeError';
}

export function isNodeName(s: string): boolean {
  return s.length >= 1 && s.length <= MAX_NAME && NAME_RE.test(s);
}

function nameBytes(s: string, what: string): Buffer {
  if (!isNodeName(s)) throw new HeartbeatEncodeError(`${what}: ${JSON.stringify(s)} is not a node name (DNS-1123 subdomain)`);
  return Buffer.from(s, 'ascii');
}

/** Encodes and signs with keys[0]. Throws HeartbeatEncodeError on bad input or oversize. */
export function encodeHeartbeat(msg: HeartbeatMessage, keys: readonly Buffer[]): Buffer {
  const key = keys[0];
  if (!key) throw new HeartbeatEncodeError('no key');
  if (msg.incarnation < 0n || msg.incarnation > 0xffff_ffff_ffff_ffffn) throw new HeartbeatEncodeError('incarnation out of range');
  if (!Number.isInteger(msg.seq) || msg.seq < 0 || msg.seq > 0xffff_ffff) throw new HeartbeatEncodeError('seq out of range');
  if (!Number.isFinite(msg.sentAtMs) || msg.sentAtMs < 0) throw new HeartbeatEncodeError('sentAtMs out of range');
  if (msg.heard.length > 0xffff) throw new HeartbeatEncodeError('heard list too long');
  const parts: Buffer[] = [];
  const head = Buffer.alloc(FIXED_BYTES - 1);
  head.writeUInt16BE(MAGIC, 0);
  head.writeUInt8(HEARTBEAT_VERSION, 2);
  head.writeUInt8(typeCodes[msg.type], 3);
  head.writeUInt8(msg.fenced ? FLAG_FENCED : 0, 4);
  head.writeBigUInt64BE(msg.incarnation, 5);
  head.writeUInt32BE(msg.seq, 13);
  head.writeBigUInt64BE(BigInt(Math.floor(msg.sentAtMs)), 17);
  parts.push(head);
  const pushName = (s: string, what: string): void => {
    const b = nameBytes(s, what);
    parts.push(Buffer.from([b.length]), b);
  };
  pushName(msg.from, 'from');
  const count = Buffer.alloc(2);
  count.writeUInt16BE(msg.heard.length, 0);
  parts.push(count);
  for (const h of msg.heard) pushName(h, 'heard');
  if (msg.type === 'announced') {
    pushName(msg.to, 'to');
    if (msg.toIncarnation < 0n || msg.toIncarnation > 0xffff_ffff_ffff_ffffn) throw new HeartbeatEncodeError('toIncarnation out of range');
    const inc = Buffer.alloc(8);
    inc.writeBigUInt64BE(msg.toIncarnation, 0);
    parts.push(inc);
  }
  const body = Buffer.concat(parts);
  if (body.length + MAC_BYTES > MAX_MESSAGE_BYTES) {
    throw new HeartbeatEncodeError(`message of ${body.length + MAC_BYTES} bytes exceeds ${MAX_MESSAGE_BYTES}`);
  }
  return Buffer.concat([body, mac(key, body)]);
}

function mac(key: Buffer, body: Uint8Array): Buffer {
  return createHmac('sha256', key).update(body).digest();
}

/** Internal: a read past the end, turned into a 'truncated' result by decodeHeartbeat. */
class Short extends Error {
  override readonly name = 'Short';
  constructor(readonly need: number) {
    super(`short by ${need}`);
  }
}
/** Internal: an invalid field, turned into its typed result by decodeHeartbeat. */
class Invalid extends Error {
  override readonly name = 'Invalid';
  constructor(readonly error: HeartbeatDecodeError) {
    super(error.type);
  }
}

/** Verifies the MAC against any of keys, then parses. Never throws. */
export function decodeHeartbeat(buf: Uint8Array, keys: readonly Buffer[]): DecodeResult {
  if (buf.length < MIN_MESSAGE_BYTES) return { ok: false, error: { type: 'truncated', need: MIN_MESSAGE_BYTES, have: buf.length } };
  if (buf.length > MAX_MESSAGE_BYTES) return { ok: false, error: { type: 'oversize', size: buf.length, max: MAX_MESSAGE_BYTES } };
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  const body = b.subarray(0, b.length - MAC_BYTES);
  const got = b.subarray(b.length - MAC_BYTES);
  if (!keys.some((k) => timingSafeEqual(mac(k, body), got))) return { ok: false, error: { type: 'bad-mac' } };
  try {
    return { ok: true, msg: parseBody(body) };
  } catch (e) {
    if (e instanceof Short) return { ok: false, error: { type: 'truncated', need: e.need, have: body.length } };
    if (e instanceof Invalid) return { ok: false, error: e.error };
    throw e;
  }
}

function parseBody(b: Buffer): HeartbeatMessage {
  let pos = 0;
  const need = (n: number): void => {
    if (pos + n > b.length) throw new Short(pos + n);
  };
  const u8 = (): number => {
    need(1);
    return b.readUInt8(pos++);
  };
  const u16 = (): number => {
    need(2);
    const v = b.readUInt16BE(pos);
    pos += 2;
    return v;
  };
  const u32 = (): number => {
    need(4);
    const v = b.readUInt32BE(pos);
    pos += 4;
    return v;
  };
  const u64 = (): bigint => {
    need(8);
    const v = b.readBigUInt64BE(pos);
    pos += 8;
    return v;
  };
  const name = (what: string): string => {
    const len = u8();
    need(len);
    const s = b.toString('latin1', pos, pos + len);
    pos += len;
    if (!isNodeName(s)) throw new Invalid({ type: 'bad-name', what });
    return s;
  };
  const magic = u16();
  if (magic !== MAGIC) throw new Invalid({ type: 'bad-magic', value: magic });
  const version = u8();
  if (version !== HEARTBEAT_VERSION) throw new Invalid({ type: 'bad-version', value: version });
  const code = u8();
  const type = (Object.keys(typeCodes) as HeartbeatType[]).find((t) => typeCodes[t] === code);
  if (!type) throw new Invalid({ type: 'bad-type', value: code });
  const fenced = (u8() & FLAG_FENCED) !== 0;
  const incarnation = u64();
  const seq = u32();
  const sent = u64();
  if (sent > BigInt(Number.MAX_SAFE_INTEGER)) throw new Invalid({ type: 'bad-time', value: sent.toString() });
  const from = name('from');
  const count = u16();
  const heard: string[] = [];
  for (let i = 0; i < count; i++) heard.push(name('heard'));
  const common = { from, incarnation, seq, sentAtMs: Number(sent), fenced, heard };
  let msg: HeartbeatMessage;
  if (type === 'announced') {
    const to = name('to');
    msg = { type, ...common, to, toIncarnation: u64() };
  } else msg = { type, ...common };
  if (pos !== b.length) throw new Invalid({ type: 'trailing-bytes', count: b.length - pos });
  return msg;
}

/** Describes a decode error for logs and counters (never includes key material). */
export function describeDecodeError(e: HeartbeatDecodeError): string {
  switch (e.type) {
    case 'truncated':
      return `truncated: need ${e.need} bytes, have ${e.have}`;
    case 'oversize':
      return `oversize: ${e.size} bytes > ${e.max}`;
    case 'bad-mac':
      return 'bad MAC (wrong key or tampered)';
    case 'bad-magic':
      return `bad magic 0x${e.value.toString(16)}`;
    case 'bad-version':
      return `unsupported version ${e.value}`;
    case 'bad-type':
      return `unknown type ${e.value}`;
    case 'bad-name':
      return `bad node name in ${e.what}`;
    case 'bad-time':
      return `send time ${e.value} out of range`;
    case 'trailing-bytes':
      return `${e.count} trailing bytes`;
  }
}
