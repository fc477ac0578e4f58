// Tiny IP helpers for the service allocators: parse, canonicalise and test range membership.
// (Only within the API server; Herald's own address model lives in @herald/shared.)

import { isIPv4, isIPv6 } from 'node:net';

export type Family = 'IPv4' | 'IPv6';

export function familyOf(ip: string): Family | undefined {
  if (isIPv4(ip)) return 'IPv4';
  if (isIPv6(ip)) return 'IPv6';
  return undefined;
}

export function v4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}

export function intToV4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** The eight 16-bit groups of an IPv6 address. */
export function v6Groups(ip: string): number[] {
  const [head = '', tail] = ip.split('::');
  const part = (s: string): number[] => (s === '' ? [] : s.split(':').map((h) => parseInt(h, 16)));
  const h = part(head);
  if (tail === undefined) return h;
  const t = part(tail);
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

export function canonicalV6(ip: string): string {
  return new URL(`http://[${ip}]/`).hostname.replace(/^\[|\]$/g, '');
}

/** A CIDR range a service allocator hands addresses out of. */
export interface IpRange {
  readonly family: Family;
  readonly cidr: string;
  /** Is this address inside the range (and not network/broadcast for v4)? */
  contains(ip: string): boolean;
  /** Lowest free address not in `used`, or undefined if the range is full. */
  allocate(used: ReadonlySet<string>): string | undefined;
  canonical(ip: string): string;
}

export function parseRange(cidr: string): IpRange {
  const [addr = '', lenS = ''] = cidr.split('/');
  const len = Number(lenS);
  if (isIPv4(addr) && len >= 16 && len <= 30) {
    const size = 2 ** (32 - len);
    const base = v4ToInt(addr) - (v4ToInt(addr) % size);
    return {
      family: 'IPv4', cidr,
      contains: (ip) => isIPv4(ip) && v4ToInt(ip) > base && v4ToInt(ip) < base + size - 1,
      allocate: (used) => {
        for (let i = 1; i < size - 1; i++) if (!used.has(intToV4(base + i))) return intToV4(base + i);
        return undefined;
      },
      canonical: (ip) => ip,
    };
  }
  if (isIPv6(addr) && len >= 96 && len <= 126 && len % 16 === 0) {
    const keep = len / 16;
    const prefix = v6Groups(canonicalV6(addr)).slice(0, keep);
    const size = 2 ** (128 - len);
    const make = (n: number): string => {
      const groups = [...prefix];
      for (let g = keep; g < 8; g++) groups.push(Math.floor(n / 2 ** (16 * (7 - g))) % 65536);
      return canonicalV6(groups.map((x) => x.toString(16)).join(':'));
    };
    return {
      family: 'IPv6', cidr,
      contains: (ip) => isIPv6(ip) && v6Groups(canonicalV6(ip)).slice(0, keep).every((g, i) => g === prefix[i]),
      allocate: (used) => {
        for (let i = 1; i < Math.min(size, 65536); i++) if (!used.has(make(i))) return make(i);
        return undefined;
      },
      canonical: canonicalV6,
    };
  }
  throw new Error(`unsupported service range ${cidr}: want an IPv4 /16-/30 or an IPv6 /96-/126 on a 16-bit boundary`);
}
