// Views of a Desired that the shells consume: the announcer's owned set and each session's routes.
import type { Advertisement } from '../bgp/adj-rib-out.js';
import type { OwnedIP } from '../layer2/announcer.js';
import type { Desired } from './types.js';

/** The IPs `node` owns, in the announcer's shape, sorted by IP. */
export function ownedIPs(d: Desired, node: string): OwnedIP[] {
  return [...d.l2.values()]
    .filter((e) => e.owner === node)
    .sort((a, b) => a.ip.compare(b.ip))
    .map((e) => ({ ip: e.ip, interfaces: e.interfaces }));
}

/** Per peer name: prefix text -> route (every session peer present, maybe with no routes). */
export function perPeerRoutes(d: Desired): Map<string, Map<string, Advertisement>> {
  const out = new Map<string, Map<string, Advertisement>>(d.sessionPeers.map((p) => [p, new Map()]));
  for (const [key, r] of d.bgp) {
    for (const [peer, adv] of r.peers) out.get(peer)?.set(key, adv);
  }
  return out;
}
