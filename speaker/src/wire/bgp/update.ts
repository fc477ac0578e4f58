// UPDATE body (RFC 4271 §4.3): withdrawn routes, path attributes, NLRI (IPv4 only; IPv6 travels
// in MP_REACH_NLRI / MP_UNREACH_NLRI).
import { Cursor } from './cursor.js';
import { decodeAttributes, encodeAttributes } from './attributes.js';
import { DecodeError, ErrorCode, UpdateSubcode } from './errors.js';
import { decodePrefixes, encodePrefixes } from './nlri.js';
import type { CodecContext, UpdateMessage } from './types.js';

export function encodeUpdateBody(m: UpdateMessage, ctx: CodecContext): Buffer {
  const withdrawn = encodePrefixes(m.withdrawn);
  const attrs = encodeAttributes(m.attributes, ctx);
  const nlri = encodePrefixes(m.nlri);
  const out = Buffer.alloc(4 + withdrawn.length + attrs.length + nlri.length);
  out.writeUInt16BE(withdrawn.length, 0);
  withdrawn.copy(out, 2);
  out.writeUInt16BE(attrs.length, 2 + withdrawn.length);
  attrs.copy(out, 4 + withdrawn.length);
  nlri.copy(out, 4 + withdrawn.length + attrs.length);
  return out;
}

export function decodeUpdateBody(body: Buffer, ctx: CodecContext): UpdateMessage {
  const c = new Cursor(body, ErrorCode.updateMessage, UpdateSubcode.malformedAttributeList, 'UPDATE');
  const wlen = c.u16();
  if (wlen > c.remaining - 2) {
    throw new DecodeError(`withdrawn routes length ${wlen} too large`, ErrorCode.updateMessage, UpdateSubcode.malformedAttributeList);
  }
  const withdrawn = decodePrefixes(c.bytes(wlen), 4);
  const alen = c.u16();
  if (alen > c.remaining) {
    throw new DecodeError(`total attribute length ${alen} too large`, ErrorCode.updateMessage, UpdateSubcode.malformedAttributeList);
  }
  const attrBuf = c.bytes(alen);
  const nlri = decodePrefixes(c.rest(), 4);
  const d = decodeAttributes(attrBuf, ctx, nlri.length > 0);
  return {
    type: 'update',
    withdrawn,
    attributes: d.attributes,
    nlri,
    ...(d.treatAsWithdraw ? { treatAsWithdraw: d.treatAsWithdraw } : {}),
    ...(d.discarded.length ? { discarded: d.discarded } : {}),
  };
}
