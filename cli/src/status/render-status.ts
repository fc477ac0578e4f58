// status as tables (-o table|wide) or the StatusView itself (-o json|yaml).
import { machineOutput, type OutputFormat } from '../output/format.js';
import { table } from '../output/table.js';
import type { StatusView } from './status-model.js';

const dash = (v: string | number | undefined): string => (v === undefined || v === '' ? '-' : String(v));

export function renderStatus(v: StatusView, format: OutputFormat): string {
  const m = machineOutput(format, v);
  if (m !== undefined) return m;
  const wide = format === 'wide';
  const out: string[] = [];

  out.push(`POOLS (${v.namespace})`);
  out.push(
    v.pools.length === 0
      ? 'no IPAddressPool\n'
      : table(
          ['NAME', 'AUTO', 'IPV4 SIZE', 'USED', 'FREE', 'IPV6 SIZE', 'USED', 'FREE'],
          v.pools.map((p) => [p.name, p.autoAssign ? 'yes' : 'no', dash(p.ipv4?.size), dash(p.ipv4?.used), dash(p.ipv4?.free), dash(p.ipv6?.size), dash(p.ipv6?.used), dash(p.ipv6?.free)]),
        ),
  );

  out.push('SERVICES');
  const who = (s: StatusView['services'][number]): string => {
    if (s.pending !== undefined) return s.pending;
    const parts: string[] = [];
    if (s.owner) parts.push(s.owner);
    if (s.announcers.length) parts.push(s.announcers.map((a) => a.node).join(', '));
    return parts.join('; ') || 'none reported';
  };
  out.push(
    v.services.length === 0
      ? 'no LoadBalancer Service handled by Herald\n'
      : table(
          ['NAMESPACE/NAME', 'IP', 'MODE', 'POOL', 'OWNER / ANNOUNCERS', ...(wide ? ['INTERFACES', 'PEERS'] : [])],
          v.services.map((s) => [
            `${s.namespace}/${s.name}`,
            s.ips.join(',') || '<pending>',
            s.mode,
            dash(s.pool),
            who(s),
            ...(wide ? [s.interfaces.join(',') || (s.owner ? 'all' : '-'), s.announcers.map((a) => `${a.node}:${a.peers.join('+')}`).join(' ') || '-'] : []),
          ]),
        ),
  );

  out.push('BGP SESSIONS');
  out.push(
    v.sessions.length === 0
      ? 'no BGPSessionState\n'
      : table(
          ['NODE', 'PEER', ...(wide ? ['ADDRESS'] : []), 'STATE', 'UPTIME', 'PREFIXES SENT', 'RECEIVED', 'LAST ERROR'],
          v.sessions.map((s) => [s.node, s.peer, ...(wide ? [s.peerAddress] : []), s.state, dash(s.uptime), dash(s.prefixesSent), dash(s.prefixesReceived), dash(s.lastError)]),
        ),
  );

  out.push('CONFIGURATION');
  const rows = v.components.map((c) => [c.component, dash(c.node), c.result, dash(c.speaker), c.errors.length ? (wide ? c.errors.join(' | ') : `${c.errors.length} error(s): ${c.errors[0] ?? ''}`) : '-']);
  rows.push(['objects now', '-', v.config.valid ? 'Valid' : 'Invalid', '-', v.config.errors.length ? (wide ? v.config.errors.join(' | ') : `${v.config.errors.length} error(s): ${v.config.errors[0] ?? ''}`) : '-']);
  out.push(table(['COMPONENT', 'NODE', 'RESULT', 'SPEAKER', 'ERRORS'], rows));
  return out.join('\n');
}
