// The rendezvous hash: the first 8 bytes of SHA-256 over "<node>\n<canonical IP>", read as an
// unsigned big-endian 64-bit integer. SHA-256 rather than FNV-1a: node names differ in a digit
// or two ("node1", "node2"), and FNV's weak avalanche on such inputs skews ownership; SHA-256 is
// in node:crypto everywhere and ~1 µs per hash. The canonical IP text (RFC 5952 for IPv6) makes
// every speaker hash the same bytes whatever spelling its input used.
import { createHash } from 'node:crypto';
import type { IP } from '@herald/shared/net';

export function rendezvousHash(node: string, ip: IP): bigint {
  return createHash('sha256').update(`${node}\n${ip.toString()}`).digest().readBigUInt64BE(0);
}
