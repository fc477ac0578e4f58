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

/** RFC 5952 text of eight 16-bit groups (the longest run of two or more zero groups, the first
 * on a tie, becomes "::"), without the URL parse canonicalV6 needs: allocation calls it a lot. */
export function formatV6(groups: readonly number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (a: number, b: number): string => groups.slice(a, b).map((g) => g.toString(16)).join(':');
  if (best < 0) return hex(0, 8);
  return `${hex(0, best)}::${hex(best + bestLen, 8)}`;
}

/** A CIDR range a service allocator hands addresses out of. */
export interface IpRange {
  readonly family: Family;
  readonly cidr: string;
  /** Allocatable addresses are at(1) .. at(slots - 1) (0 is the network address). */
  readonly slots: number;
  /** Is this address inside the range (and not network/broadcast for v4)? */
  contains(ip: string): boolean;
  /** The address at offset i of the range. */
  at(i: number): string;
  /**
   * Next-fit: the first address from offset `from` on (wrapping once round the range) for which
   * `used` is false, with its offset; undefined if the range is full. A cursor that moves past
   * each allocation makes a run of creates O(1) each, where lowest-free rescans the taken prefix.
   */
  allocate(used: (ip: string) => boolean, from: number): { ip: string; index: number } | undefined;
  canonical(ip: string): string;
}

function nextFit(slots: number, at: (i: number) => string, used: (ip: string) => boolean, from: number): { ip: string; index: number } | undefined {
  const n = slots - 1;
  if (n <= 0) return undefined;
  const first = from >= 1 && from < slots ? from : 1;
  for (let k = 0; k < n; k++) {
    const i = ((first - 1 + k) % n) + 1;
    const ip = at(i);
    if (!used(ip)) return { ip, index: i };
  }
  return undefined;
}

export function parseRange(cidr: string): IpRange {
  const [addr = '', lenS = ''] = cidr.split('/');
  const len = Number(lenS);
  if (isIPv4(addr) && len >= 16 && len <= 30) {
    const size = 2 ** (32 - len);
    const base = v4ToInt(addr) - (v4ToInt(addr) % size);
    const at = (i: number): string => intToV4(base + i);
    const slots = size - 1;
    return {
      family: 'IPv4', cidr, slots, at,
      contains: (ip) => isIPv4(ip) && v4ToInt(ip) > base && v4ToInt(ip) < base + size - 1,
      allocate: (used, from) => nextFit(slots, at, used, from),
      canonical: (ip) => ip,
    };
  }
  if (isIPv6(addr) && len >= 96 && len <= 126 && len % 16 === 0) {
    const keep = len / 16;
    const prefix = v6Groups(canonicalV6(addr)).slice(0, keep);
    const size = 2 ** (128 - len);
    const at = (n: number): string => {
      const groups = [...prefix];
      for (let g = keep; g < 8; g++) groups.push(Math.floor(n / 2 ** (16 * (7 - g))) % 65536);
      return formatV6(groups);
    };
    const slots = Math.min(size, 65536);
    return {
      family: 'IPv6', cidr, slots, at,
      contains: (ip) => isIPv6(ip) && v6Groups(canonicalV6(ip)).slice(0, keep).every((g, i) => g === prefix[i]),
      allocate: (used, from) => nextFit(slots, at, used, from),
      canonical: canonicalV6,
    };
  }
  throw new Error(`unsupported service range ${cidr}: want an IPv4 /16-/30 or an IPv6 /96-/126 on a 16-bit boundary`);
}
