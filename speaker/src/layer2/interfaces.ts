// Which interfaces the L2 announcer uses, pure. With an L2Advertisement's `interfaces`, exactly
// those that exist and are up. Otherwise every suitable interface:
//   up (IFF_UP), broadcast-capable (IFF_BROADCAST), not loopback, ARP enabled (not IFF_NOARP),
//   not enslaved (no master: bridge port, bond or team member; the master is used instead), and
//   not a container-side interface by name (see containerPrefixes).
// The name rule is deliberately a fixed prefix list: CNI plugins name their host-side veths and
// bridges this way, and a node's real uplinks (eth*, en*, bond*, br*, vlan*) never start so.

export const IFF_UP = 0x1;
export const IFF_BROADCAST = 0x2;
export const IFF_LOOPBACK = 0x8;
export const IFF_NOARP = 0x80;

export const containerPrefixes = ['cali', 'veth', 'cni', 'flannel', 'docker', 'lxc', 'cilium', 'vxlan', 'kube-', 'tunl', 'weave', 'genev', 'nodelocaldns'] as const;

export interface LinkState {
  readonly name: string;
  readonly index: number;
  /** IFF_* flags from /sys/class/net/<name>/flags. */
  readonly flags: number;
  /** Has a master (bridge port, bond member). */
  readonly enslaved: boolean;
}

export type InterfaceRejection =
  | { readonly type: 'not-found' }
  | { readonly type: 'down' }
  | { readonly type: 'loopback' }
  | { readonly type: 'not-broadcast' }
  | { readonly type: 'noarp' }
  | { readonly type: 'enslaved' }
  | { readonly type: 'container-interface'; readonly prefix: string }
  | { readonly type: 'not-configured' };

export interface InterfaceSelection {
  readonly selected: readonly LinkState[];
  readonly rejected: readonly { readonly name: string; readonly reason: InterfaceRejection }[];
}

function rejection(l: LinkState, configured: boolean): InterfaceRejection | undefined {
  if ((l.flags & IFF_UP) === 0) return { type: 'down' };
  if ((l.flags & IFF_LOOPBACK) !== 0) return { type: 'loopback' };
  if ((l.flags & IFF_NOARP) !== 0) return { type: 'noarp' };
  if (configured) return undefined;
  if ((l.flags & IFF_BROADCAST) === 0) return { type: 'not-broadcast' };
  if (l.enslaved) return { type: 'enslaved' };
  const prefix = containerPrefixes.find((p) => l.name.startsWith(p));
  if (prefix) return { type: 'container-interface', prefix };
  return undefined;
}

/** `configured` empty: automatic selection. Output is sorted by name. */
export function selectInterfaces(links: readonly LinkState[], configured: readonly string[]): InterfaceSelection {
  const selected: LinkState[] = [];
  const rejected: { name: string; reason: InterfaceRejection }[] = [];
  const sorted = [...links].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const want = new Set(configured);
  for (const l of sorted) {
    if (want.size > 0 && !want.has(l.name)) {
      rejected.push({ name: l.name, reason: { type: 'not-configured' } });
      continue;
    }
    const r = rejection(l, want.size > 0);
    if (r) rejected.push({ name: l.name, reason: r });
    else selected.push(l);
  }
  for (const name of [...want].sort()) if (!links.some((l) => l.name === name)) rejected.push({ name, reason: { type: 'not-found' } });
  return { selected, rejected };
}
