// What every IP's computation shares in one (config, nodes, self): the BGP peers of each node and
// of this one, and the aggregate prefixes built so far. Built once per change of those inputs,
// not per IP. Pure.
import type { BGPPeer, Config } from '@herald/shared/config';
import { Prefix, type IP } from '@herald/shared/net';
import type { NodeInfo } from '../eligibility/index.js';
import { cmp } from './ip-entries.js';

export interface AnnounceContext {
  readonly config: Config;
  readonly nodes: readonly NodeInfo[];
  readonly self: string;
  /** The peers this node has a session with (their nodeSelectors match it), sorted by name. */
  readonly sessionPeers: readonly BGPPeer[];
  readonly peerNames: ReadonlySet<string>;
  /** Per node: the names of its peers. */
  readonly nodePeers: ReadonlyMap<string, ReadonlySet<string>>;
  /** Prefix.containing, memoised (every node's verdict needs the same aggregates). */
  containing(ip: IP, length: number): Prefix;
}

/** The peers whose nodeSelectors select this node (none: every node). */
export function peersForNode(config: Config, node: NodeInfo | undefined): BGPPeer[] {
  if (!node) return [];
  return [...config.peers.values()].filter((p) => p.nodeSelectors.length === 0 || p.nodeSelectors.some((s) => s.matches(node.labels))).sort((a, b) => cmp(a.name, b.name));
}

export function announceContext(config: Config, nodes: readonly NodeInfo[], self: string): AnnounceContext {
  const sessionPeers = peersForNode(config, nodes.find((n) => n.name === self));
  const prefixes = new Map<string, Prefix>();
  return {
    config,
    nodes,
    self,
    sessionPeers,
    peerNames: new Set(sessionPeers.map((p) => p.name)),
    nodePeers: new Map(nodes.map((n) => [n.name, new Set(peersForNode(config, n).map((p) => p.name))])),
    containing(ip, length) {
      const k = `${ip.key}/${length}`;
      let p = prefixes.get(k);
      if (!p) {
        // Bounded: a context lives for one config and node set, and holds what its IPs need.
        if (prefixes.size > 1_000_000) prefixes.clear();
        prefixes.set(k, (p = Prefix.containing(ip, length)));
      }
      return p;
    },
  };
}
