// The live view as text (herald-lab status, and the view `make lab` shows).
import type { LabStatus } from './lab.js';

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}

export function renderStatus(s: LabStatus): string {
  const out: string[] = [];
  out.push('SERVICES');
  out.push(
    table([
      ['NAME', 'IP', 'MODE', 'OWNER / ANNOUNCERS', 'REQUEST FROM CLIENT'],
      ...s.services.map((v) => {
        const reqs = s.requests.filter((r) => r.service === v.name);
        const req = reqs.map((r) => (r.backend ? `answered by ${r.backend}` : `failed: ${r.error ?? '?'}`)).join(', ') || '-';
        const who = v.mode === 'l2' ? (v.owner ?? '(none)') : v.announcers.join(', ') || '(none)';
        return [`${v.namespace}/${v.name}`, v.ips.join(',') || '<pending>', v.mode, who, req];
      }),
    ]),
  );
  out.push('', 'NODES');
  out.push(table([['NAME', 'ADDRESSES', 'SPEAKER', 'LINK'], ...s.nodes.map((n) => [n.name, n.addresses.join(' '), n.speaker, n.link])]));
  out.push('', 'BGP SESSIONS (BGPSessionState)');
  const up = (t: string | null): string => (t ? `${Math.max(0, Math.round((Date.now() - Date.parse(t)) / 1000))}s` : '-');
  out.push(
    s.sessions?.length
      ? table([['NODE', 'PEER', 'STATE', 'UP', 'PREFIXES', 'LAST ERROR'], ...s.sessions.map((x) => [x.node, x.peer, x.state, up(x.establishedAt), String(x.prefixesSent), x.lastError ?? '-'])])
      : '(none)',
  );
  out.push('', "ROUTER'S BGP ROUTES");
  out.push(s.routes.length ? table([['PREFIX', 'NEXT HOPS'], ...s.routes.map((r) => [r.prefix, r.nexthops.join(' ')])]) : '(none)');
  return out.join('\n');
}
