// The rendezvous hash: MurmurHash3 (x86, 32-bit, seed 0) over seven 32-bit words, the node's key
// (the first 8 bytes of SHA-256 of its name, big-endian: two words) then the IP's (a family word
// and its value in 32-bit words, most significant first, zero-padded to four), as an unsigned
// integer.
//
// Why not SHA-256 of "<node>\n<ip>" per pair, as before: one SHA-256 through node:crypto costs
// ~2-4 µs, and an election of 10,000 IPs over 100 nodes needs a million pairs (seconds). The
// SHA-256 stays where it matters, on the node name (names differ in a digit or two, and a weak
// hash of them would skew ownership), computed once per name; the pair is then mixed with
// Murmur3's finaliser, which avalanches fully on its 32-bit words, in tens of nanoseconds.
// The IP's words are its canonical value, so every spelling of an address hashes alike.
// Equal hashes (2^-32 per pair) are broken by name in the election, so the order stays total.
import { createHash } from 'node:crypto';
import type { IP } from '@herald/shared/net';

const nodeKeys = new Map<string, readonly [number, number]>();
const MAX_CACHED_NODES = 4096;

/** The node's 64-bit key as two 32-bit words; cached (a node name hashes once). */
export function nodeKey(name: string): readonly [number, number] {
  let k = nodeKeys.get(name);
  if (k === undefined) {
    const d = createHash('sha256').update(name).digest();
    k = [d.readUInt32BE(0), d.readUInt32BE(4)];
    if (nodeKeys.size >= MAX_CACHED_NODES) nodeKeys.clear();
    nodeKeys.set(name, k);
  }
  return k;
}

const ipKeys = new WeakMap<IP, Uint32Array>();

/** The IP as four words: family (4 or 6), then the value's words (IPv4: one, then zeros). */
export function ipWords(ip: IP): Uint32Array {
  let w = ipKeys.get(ip);
  if (w === undefined) {
    w = new Uint32Array(5);
    w[0] = ip.family;
    const n = ip.family === 4 ? 1 : 4;
    for (let i = 0; i < n; i++) w[1 + i] = Number((ip.value >> BigInt(32 * (n - 1 - i))) & 0xffffffffn);
    ipKeys.set(ip, w);
  }
  return w;
}

/** Murmur3's per-word mix; exported so a bulk ranking mixes an IP's words once, not once per node. */
export function mixK(k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, 0x1b873593);
}

function mixH(h: number, k: number): number {
  h ^= mixK(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * The Murmur3 state after the node's two key words: the part of pairHash that depends on the
 * node alone, so a bulk ranking computes it once per node instead of once per (node, IP) pair.
 */
export function nodeSeed(node: readonly [number, number]): number {
  return mixH(mixH(0, node[0]), node[1]);
}

/** A nodeSeed with the IP's first word (its family: 4 or 6) mixed in: one per node and family. */
export function familySeed(seed: number, family: number): number {
  return mixH(seed, family);
}

/**
 * seededHash from a familySeed and the IP's other four words already through mixK (k1..k4):
 * the per-pair work of a bulk ranking, which mixes each IP's words once and each node's key
 * and family once.
 */
export function mixedHash(fseed: number, k1: number, k2: number, k3: number, k4: number): number {
  let h = fseed ^ k1;
  h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  h ^= k2;
  h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  h ^= k3;
  h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  h ^= k4;
  h = (Math.imul((h << 13) | (h >>> 19), 5) + 0xe6546b64) | 0;
  h ^= 28;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** pairHash from a nodeSeed: the IP's five words, then Murmur3's length and finaliser. */
export function seededHash(seed: number, ip: Uint32Array): number {
  let h = seed;
  for (let i = 0; i < 5; i++) h = mixH(h, ip[i]!);
  h ^= 28;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Murmur3-32 of (node key, IP words): the node with the lowest value ranks first. */
export function pairHash(node: readonly [number, number], ip: Uint32Array): number {
  return seededHash(nodeSeed(node), ip);
}

export function rendezvousHash(node: string, ip: IP): number {
  return pairHash(nodeKey(node), ipWords(ip));
}
