// The bounds-checked reader every wire decoder uses: each read checks the length first and
// throws the protocol's own error (made by `shortInput`) on short input, never a RangeError or
// undefined. Views are made with subarray, so decoding copies nothing.

export abstract class ByteCursor {
  protected pos = 0;

  constructor(protected readonly buf: Buffer) {}

  /** The error to throw when n more bytes are needed than remain. */
  protected abstract shortInput(n: number): Error;

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  protected need(n: number): void {
    if (n < 0 || n > this.remaining) throw this.shortInput(n);
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

  /** The next n bytes as a view (no copy). */
  bytes(n: number): Buffer {
    this.need(n);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** Everything left, as a view. */
  rest(): Buffer {
    return this.bytes(this.remaining);
  }
}
