// CIDR prefixes.
import { IP, NetParseError, familyBits, type Family } from './ip.js';

export class Prefix {
  private constructor(
    /** The network address (host bits zero). */
    readonly network: IP,
    readonly length: number,
  ) {}

  /**
   * Parses "192.0.2.0/24" or "2001:db8::/64". Host bits are masked off, as Go's ParseCIDR does
   * (MetalLB parity); use `hadHostBits` to warn about them.
   */
  static parse(s: string): Prefix {
    const p = Prefix.tryParse(s);
    if (!p) throw new NetParseError(`invalid CIDR ${JSON.stringify(s)}`);
    return p;
  }

  static tryParse(s: string): Prefix | undefined {
    if (typeof s !== 'string') return undefined;
    const slash = s.indexOf('/');
    if (slash < 0) return undefined;
    const ip = IP.tryParse(s.slice(0, slash));
    const lenText = s.slice(slash + 1);
    if (!ip || !/^(0|[1-9]\d{0,2})$/.test(lenText)) return undefined;
    const len = Number(lenText);
    if (len > familyBits[ip.family]) return undefined;
    return Prefix.of(ip, len);
  }

  static of(ip: IP, length: number): Prefix {
    const bits = familyBits[ip.family];
    if (!Number.isInteger(length) || length < 0 || length > bits) {
      throw new NetParseError(`invalid prefix length ${length} for ${ip.family === 4 ? 'IPv4' : 'IPv6'}`);
    }
    // A host prefix keeps the IP object itself (its text is then formatted once, see ip.ts).
    return new Prefix(length === bits ? ip : IP.fromBigInt(ip.family, ip.value & Prefix.mask(ip.family, length)), length);
  }

  /** True if the text had host bits set ("192.0.2.5/24"). */
  static hadHostBits(s: string): boolean {
    const slash = s.indexOf('/');
    const ip = IP.tryParse(s.slice(0, slash));
    const p = Prefix.tryParse(s);
    return !!ip && !!p && !ip.equals(p.network);
  }

  static mask(family: Family, length: number): bigint {
    const bits = BigInt(familyBits[family]);
    const all = (1n << bits) - 1n;
    return all ^ ((1n << (bits - BigInt(length))) - 1n);
  }

  get family(): Family {
    return this.network.family;
  }

  get first(): IP {
    return this.network;
  }

  get last(): IP {
    const hostBits = BigInt(familyBits[this.family] - this.length);
    return IP.fromBigInt(this.family, this.network.value | ((1n << hostBits) - 1n));
  }

  /** Number of addresses (a bigint: an IPv6 /64 is 2^64). */
  get size(): bigint {
    return 1n << BigInt(familyBits[this.family] - this.length);
  }

  contains(ip: IP): boolean {
    return ip.family === this.family && (ip.value & Prefix.mask(this.family, this.length)) === this.network.value;
  }

  /** The prefix of the given length that contains ip (aggregation). */
  static containing(ip: IP, length: number): Prefix {
    return Prefix.of(ip, length);
  }

  equals(o: Prefix): boolean {
    return this.length === o.length && this.network.equals(o.network);
  }

  toString(): string {
    return `${this.network.toString()}/${this.length}`;
  }

  toJSON(): string {
    return this.toString();
  }
}
