// A bounds-checked reader over a byte buffer. Every read checks the length first and throws a
// WireError (a typed reason, never a RangeError or undefined) on short input. Views are made with
// subarray, so decoding copies nothing.

/** Why a frame could not be decoded. */
export type WireErrorReason =
  | { readonly type: 'truncated'; readonly what: string; readonly need: number; readonly have: number }
  | { readonly type: 'unsupported'; readonly what: string; readonly value: number }
  | { readonly type: 'bad-length'; readonly what: string; readonly value: number }
  | { readonly type: 'bad-checksum'; readonly want: number; readonly got: number }
  | { readonly type: 'bad-option'; readonly what: string };

function describe(r: WireErrorReason): string {
  switch (r.type) {
    case 'truncated':
      return `${r.what}: truncated, need ${r.need} bytes, have ${r.have}`;
    case 'unsupported':
      return `${r.what}: unsupported value ${r.value}`;
    case 'bad-length':
      return `${r.what}: bad length ${r.value}`;
    case 'bad-checksum':
      return `bad checksum 0x${r.got.toString(16)}, want 0x${r.want.toString(16)}`;
    case 'bad-option':
      return `bad option: ${r.what}`;
  }
}

export class WireError extends Error {
  override readonly name = 'WireError';
  constructor(
    readonly reason: WireErrorReason,
    options?: ErrorOptions,
  ) {
    super(describe(reason), options);
  }
}

export class Cursor {
  private pos = 0;

  constructor(
    private readonly buf: Buffer,
    /** Names the structure being read, for error messages. */
    private readonly what: string,
  ) {}

  static of(b: Uint8Array, what: string): Cursor {
    return new Cursor(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength), what);
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  private need(n: number): void {
    if (n > this.remaining) throw new WireError({ type: 'truncated', what: this.what, need: this.pos + n, have: this.buf.length });
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

  /** Peeks at a 16-bit value without consuming it. */
  peekU16(): number {
    this.need(2);
    return this.buf.readUInt16BE(this.pos);
  }

  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** Everything left, as a view. */
  rest(): Buffer {
    const v = this.buf.subarray(this.pos);
    this.pos = this.buf.length;
    return v;
  }
}
