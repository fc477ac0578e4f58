// IP addresses as values: a family and a bigint. The only place (with prefix.ts and range.ts)
// that imports ip-address; everything else in Herald uses these types.
import { Address4, Address6 } from 'ip-address';

export type Family = 4 | 6;

export const familyBits: Record<Family, number> = { 4: 32, 6: 128 };
export const familyName: Record<Family, 'IPv4' | 'IPv6'> = { 4: 'IPv4', 6: 'IPv6' };

export class NetParseError extends Error {
  override readonly name = 'NetParseError';
}

const v4Re = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * Canonical texts, computed once per IP object (ip-address's formatting is slow, and a speaker
 * pass formats thousands of addresses). Beside the object, not on it, so two equal IPs stay
 * deep-equal whether or not one was printed.
 */
const texts = new WeakMap<IP, string>();

/** An immutable IP address. Compare with `equals`/`compare`, key maps with `key`. */
export class IP {
  private constructor(
    readonly family: Family,
    readonly value: bigint,
  ) {}

  static parse(s: string): IP {
    const ip = IP.tryParse(s);
    if (!ip) throw new NetParseError(`invalid IP address ${JSON.stringify(s)}`);
    return ip;
  }

  static tryParse(s: string): IP | undefined {
    if (typeof s !== 'string' || s.length === 0 || s.length > 64) return undefined;
    if (s.includes(':')) {
      if (s.includes('/') || s.includes('%')) return undefined;
      // One parse: the constructor throws on invalid text (isValid() would parse it twice).
      try {
        return new IP(6, new Address6(s).bigInt());
      } catch {
        return undefined;
      }
    }
    if (!v4Re.test(s)) return undefined;
    return new IP(4, new Address4(s).bigInt());
  }

  static fromBigInt(family: Family, value: bigint): IP {
    if (value < 0n || value >= 1n << BigInt(familyBits[family])) {
      throw new NetParseError(`value out of range for ${familyName[family]}`);
    }
    return new IP(family, value);
  }

  /** From 4 or 16 network-order bytes. */
  static fromBytes(b: Uint8Array): IP {
    if (b.length !== 4 && b.length !== 16) throw new NetParseError(`an IP address is 4 or 16 bytes, not ${b.length}`);
    let v = 0n;
    for (const x of b) v = (v << 8n) | BigInt(x);
    return new IP(b.length === 4 ? 4 : 6, v);
  }

  get bits(): number {
    return familyBits[this.family];
  }

  toBytes(): Buffer {
    const n = this.bits / 8;
    const out = Buffer.alloc(n);
    let v = this.value;
    for (let i = n - 1; i >= 0; i--) {
      out[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    return out;
  }

  /** Canonical text: dotted quad, or RFC 5952 compressed IPv6. */
  toString(): string {
    let t = texts.get(this);
    if (t === undefined) {
      t = this.family === 4 ? Address4.fromBigInt(this.value).correctForm() : Address6.fromBigInt(this.value).correctForm();
      texts.set(this, t);
    }
    return t;
  }

  /** A string usable as a map key (family-qualified, cheap). */
  get key(): string {
    return `${this.family}:${this.value.toString(16)}`;
  }

  equals(o: IP): boolean {
    return this.family === o.family && this.value === o.value;
  }

  /** Orders IPv4 before IPv6, then numerically. */
  compare(o: IP): number {
    if (this.family !== o.family) return this.family - o.family;
    return this.value < o.value ? -1 : this.value > o.value ? 1 : 0;
  }

  /** The address n steps on; undefined past the end of the family. */
  add(n: bigint): IP | undefined {
    const v = this.value + n;
    if (v < 0n || v >= 1n << BigInt(this.bits)) return undefined;
    return new IP(this.family, v);
  }

  /** IPv6 link-local (fe80::/10). */
  get isLinkLocal(): boolean {
    return this.family === 6 && this.value >> 118n === 0x3fan;
  }

  toJSON(): string {
    return this.toString();
  }
}

export function compareIP(a: IP, b: IP): number {
  return a.compare(b);
}
