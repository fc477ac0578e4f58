// Whole messages: the 19-byte header (marker, length, type) and dispatch to each body codec.
import { Cursor } from './cursor.js';
import { DecodeError, ErrorCode, HeaderSubcode } from './errors.js';
import { decodeOpenBody, encodeOpenBody } from './open.js';
import { decodeUpdateBody, encodeUpdateBody } from './update.js';
import { HEADER_LENGTH, MAX_MESSAGE_LENGTH, MessageType, type BgpMessage, type CodecContext } from './types.js';

const MARKER = Buffer.alloc(16, 0xff);
const minLength: Record<number, number> = {
  [MessageType.open]: 29,
  [MessageType.update]: 23,
  [MessageType.notification]: 21,
  [MessageType.keepalive]: 19,
  [MessageType.routeRefresh]: 23,
};

export const defaultContext: CodecContext = { fourOctetAs: true };

function body(m: BgpMessage, ctx: CodecContext): [number, Buffer] {
  switch (m.type) {
    case 'open':
      return [MessageType.open, encodeOpenBody(m)];
    case 'update':
      return [MessageType.update, encodeUpdateBody(m, ctx)];
    case 'notification': {
      const b = Buffer.alloc(2 + m.data.length);
      b[0] = m.code;
      b[1] = m.subcode;
      m.data.copy(b, 2);
      return [MessageType.notification, b];
    }
    case 'keepalive':
      return [MessageType.keepalive, Buffer.alloc(0)];
    case 'route-refresh': {
      const b = Buffer.alloc(4);
      b.writeUInt16BE(m.afi, 0);
      b[3] = m.safi;
      return [MessageType.routeRefresh, b];
    }
  }
}

export function encodeMessage(m: BgpMessage, ctx: CodecContext = defaultContext): Buffer {
  const [type, b] = body(m, ctx);
  const len = HEADER_LENGTH + b.length;
  if (len > MAX_MESSAGE_LENGTH) throw new DecodeError(`message of ${len} bytes exceeds ${MAX_MESSAGE_LENGTH}`, ErrorCode.messageHeader, HeaderSubcode.badMessageLength);
  const out = Buffer.alloc(len);
  MARKER.copy(out, 0);
  out.writeUInt16BE(len, 16);
  out[18] = type;
  b.copy(out, HEADER_LENGTH);
  return out;
}

function lengthData(len: number): Buffer {
  const d = Buffer.alloc(2);
  d.writeUInt16BE(len & 0xffff, 0);
  return d;
}

/** Checks a header; returns the message length and type. Throws a header DecodeError. */
export function checkHeader(buf: Buffer): { length: number; type: number } {
  if (buf.length < HEADER_LENGTH) throw new DecodeError('short header', ErrorCode.messageHeader, HeaderSubcode.badMessageLength);
  if (!buf.subarray(0, 16).equals(MARKER)) {
    throw new DecodeError('marker is not all ones', ErrorCode.messageHeader, HeaderSubcode.connectionNotSynchronized);
  }
  const length = buf.readUInt16BE(16);
  const type = buf[18]!;
  const min = minLength[type];
  if (min === undefined) throw new DecodeError(`bad message type ${type}`, ErrorCode.messageHeader, HeaderSubcode.badMessageType, Buffer.from([type]));
  if (length < min || length > MAX_MESSAGE_LENGTH || (type === MessageType.keepalive && length !== HEADER_LENGTH)) {
    throw new DecodeError(`bad message length ${length} for type ${type}`, ErrorCode.messageHeader, HeaderSubcode.badMessageLength, lengthData(length));
  }
  return { length, type };
}

/** Decodes one whole message (exactly one frame, header included). */
export function decodeMessage(frame: Buffer, ctx: CodecContext = defaultContext): BgpMessage {
  const { length, type } = checkHeader(frame);
  if (length !== frame.length) {
    throw new DecodeError(`frame is ${frame.length} bytes, header says ${length}`, ErrorCode.messageHeader, HeaderSubcode.badMessageLength, lengthData(length));
  }
  const b = frame.subarray(HEADER_LENGTH);
  switch (type) {
    case MessageType.open:
      return decodeOpenBody(b);
    case MessageType.update:
      return decodeUpdateBody(b, ctx);
    case MessageType.notification: {
      const c = new Cursor(b, ErrorCode.messageHeader, HeaderSubcode.badMessageLength, 'NOTIFICATION');
      return { type: 'notification', code: c.u8(), subcode: c.u8(), data: Buffer.from(c.rest()) };
    }
    case MessageType.keepalive:
      return { type: 'keepalive' };
    default: {
      if (b.length !== 4) throw new DecodeError('ROUTE-REFRESH length', ErrorCode.routeRefresh, 1, Buffer.from(frame));
      return { type: 'route-refresh', afi: b.readUInt16BE(0), safi: b[3]! };
    }
  }
}
