// The speaker-to-speaker heartbeat: a small binary message authenticated with HMAC-SHA256 over a
// shared key (a Secret mounted as a file). Pure: no sockets, no clock. decode() never throws; it
// returns a typed error for anything it will not accept (short, oversize, wrong MAC, bad fields).
//
// Layout, version 2 (all integers big-endian):
//   0   2  magic 0x48 0x42 ("HB")
//   2   1  version (2; version 1 carried the heard list as names and is refused)
//   3   1  type: 1 heartbeat, 2 leaving, 3 announced, 4 claim, 5 released (a speaker without
//          the handover refuses 4 and 5 as an unknown type, and is never sent one it must answer)
//   4   1  flags: bit 0 "fenced" (the sender answers for no IP and will not within the rejoin
//          delay); bit 1 "handover" (the sender claims IPs before it answers for them, and
//          answers claims: layer2/handover.ts); other bits are reserved, sent as 0 and ignored
//   5   8  incarnation (u64): chosen at start, so a restarted speaker is a new incarnation
//  13   4  sequence (u32), +1 per message within an incarnation (every message goes to every
//          member, so a receiver that sees a gap knows it missed one)
//  17   8  send time (u64, microseconds on the sender's monotonic clock): receivers date what a
//          message says by when it was sent, not by when they got round to reading it
//  25   1  sender name length N (1..253), then N bytes of the node name (DNS-1123 subdomain)
//   .   8  digest of the sender's member set (heard-set.ts)
//   .   1  heard encoding: 0 bitmap, 1 hashes
//   .      bitmap: 2 bytes member count M, then ceil(M/8) bytes; bit i (MSB first) = the sender
//          hears the i-th name of its member set sorted by bytes; padding bits are 0
//   .      hashes: 2 bytes count H, then H 8-byte name hashes, strictly ascending
//   .   1  count E of heard speakers outside the sender's member set, then E times 1 byte length
//          + node name
//   .      types announced and released: 1 byte length + the addressee's node name, 8 bytes
//          its incarnation
//   .      types claim and released: 2 bytes count C, then C times 1 byte family (4 or 6) and
//          the address (4 or 16 bytes); C >= 1
//   .  32  HMAC-SHA256(key, every byte before the MAC)
//
// At 100 members with 30-character names a heartbeat is ~110 bytes as a bitmap, and ~900 bytes as
// hashes (up to the MTU with the newest members named; sent only to peers whose member set
// differs): one datagram either way (version 1 needed ~3 KB, IP-fragmented).
//
// The MAC is checked before a single field is parsed, so the parser only ever sees bytes a key
// holder wrote. Several keys may be given for rotation: the first signs, any of them verifies.
import { createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { ByteCursor } from '../wire/byte-cursor.js';
import { bitsetBytes, type HeardField } from './heard-set.js';

export const HEARTBEAT_VERSION = 2;
export const MAGIC = 0x4842;
export const MAC_BYTES = 32;
/** Fixed header up to and including the sender name length byte. */
const FIXED_BYTES = 26;
/** Smallest message: fixed header, a 1-byte name, digest, an empty bitmap, no extras, the MAC. */
export const MIN_MESSAGE_BYTES = FIXED_BYTES + 1 + 8 + 1 + 2 + 1 + MAC_BYTES;
/** The UDP payload that fits one 1500-byte Ethernet frame over IPv6 (1500 - 40 - 8). */
export const MTU_PAYLOAD_BYTES = 1452;
/**
 * Largest message accepted or sent. Bitmaps keep a heartbeat far below the MTU at any realistic
 * size; the hashes encoding (while member sets disagree) passes the MTU at ~165 members and is
 * then sent IP-fragmented (fine on one L2 segment) up to this bound.
 */
export const MAX_MESSAGE_BYTES = 8192;
const MAX_NAME = 253;
const FLAG_FENCED = 0x01;
const FLAG_HANDOVER = 0x02;
const NAME_RE = /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/;
const U64_MAX = 0xffff_ffff_ffff_ffffn;

export type HeartbeatType = 'heartbeat' | 'leaving' | 'announced' | 'claim' | 'released';
const typeCodes: Record<HeartbeatType, number> = { heartbeat: 1, leaving: 2, announced: 3, claim: 4, released: 5 };

/** An IP as the handover messages carry it: 4 or 16 address bytes. */
export type WireIP = Uint8Array;

interface Common {
  readonly from: string;
  readonly incarnation: bigint;
  readonly seq: number;
  /** Send time on the sender's monotonic clock, in ms (microsecond resolution on the wire). */
  readonly sentAtMs: number;
  /** The sender is fenced: it answers for no IP (and will not before its rejoin delay). */
  readonly fenced: boolean;
  /** The sender takes part in the L2 handover (claims before answering, answers claims). */
  readonly handover?: boolean;
  /** Whom the sender hears now (for quorum and corroboration). */
  readonly heard: HeardField;
}

/** A decoded (authenticated) message. */
export type HeartbeatMessage =
  | (Common & { readonly type: 'heartbeat' })
  /** "I am shutting down, take my IPs; I will keep answering until you announce." */
  | (Common & { readonly type: 'leaving' })
  /** "I now announce the IPs you (to, toIncarnation) handed me." */
  | (Common & { readonly type: 'announced'; readonly to: string; readonly toIncarnation: bigint })
  /** "These IPs are mine by my view: say when you no longer answer for them." */
  | (Common & { readonly type: 'claim'; readonly ips: readonly WireIP[] })
  /** "I (no longer) answer for these IPs that you (to, toIncarnation) claimed." */
  | (Common & { readonly type: 'released'; readonly to: string; readonly toIncarnation: bigint; readonly ips: readonly WireIP[] });

export type HeartbeatDecodeError =
  | { readonly type: 'truncated'; readonly need: number; readonly have: number }
  | { readonly type: 'oversize'; readonly size: number; readonly max: number }
  | { readonly type: 'bad-mac' }
  | { readonly type: 'bad-magic'; readonly value: number }
  | { readonly type: 'bad-version'; readonly value: number }
  | { readonly type: 'bad-type'; readonly value: number }
  | { readonly type: 'bad-name'; readonly what: string }
  | { readonly type: 'bad-time'; readonly value: string }
  | { readonly type: 'bad-heard'; readonly what: string }
  | { readonly type: 'bad-ips'; readonly what: string }
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

/** A small growable writer (one allocation per message in practice). */
class Writer {
  private buf = Buffer.allocUnsafe(256);
  pos = 0;
  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  u8(v: number): void {
    this.room(1);
    this.buf.writeUInt8(v, this.pos++);
  }
  u16(v: number): void {
    this.room(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
  }
  u32(v: number): void {
    this.room(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
  }
  u64(v: bigint): void {
    this.room(8);
    this.buf.writeBigUInt64BE(v, this.pos);
    this.pos += 8;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  name(s: string, what: string): void {
    if (!isNodeName(s)) throw new HeartbeatEncodeError(`${what}: ${JSON.stringify(s)} is not a node name (DNS-1123 subdomain)`);
    this.u8(s.length);
    this.room(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }
  done(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

function writeHeard(w: Writer, h: HeardField): void {
  if (h.digest < 0n || h.digest > U64_MAX) throw new HeartbeatEncodeError('heard: digest out of range');
  w.u64(h.digest);
  if (h.type === 'bitmap') {
    if (!Number.isInteger(h.members) || h.members < 0 || h.members > 0xffff) throw new HeartbeatEncodeError('heard: member count out of range');
    if (h.bits.length !== bitsetBytes(h.members)) throw new HeartbeatEncodeError(`heard: bitmap of ${h.bits.length} bytes for ${h.members} members`);
    const pad = h.members % 8;
    if (pad !== 0 && ((h.bits[h.bits.length - 1] ?? 0) & (0xff >> pad)) !== 0) throw new HeartbeatEncodeError('heard: bitmap padding bits set');
    w.u8(0);
    w.u16(h.members);
    w.bytes(h.bits);
  } else {
    if (h.hashes.length > 0xffff) throw new HeartbeatEncodeError('heard: too many hashes');
    w.u8(1);
    w.u16(h.hashes.length);
    let prev = -1n;
    for (const x of h.hashes) {
      if (x <= prev || x > U64_MAX) throw new HeartbeatEncodeError('heard: hashes must be strictly ascending u64');
      w.u64(x);
      prev = x;
    }
  }
  if (h.extra.length > 0xff) throw new HeartbeatEncodeError('heard: more than 255 speakers outside the member set');
  w.u8(h.extra.length);
  for (const n of h.extra) w.name(n, 'heard extra');
}

function writeIps(w: Writer, ips: readonly WireIP[]): void {
  if (ips.length === 0 || ips.length > 0xffff) throw new HeartbeatEncodeError(`ips: ${ips.length} addresses (1..65535)`);
  w.u16(ips.length);
  for (const ip of ips) {
    if (ip.length !== 4 && ip.length !== 16) throw new HeartbeatEncodeError(`ips: an address of ${ip.length} bytes`);
    w.u8(ip.length === 4 ? 4 : 6);
    w.bytes(ip);
  }
}

/** Wire bytes of a claim's or release's address list of v4 IPv4 and v6 IPv6 addresses. */
export function ipListBytes(v4: number, v6: number): number {
  return 2 + 5 * v4 + 17 * v6;
}

/** Encodes and signs with keys[0]. Throws HeartbeatEncodeError on bad input or oversize. */
export function encodeHeartbeat(msg: HeartbeatMessage, keys: readonly Buffer[]): Buffer {
  const key = keys[0];
  if (!key) throw new HeartbeatEncodeError('no key');
  if (msg.incarnation < 0n || msg.incarnation > U64_MAX) throw new HeartbeatEncodeError('incarnation out of range');
  if (!Number.isInteger(msg.seq) || msg.seq < 0 || msg.seq > 0xffff_ffff) throw new HeartbeatEncodeError('seq out of range');
  const sentUs = Math.round(msg.sentAtMs * 1000);
  if (!Number.isSafeInteger(sentUs) || sentUs < 0) throw new HeartbeatEncodeError('sentAtMs out of range');
  const w = new Writer();
  w.u16(MAGIC);
  w.u8(HEARTBEAT_VERSION);
  w.u8(typeCodes[msg.type]);
  w.u8((msg.fenced ? FLAG_FENCED : 0) | (msg.handover ? FLAG_HANDOVER : 0));
  w.u64(msg.incarnation);
  w.u32(msg.seq);
  w.u64(BigInt(sentUs));
  w.name(msg.from, 'from');
  writeHeard(w, msg.heard);
  if (msg.type === 'announced' || msg.type === 'released') {
    w.name(msg.to, 'to');
    if (msg.toIncarnation < 0n || msg.toIncarnation > U64_MAX) throw new HeartbeatEncodeError('toIncarnation out of range');
    w.u64(msg.toIncarnation);
  }
  if (msg.type === 'claim' || msg.type === 'released') writeIps(w, msg.ips);
  const body = w.done();
  if (body.length + MAC_BYTES > MAX_MESSAGE_BYTES) {
    throw new HeartbeatEncodeError(`message of ${body.length + MAC_BYTES} bytes exceeds ${MAX_MESSAGE_BYTES}`);
  }
  return Buffer.concat([body, mac(key, body)]);
}

/**
 * Keys as KeyObjects, made once per key Buffer: an HMAC with a KeyObject costs ~6 us here, with a
 * raw Buffer ~35 us (the key is imported on every call), and a node at 100 members verifies ~1000
 * heartbeats a second. Key Buffers are read from the key file once and never written to.
 */
const keyObjects = new WeakMap<Buffer, KeyObject>();

function mac(key: Buffer, body: Uint8Array): Buffer {
  let k = keyObjects.get(key);
  if (!k) {
    k = createSecretKey(key);
    keyObjects.set(key, k);
  }
  return createHmac('sha256', k).update(body).digest();
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

/** The wire's bounds-checked cursor, throwing Short past the end; plus the codec's own fields. */
class Reader extends ByteCursor {
  protected shortInput(n: number): Error {
    return new Short(this.pos + n);
  }
  u64(): bigint {
    this.need(8);
    const v = this.buf.readBigUInt64BE(this.pos);
    this.pos += 8;
    return v;
  }
  /** The next n bytes, copied (the decoded message outlives the datagram's buffer). */
  copy(n: number): Uint8Array {
    return new Uint8Array(this.bytes(n));
  }
  name(what: string): string {
    const s = this.bytes(this.u8()).toString('latin1');
    if (!isNodeName(s)) throw new Invalid({ type: 'bad-name', what });
    return s;
  }
}

function readHeard(r: Reader): HeardField {
  const digest = r.u64();
  const enc = r.u8();
  let field: { type: 'bitmap'; members: number; bits: Uint8Array } | { type: 'hashes'; hashes: bigint[] };
  if (enc === 0) {
    const members = r.u16();
    const bits = r.copy(bitsetBytes(members));
    const pad = members % 8;
    if (pad !== 0 && ((bits[bits.length - 1] ?? 0) & (0xff >> pad)) !== 0) throw new Invalid({ type: 'bad-heard', what: 'bitmap padding bits set' });
    field = { type: 'bitmap', members, bits };
  } else if (enc === 1) {
    const count = r.u16();
    if (count * 8 > r.remaining) throw new Short(r.offset + count * 8);
    const hashes: bigint[] = [];
    let prev = -1n;
    for (let i = 0; i < count; i++) {
      const h = r.u64();
      if (h <= prev) throw new Invalid({ type: 'bad-heard', what: 'hashes not strictly ascending' });
      hashes.push(h);
      prev = h;
    }
    field = { type: 'hashes', hashes };
  } else throw new Invalid({ type: 'bad-heard', what: `unknown encoding ${enc}` });
  const extraCount = r.u8();
  const extra: string[] = [];
  for (let i = 0; i < extraCount; i++) extra.push(r.name('heard extra'));
  return { ...field, digest, extra };
}

function readIps(r: Reader): WireIP[] {
  const count = r.u16();
  if (count === 0) throw new Invalid({ type: 'bad-ips', what: 'empty address list' });
  if (count * 5 > r.remaining) throw new Short(r.offset + count * 5);
  const ips: WireIP[] = [];
  for (let i = 0; i < count; i++) {
    const fam = r.u8();
    if (fam !== 4 && fam !== 6) throw new Invalid({ type: 'bad-ips', what: `address ${i}: family ${fam}` });
    ips.push(r.copy(fam === 4 ? 4 : 16));
  }
  return ips;
}

function parseBody(b: Buffer): HeartbeatMessage {
  const r = new Reader(b);
  const magic = r.u16();
  if (magic !== MAGIC) throw new Invalid({ type: 'bad-magic', value: magic });
  const version = r.u8();
  if (version !== HEARTBEAT_VERSION) throw new Invalid({ type: 'bad-version', value: version });
  const code = r.u8();
  const type = (Object.keys(typeCodes) as HeartbeatType[]).find((t) => typeCodes[t] === code);
  if (!type) throw new Invalid({ type: 'bad-type', value: code });
  const flags = r.u8();
  const fenced = (flags & FLAG_FENCED) !== 0;
  const handover = (flags & FLAG_HANDOVER) !== 0;
  const incarnation = r.u64();
  const seq = r.u32();
  const sent = r.u64();
  if (sent > BigInt(Number.MAX_SAFE_INTEGER)) throw new Invalid({ type: 'bad-time', value: sent.toString() });
  const from = r.name('from');
  const heard = readHeard(r);
  const common = { from, incarnation, seq, sentAtMs: Number(sent) / 1000, fenced, handover, heard };
  let msg: HeartbeatMessage;
  if (type === 'announced') {
    const to = r.name('to');
    msg = { type, ...common, to, toIncarnation: r.u64() };
  } else if (type === 'released') {
    const to = r.name('to');
    const toIncarnation = r.u64();
    msg = { type, ...common, to, toIncarnation, ips: readIps(r) };
  } else if (type === 'claim') msg = { type, ...common, ips: readIps(r) };
  else msg = { type, ...common };
  if (r.remaining !== 0) throw new Invalid({ type: 'trailing-bytes', count: r.remaining });
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
    case 'bad-heard':
      return `bad heard list: ${e.what}`;
    case 'bad-ips':
      return `bad address list: ${e.what}`;
    case 'trailing-bytes':
      return `${e.count} trailing bytes`;
  }
}
