// The L2 codecs' cursor: a ByteCursor whose short-input error is a WireError with a typed reason.
import { ByteCursor } from './byte-cursor.js';

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

export class Cursor extends ByteCursor {
  constructor(
    buf: Buffer,
    /** Names the structure being read, for error messages. */
    private readonly what: string,
  ) {
    super(buf);
  }

  static of(b: Uint8Array, what: string): Cursor {
    return new Cursor(Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength), what);
  }

  protected shortInput(n: number): Error {
    return new WireError({ type: 'truncated', what: this.what, need: this.pos + n, have: this.buf.length });
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
}
