// The lab's kube-proxy stand-in, as nftables rules for one node (pure: returns the ruleset text).
// Traffic for a Service IP that reaches a node is DNATed to a backend: under ETP Cluster to any
// backend (other nodes' through masquerade, as kube-proxy does, so replies come back the same
// way); under ETP Local only to a backend on this node, keeping the client's address. The Service
// IP is never put on an interface, so the kernel never answers ARP for it: only Herald does.

export interface ProxiedService {
  readonly ips: readonly string[];
  readonly port: number;
  readonly targetPort: number;
  readonly externalTrafficPolicy: 'Cluster' | 'Local';
  /** Backend addresses (node IPs where a backend listens on targetPort), with their node. */
  readonly backends: readonly { readonly node: string; readonly ip: string }[];
}

export function kubeProxyRules(table: string, node: string, services: readonly ProxiedService[]): string {
  const v4: string[] = [];
  const v6: string[] = [];
  for (const s of services) {
    const eligible = s.externalTrafficPolicy === 'Local' ? s.backends.filter((b) => b.node === node) : s.backends;
    for (const ip of s.ips) {
      const six = ip.includes(':');
      const targets = eligible.filter((b) => b.ip.includes(':') === six).map((b) => b.ip);
      const out = six ? v6 : v4;
      const fam = six ? 'ip6' : 'ip';
      if (targets.length === 0) {
        out.push(`    ${fam} daddr ${ip} tcp dport ${s.port} drop`);
        continue;
      }
      const fmt = (a: string): string => (six ? `[${a}]` : a);
      const to =
        targets.length === 1
          ? `${fmt(targets[0]!)}:${s.targetPort}`
          : `numgen random mod ${targets.length} map { ${targets.map((t, i) => `${i} : ${t}`).join(', ')} } : ${s.targetPort}`;
      out.push(`    ${fam} daddr ${ip} tcp dport ${s.port} dnat ${fam} to ${to}`);
    }
  }
  const lines = [`table inet ${table}`, `delete table inet ${table}`, `table inet ${table} {`];
  lines.push('  chain prerouting {', '    type nat hook prerouting priority dstnat; policy accept;', ...v4, ...v6, '  }');
  lines.push('  chain postrouting {', '    type nat hook postrouting priority srcnat; policy accept;', '    ct status dnat masquerade', '  }', '}');
  return lines.join('\n') + '\n';
}
