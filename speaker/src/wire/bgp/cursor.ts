// A bounds-checked reader over a Buffer. Every read checks the length first and throws a
// DecodeError carrying the NOTIFICATION code/subcode the caller chose for short input.
import { DecodeError } from './errors.js';

export class Cursor {
  private pos = 0;

  constructor(
    private readonly buf: Buffer,
    /** NOTIFICATION code/subcode to report when input runs out. */
    private readonly code: number,
    private readonly subcode: number,
    private readonly what = 'message',
  ) {}

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (n < 0 || this.pos + n > this.buf.length) {
      throw new DecodeError(`${this.what}: need ${n} bytes at offset ${this.pos}, have ${this.remaining}`, this.code, this.subcode);
    }
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++]!;
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** A zero-copy view of the next n bytes. */
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  rest(): Buffer {
    return this.bytes(this.remaining);
  }
}
