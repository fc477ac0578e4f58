// AS_PATH and AS4_PATH segments (RFC 4271 §4.3, RFC 6793). ASNs are 2 or 4 bytes on the wire
// depending on whether both sides negotiated the 4-octet AS capability.
import { Cursor } from './cursor.js';
import { DecodeError, ErrorCode, UpdateSubcode } from './errors.js';
import { AS_TRANS, type AsPathSegment } from './types.js';

const SEG_SET = 1;
const SEG_SEQUENCE = 2;

export function encodeAsPath(segs: readonly AsPathSegment[], asnBytes: 2 | 4): Buffer {
  const out: Buffer[] = [];
  for (const s of segs) {
    for (let i = 0; i < s.asns.length || i === 0; i += 255) {
      const chunk = s.asns.slice(i, i + 255);
      if (chunk.length === 0) break;
      const b = Buffer.alloc(2 + chunk.length * asnBytes);
      b[0] = s.type === 'set' ? SEG_SET : SEG_SEQUENCE;
      b[1] = chunk.length;
      chunk.forEach((asn, j) => {
        if (asnBytes === 4) b.writeUInt32BE(asn >>> 0, 2 + j * 4);
        else b.writeUInt16BE(asn > 0xffff ? AS_TRANS : asn, 2 + j * 2);
      });
      out.push(b);
    }
  }
  return Buffer.concat(out);
}

export function decodeAsPath(buf: Buffer, asnBytes: 2 | 4): AsPathSegment[] {
  const c = new Cursor(buf, ErrorCode.updateMessage, UpdateSubcode.malformedAsPath, 'AS_PATH');
  const out: AsPathSegment[] = [];
  while (c.remaining > 0) {
    const t = c.u8();
    const n = c.u8();
    if ((t !== SEG_SET && t !== SEG_SEQUENCE) || n === 0) {
      throw new DecodeError(`AS_PATH segment type ${t} length ${n}`, ErrorCode.updateMessage, UpdateSubcode.malformedAsPath);
    }
    const asns: number[] = [];
    for (let i = 0; i < n; i++) asns.push(asnBytes === 4 ? c.u32() : c.u16());
    out.push({ type: t === SEG_SET ? 'set' : 'sequence', asns });
  }
  return out;
}

export function needsAs4Path(segs: readonly AsPathSegment[]): boolean {
  return segs.some((s) => s.asns.some((a) => a > 0xffff));
}

function pathCount(segs: readonly AsPathSegment[]): number {
  return segs.reduce((n, s) => n + (s.type === 'set' ? 1 : s.asns.length), 0);
}

/** RFC 6793 §4.2.3: rebuild the real path from a 2-byte AS_PATH and an AS4_PATH. */
export function mergeAs4Path(asPath: readonly AsPathSegment[], as4Path: readonly AsPathSegment[]): AsPathSegment[] {
  const total = pathCount(asPath);
  const four = pathCount(as4Path);
  if (total < four) return [...asPath];
  let keep = total - four;
  const out: AsPathSegment[] = [];
  for (const s of asPath) {
    if (keep <= 0) break;
    if (s.type === 'set') {
      out.push(s);
      keep -= 1;
    } else {
      const take = s.asns.slice(0, keep);
      out.push({ type: 'sequence', asns: take });
      keep -= take.length;
    }
  }
  return [...out, ...as4Path];
}
