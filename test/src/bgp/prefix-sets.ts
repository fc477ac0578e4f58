// Many distinct prefixes inside the documentation ranges, for load suites and benches. IPv4 has
// only two /24s to spare (198.51.100.0/24 and 203.0.113.0/24: 192.0.2.0/24 is the lab's link), so
// it takes every prefix /24 to /32 in them (1,022); IPv6 takes the rest from 2001:db8::/32, with
// several lengths so the NLRI encoding is exercised. Texts are canonical (Prefix.toString), as
// routers print them.
import { IP, Prefix } from '@herald/shared';

export const MAX_V4 = 1022;

function v4All(): string[] {
  const out: string[] = [];
  for (const base of ['198.51.100.0', '203.0.113.0']) {
    const b = IP.parse(base).value;
    for (let len = 32; len >= 24; len--) {
      for (let i = 0n; i < 1n << BigInt(len - 24); i++) out.push(Prefix.of(IP.fromBigInt(4, b + (i << BigInt(32 - len))), len).toString());
    }
  }
  return out;
}

/** The i-th IPv6 prefix: mostly /128s, every 7th a /64, every 13th a /56 (all distinct). */
function v6(i: number): string {
  const base = 0x20010db8n << 96n;
  const n = BigInt(i);
  if (i % 13 === 0) return Prefix.of(IP.fromBigInt(6, base | (0x300n << 80n) | (n << 72n)), 56).toString();
  if (i % 7 === 0) return Prefix.of(IP.fromBigInt(6, base | (0x200n << 80n) | (n << 64n)), 64).toString();
  return Prefix.of(IP.fromBigInt(6, base | (0x100n << 80n) | n), 128).toString();
}

/** `count` distinct prefixes: min(v4, 1022) IPv4 first, then IPv6. */
export function prefixSet(count: number, v4 = MAX_V4): string[] {
  const four = v4All().slice(0, Math.min(v4, MAX_V4, count));
  return [...four, ...Array.from({ length: count - four.length }, (_, i) => v6(i))];
}
