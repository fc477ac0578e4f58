// Stream framer: turns TCP chunks into whole BGP message frames. Frames inside one chunk are
// zero-copy views; bytes are copied only when a message straddles chunks.
import { checkHeader } from './message.js';
import { HEADER_LENGTH } from './types.js';

export class BgpFramer {
  /** Chunks of an incomplete message, oldest first. */
  private parts: Buffer[] = [];
  private partsLength = 0;

  /** Bytes held waiting for the rest of a message. */
  get buffered(): number {
    return this.partsLength;
  }

  /**
   * Adds a chunk and returns every complete frame. Throws DecodeError (header errors) on a bad
   * marker, type or length; the caller then sends the NOTIFICATION and closes.
   */
  push(chunk: Buffer): Buffer[] {
    let buf = chunk;
    if (this.partsLength > 0) {
      this.parts.push(chunk);
      this.partsLength += chunk.length;
      const need = this.needed();
      if (need === undefined || this.partsLength < need) return [];
      buf = Buffer.concat(this.parts, this.partsLength);
      this.parts = [];
      this.partsLength = 0;
    }
    const out: Buffer[] = [];
    let at = 0;
    while (buf.length - at >= HEADER_LENGTH) {
      const { length } = checkHeader(buf.subarray(at, at + HEADER_LENGTH));
      if (buf.length - at < length) break;
      out.push(buf.subarray(at, at + length));
      at += length;
    }
    if (at < buf.length) {
      this.parts = [buf.subarray(at)];
      this.partsLength = buf.length - at;
      if (this.partsLength >= HEADER_LENGTH) this.needed();
    }
    return out;
  }

  /** The full length of the pending message, once its header is in (validated). */
  private needed(): number | undefined {
    if (this.partsLength < HEADER_LENGTH) return undefined;
    const first = this.parts[0]!;
    const head = first.length >= HEADER_LENGTH ? first : Buffer.concat(this.parts, this.partsLength);
    return checkHeader(head.subarray(0, HEADER_LENGTH)).length;
  }
}
