// Who a heartbeat says its sender hears, in a form that stays small at 100+ members. Pure.
//
// Both ends index the member set (nodes with a speaker Lease) the same way: names sorted by byte
// order. A heartbeat carries a bitmap over that order (13 bytes at 100 members) with the 64-bit
// digest of the set; a receiver reads it only when its own set has the same digest. A peer whose
// latest list reported another digest (a join or a GC that one informer has seen and another not
// yet) gets the same message with 64-bit name hashes instead (800 bytes for 100 members), and
// with the newest members by name as far as one datagram has room: a receiver may have to count
// a reported speaker it does not know as live (strangers.ts), and can do that only with its name.
// Heard speakers outside the sender's member set always go by name (`extra`).
//
// Collisions. Both misreadings would matter for invariant (I): a receiver that reads itself as
// named when it is not keeps a link that does not exist, and an observer that reads a subject as
// left out when it was named counts a run of omissions that never happened. So:
// - a bitmap is read only when the digests are equal: a misreading needs two different member
//   sets with the same SHA-256-derived 64-bit digest;
// - a hash that two of our own members share makes the whole list unreadable (as a bitmap over
//   another set is): it neither refreshes a link nor extends a run;
// - what is left is a member of the sender's set that is not in ours, whose hash equals one of
//   ours: about (extra members) x n / 2^64, under 1e-15 at 100 members, and only while the two
//   member sets disagree (one informer lag).
import { createHash } from 'node:crypto';

export type Bitset = Uint8Array;

export type HeardField =
  | {
    readonly type: 'bitmap';
    /** Digest of the sender's sorted member set. */
    readonly digest: bigint;
    /** Size of the sender's member set (the bitmap's length in bits). */
    readonly members: number;
    /** Bit i (MSB first) set: the sender hears the i-th name of its sorted member set. */
    readonly bits: Uint8Array;
    /** Heard speakers outside the sender's member set, by name. */
    readonly extra: readonly string[];
  }
  | {
    readonly type: 'hashes';
    readonly digest: bigint;
    /** 64-bit hashes (nameHash) of the heard members, strictly ascending. */
    readonly hashes: readonly bigint[];
    readonly extra: readonly string[];
  };

/** A received heard-list read against our own member index. */
export type ResolvedHeard =
  | { readonly known: true; readonly bits: Bitset; readonly extra: readonly string[]; readonly unresolved: number }
  /**
   * A bitmap over a member set that differs from ours, or a hash two of our members share:
   * nothing can be read from it but `extra`.
   */
  | { readonly known: false; readonly extra: readonly string[] };

export function bitsetBytes(n: number): number {
  return (n + 7) >> 3;
}

