// The BFD codec's cursor: a ByteCursor whose short-input error is a BfdDropError('truncated').
import { ByteCursor } from '../byte-cursor.js';
import { BfdDropError } from './errors.js';

export class Cursor extends ByteCursor {
  protected shortInput(n: number): Error {
    return new BfdDropError({ type: 'truncated', need: this.pos + n, have: this.buf.length });
  }
}
