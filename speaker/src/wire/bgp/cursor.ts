// The BGP codec's cursor: a ByteCursor whose short-input error is a DecodeError carrying the
// NOTIFICATION code/subcode the caller chose.
import { ByteCursor } from '../byte-cursor.js';
import { DecodeError } from './errors.js';

export class Cursor extends ByteCursor {
  constructor(
    buf: Buffer,
    /** NOTIFICATION code/subcode to report when input runs out. */
    private readonly code: number,
    private readonly subcode: number,
    private readonly what = 'message',
  ) {
    super(buf);
  }

  protected shortInput(n: number): Error {
    return new DecodeError(`${this.what}: need ${n} bytes at offset ${this.pos}, have ${this.remaining}`, this.code, this.subcode);
  }
}