export function hasBit(b: Bitset, i: number): boolean {
  return ((b[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0;
}

export function setBit(b: Bitset, i: number): void {
  b[i >> 3] = (b[i >> 3] ?? 0) | (0x80 >> (i & 7));
}

/** Calls fn(i) for every bit that differs between a and b (same length), in order. */
export function forEachChangedBit(a: Bitset, b: Bitset, fn: (i: number) => void): void {
  for (let byte = 0; byte < a.length; byte++) {
    let x = (a[byte] ?? 0) ^ (b[byte] ?? 0);
    while (x !== 0) {
      const hi = Math.clz32(x) - 24;
      fn(byte * 8 + hi);
      x &= ~(0x80 >> hi);
    }
  }
}

function sha64(...parts: string[]): bigint {
  const h = createHash('sha256');
  for (const p of parts) h.update(p, 'latin1');
  return h.digest().readBigUInt64BE(0);
}

/** The 64-bit hash a heard member goes by in the hashes encoding. */
export function nameHash(name: string): bigint {
  return sha64('herald-heard-name\0', name);
}

/** Our sorted member set, its digest, and lookups by name and by hash. Immutable. */
export class MemberIndex {
  readonly names: readonly string[];
  readonly digest: bigint;
  private readonly pos = new Map<string, number>();
  private readonly byHash = new Map<bigint, number>();
  private readonly clash = new Set<bigint>();
  private readonly hashes: bigint[] = [];

  /** `hash` is nameHash on the wire; tests pass a weak one to force collisions. */
  constructor(names: Iterable<string>, hash: (name: string) => bigint = nameHash) {
    this.names = [...new Set(names)].sort();
    this.digest = sha64('herald-member-set\0', this.names.join('\n'));
    const clash = this.clash;
    this.names.forEach((n, i) => {
      this.pos.set(n, i);
      const h = hash(n);
      this.hashes.push(h);
      if (this.byHash.has(h)) clash.add(h);
      this.byHash.set(h, i);
    });
    for (const h of clash) this.byHash.delete(h);
  }

  get size(): number {
    return this.names.length;
  }

  indexOf(name: string): number | undefined {
    return this.pos.get(name);
  }

  indexOfHash(h: bigint): number | undefined {
    return this.byHash.get(h);
  }

  /** Two or more of our members have this hash. */
  isClash(h: bigint): boolean {
    return this.clash.has(h);
  }

  hashAt(i: number): bigint {
    return this.hashes[i] ?? 0n;
  }

  /** True when `names` is exactly this set. */
  sameAs(names: Iterable<string>): boolean {
    let n = 0;
    for (const name of names) {
      if (!this.pos.has(name)) return false;
      n++;
    }
    return n === this.size;
  }
}

/**
 * Our heard set (a bitset over `index`, plus names outside it) as a wire field. For 'hashes',
 * heard members in `byName` order go by name while `nameBudget` bytes (beyond what their hashes
 * would take) last, the rest as hashes.
 */
export function toHeardField(
  index: MemberIndex, heard: Bitset, extra: readonly string[], type: 'bitmap' | 'hashes',
  names: { readonly byName?: readonly number[]; readonly nameBudget?: number } = {},
): HeardField {
  if (type === 'bitmap') return { type, digest: index.digest, members: index.size, bits: heard.slice(0, bitsetBytes(index.size)), extra: [...extra].sort() };
  const named = new Set<number>();
  let budget = names.nameBudget ?? 0;
  for (const i of names.byName ?? []) {
    const name = index.names[i];
    if (name === undefined || !hasBit(heard, i) || named.has(i) || extra.length + named.size >= 255) continue;
    const cost = 1 + name.length - 8;
    if (cost > budget) continue;
    budget -= cost;
    named.add(i);
  }
  const ex = [...extra, ...[...named].map((i) => index.names[i] ?? '')].sort();
  const hashes: bigint[] = [];
  for (let i = 0; i < index.size; i++) if (hasBit(heard, i) && !named.has(i)) hashes.push(index.hashAt(i));
  hashes.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { type, digest: index.digest, hashes, extra: ex };
}

/** Reads a received heard-list (a wire field, or plain names from tests) against our index. */
export function resolveHeard(index: MemberIndex, heard: HeardField | readonly string[]): ResolvedHeard {
  const bits = new Uint8Array(bitsetBytes(index.size));
  const extra: string[] = [];
  const addName = (name: string): void => {
    const i = index.indexOf(name);
    if (i === undefined) extra.push(name);
    else setBit(bits, i);
  };
  if (isNameList(heard)) {
    for (const name of heard) addName(name);
    return { known: true, bits, extra, unresolved: 0 };
  }
  for (const name of heard.extra) addName(name);
  if (heard.type === 'bitmap') {
    if (heard.digest !== index.digest || heard.members !== index.size) return { known: false, extra: heard.extra };
    for (let b = 0; b < bits.length; b++) bits[b] = (bits[b] ?? 0) | (heard.bits[b] ?? 0);
    return { known: true, bits, extra, unresolved: 0 };
  }
  let unresolved = 0;
  for (const h of heard.hashes) {
    if (index.isClash(h)) return { known: false, extra: heard.extra };
    const i = index.indexOfHash(h);
    if (i === undefined) unresolved++;
    else setBit(bits, i);
  }
  return { known: true, bits, extra, unresolved };
}

function isNameList(h: HeardField | readonly string[]): h is readonly string[] {
  return Array.isArray(h);
}
