// Router ID selection: the BGPPeer's routerID, else the session's IPv4 source address, else the
// numerically highest IPv4 address on the node (as BIRD and FRR do), else one derived from the
// node's IPv6 address. Pure: the candidates are passed in.
import { IP } from '@herald/shared/net';

export type RouterIdSource = 'configured' | 'source-address' | 'highest-ipv4' | 'derived-from-ipv6';

export function selectRouterId(o: {
  configured?: IP | undefined;
  sourceAddress?: IP | undefined;
  nodeAddresses: readonly IP[];
}): { id: IP; source: RouterIdSource } | undefined {
  if (o.configured?.family === 4) return { id: o.configured, source: 'configured' };
  if (o.sourceAddress?.family === 4) return { id: o.sourceAddress, source: 'source-address' };
  const v4 = o.nodeAddresses.filter((a) => a.family === 4 && a.value >> 24n !== 127n && a.value !== 0n);
  if (v4.length) return { id: v4.reduce((a, b) => (b.compare(a) > 0 ? b : a)), source: 'highest-ipv4' };
  const v6 = o.nodeAddresses.find((a) => a.family === 6 && !a.isLinkLocal && a.value !== 1n);
  if (v6) {
    const low = Number(v6.value & 0xffffffffn) || 1;
    return { id: IP.fromBigInt(4, BigInt(low >>> 0)), source: 'derived-from-ipv6' };
  }
  return undefined;
}
