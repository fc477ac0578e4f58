// Next hops for our routes from the session's local address (RFC 4271 §5.1.3, RFC 2545 §3):
// the local address itself for its family; for IPv6, the interface's link-local address too
// when the peer is on-link; for the other family, an address of that family on the same
// interface. Pure: the interface table is passed in (os.networkInterfaces() shape).
import { IP, Prefix } from '@herald/shared/net';

export interface IfaceAddress {
  readonly address: string;
  readonly cidr: string | null;
  readonly family: string | number;
  readonly internal: boolean;
}

export type InterfaceTable = Readonly<Record<string, readonly IfaceAddress[] | undefined>>;

export function nextHopsFor(local: IP, peer: IP, ifaces: InterfaceTable): { 4?: IP[]; 6?: IP[] } {
  const out: { 4?: IP[]; 6?: IP[] } = {};
  out[local.family] = [local];
  for (const addrs of Object.values(ifaces)) {
    if (!addrs?.some((a) => IP.tryParse(a.address)?.equals(local))) continue;
    const parsed = addrs.flatMap((a) => {
      const ip = IP.tryParse(a.address.split('%')[0] ?? '');
      const p = a.cidr ? Prefix.tryParse(a.cidr.split('%')[0] ?? '') : undefined;
      return ip ? [{ ip, p }] : [];
    });
    const onLink = parsed.some((x) => x.p?.contains(peer));
    if (local.family === 6) {
      const ll = parsed.find((x) => x.ip.isLinkLocal);
      if (ll && onLink && !local.isLinkLocal) out[6] = [local, ll.ip];
      const v4 = parsed.find((x) => x.ip.family === 4);
      if (v4) out[4] = [v4.ip];
    } else {
      const v6 = parsed.find((x) => x.ip.family === 6 && !x.ip.isLinkLocal);
      const ll = parsed.find((x) => x.ip.isLinkLocal);
      if (v6) out[6] = ll && onLink ? [v6.ip, ll.ip] : [v6.ip];
    }
    break;
  }
  return out;
}
