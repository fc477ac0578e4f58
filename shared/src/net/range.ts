// Inclusive address ranges: what an IPAddressPool's `addresses` entries parse into. Sizes are
// bigints and iteration is lazy, so an IPv6 /64 is never materialised.
import { IP, NetParseError, familyName, type Family } from './ip.js';
import { Prefix } from './prefix.js';

export class IPRange {
  private constructor(
    readonly first: IP,
    readonly last: IP,
    /** The prefix this range came from, if it was written as a CIDR. */
    readonly prefix: Prefix | undefined,
  ) {}

  /** Parses a CIDR ("192.0.2.0/24") or a range ("192.0.2.10-192.0.2.20", spaces allowed). */
  static parse(s: string): IPRange {
    if (typeof s !== 'string' || s.trim() === '') throw new NetParseError('empty address range');
    const text = s.trim();
    if (text.includes('/')) {
      const p = Prefix.tryParse(text);
      if (!p) throw new NetParseError(`invalid CIDR ${JSON.stringify(s)}`);
      return IPRange.fromPrefix(p);
    }
    const dash = text.indexOf('-');
    if (dash < 0) {
      const ip = IP.tryParse(text);
      if (!ip) throw new NetParseError(`invalid address range ${JSON.stringify(s)}: want a CIDR or start-end`);
      return new IPRange(ip, ip, undefined);
    }
    const a = IP.tryParse(text.slice(0, dash).trim());
    const b = IP.tryParse(text.slice(dash + 1).trim());
    if (!a) throw new NetParseError(`invalid range start in ${JSON.stringify(s)}`);
    if (!b) throw new NetParseError(`invalid range end in ${JSON.stringify(s)}`);
    if (a.family !== b.family) {
      throw new NetParseError(`range ${JSON.stringify(s)} mixes ${familyName[a.family]} and ${familyName[b.family]}`);
    }
    if (a.compare(b) > 0) throw new NetParseError(`range ${JSON.stringify(s)} starts after it ends`);
    return new IPRange(a, b, undefined);
  }

  static fromPrefix(p: Prefix): IPRange {
    return new IPRange(p.first, p.last, p);
  }

  static of(first: IP, last: IP): IPRange {
    if (first.family !== last.family || first.compare(last) > 0) throw new NetParseError('invalid range bounds');
    return new IPRange(first, last, undefined);
  }

  get family(): Family {
    return this.first.family;
  }

  get size(): bigint {
    return this.last.value - this.first.value + 1n;
  }

  contains(ip: IP): boolean {
    return ip.family === this.family && ip.value >= this.first.value && ip.value <= this.last.value;
  }

  overlaps(o: IPRange): boolean {
    return o.family === this.family && o.first.value <= this.last.value && this.first.value <= o.last.value;
  }

  /** The i-th address (0-based), or undefined past the end. */
  at(i: bigint): IP | undefined {
    if (i < 0n || i >= this.size) return undefined;
    return IP.fromBigInt(this.family, this.first.value + i);
  }

  /** Addresses in order, lazily; stop early with `limit`. */
  *addresses(limit?: bigint): Generator<IP> {
    const end = limit === undefined || limit >= this.size ? this.size : limit;
    for (let i = 0n; i < end; i++) yield IP.fromBigInt(this.family, this.first.value + i);
  }

  /** The smallest set of CIDRs covering exactly this range. */
  toPrefixes(): Prefix[] {
    const out: Prefix[] = [];
    const bits = this.first.bits;
    let cur = this.first.value;
    const last = this.last.value;
    while (cur <= last) {
      let len = bits;
      // Grow the block while it stays aligned and inside the range.
      while (len > 0) {
        const size = 1n << BigInt(bits - len + 1);
        if ((cur & (size - 1n)) !== 0n || cur + size - 1n > last) break;
        len--;
      }
      out.push(Prefix.of(IP.fromBigInt(this.family, cur), len));
      cur += 1n << BigInt(bits - len);
    }
    return out;
  }

  /** The smallest prefix length (largest block) that covers the whole range. */
  get coveringPrefixLength(): number {
    const bits = this.first.bits;
    const diff = this.first.value ^ this.last.value;
    let len = bits;
    for (let d = diff; d > 0n; d >>= 1n) len--;
    return len;
  }

  toString(): string {
    if (this.prefix) return this.prefix.toString();
    return this.first.equals(this.last) ? this.first.toString() : `${this.first.toString()}-${this.last.toString()}`;
  }

  toJSON(): string {
    return this.toString();
  }
}
