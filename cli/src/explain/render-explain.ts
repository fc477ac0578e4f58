// explain as indented text (table, wide: the same), or the Explanation itself (json, yaml).
import { machineOutput, type OutputFormat } from '../output/format.js';
import { poolWhyNotText } from './allocation.js';
import type { Explanation } from './explain-model.js';

export function renderExplain(x: Explanation, format: OutputFormat): string {
  const m = machineOutput(format, x);
  if (m !== undefined) return m;
  const o: string[] = [];
  const svc = x.service;
  o.push(`Service ${svc.namespace}/${svc.name}: ${svc.ips.length ? svc.ips.join(', ') : 'no IP'}, externalTrafficPolicy ${svc.externalTrafficPolicy}`);
  if (!svc.handled) {
    o.push(`  not handled by Herald: ${svc.notHandledWhy ?? ''}`);
  }
  if (!x.config.valid) {
    o.push('', `Config: INVALID now (${x.config.errors.length} errors); the components keep their last good config, which the API does not show:`);
    for (const e of x.config.errors) o.push(`  ${e}`);
  }
  const a = x.allocation;
  if (a) {
    o.push('', 'Allocation (the controller\'s allocator, on the allocations re-learnt from every Service):');
    const d = a.decision;
    if (d.type === 'allocated') o.push(`  ${d.kept ? 'keeps' : 'would get'} ${d.ips.join(', ')} from pool ${d.pool}`);
    else if (d.type === 'pending') o.push(`  pending: ${d.reason}`);
    else for (const p of d.problems) o.push(`  bad input: ${p}`);
    for (const p of a.pools) o.push(`  pool ${poolWhyNotText(p.name, p.why)}`);
  }
  const an = x.announcements;
  if (an) {
    o.push('', 'Speakers (live = speaker Lease renewed within its duration; a fenced speaker is not visible in the API):');
    for (const l of an.liveness) o.push(`  ${l.node}: ${l.live ? 'live' : 'NOT live'} (${l.source})`);
    for (const l2 of an.l2) {
      o.push('', `L2 ${l2.ip}: owner ${l2.owner ?? 'none (no eligible live node)'}${l2.owner ? ` on ${l2.interfaces.length ? l2.interfaces.join(', ') : 'every suitable interface'}` : ''}`);
      const rep = l2.reportedOwners.join(', ') || 'none';
      o.push(`  reported by the speakers (ServiceL2Status): ${rep}${rep !== (l2.owner ?? 'none') ? '  <- DIFFERS: a speaker is behind, fenced, or sees other inputs' : ''}`);
      for (const n of l2.nodes) o.push(`  ${n.node}: ${n.verdict === 'owner' ? 'owner' : n.text}`);
    }
    for (const b of an.bgp) {
      const carriers = b.nodes.filter((n) => n.carried).map((n) => n.node);
      o.push('', `BGP ${b.ip}: carried by ${carriers.join(', ') || 'no node'}`);
      const rep = b.reportedAnnouncers.join(', ') || 'none';
      const advertisers = b.nodes.filter((n) => n.advertised).map((n) => n.node);
      o.push(`  reported by the speakers (ServiceBGPStatus): ${rep}${rep !== (advertisers.join(', ') || 'none') ? '  <- DIFFERS from what they should advertise: a speaker is behind or sees other inputs' : ''}`);
      for (const n of b.nodes) {
        if (!n.advertised) {
          o.push(`  ${n.node}: ${n.text}`);
          continue;
        }
        o.push(`  ${n.node}: ${n.carried ? 'carries it' : n.text}`);
        for (const r of n.routes) {
          const attrs = [
            r.asPath.length ? `AS path ${r.asPath.join(' ')}` : 'iBGP',
            r.localPref !== undefined ? `localPref ${r.localPref}` : '',
            r.communities.length ? `communities ${r.communities.join(' ')}` : '',
            r.linkBandwidth ? `link bandwidth ${r.linkBandwidth.asn}:${r.linkBandwidth.bytesPerSecond} B/s for ${r.linkBandwidth.endpoints} local endpoint${r.linkBandwidth.endpoints === 1 ? '' : 's'}` : '',
          ]
            .filter((t) => t !== '')
            .join(', ');
          o.push(`    -> ${r.peer}: ${r.prefix}${attrs ? ` (${attrs})` : ''}; session ${r.session}`);
        }
      }
    }
  }
  o.push('', 'Events:');
  if (x.events.length === 0) o.push('  none');
  for (const e of x.events) o.push(`  ${e.age} ago  ${e.type}  ${e.reason}${e.count > 1 ? ` (x${e.count})` : ''}: ${e.message}`);
  return o.join('\n') + '\n';
}
