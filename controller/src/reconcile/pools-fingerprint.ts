// What of the config the controller acts on, as one comparable string: its pools. The config
// watcher re-parses on every change to a Herald object, including the pool status this controller
// writes itself; without this, every pool status write re-queued every Service (at 5,000 Services,
// the profile's largest controller-side cost: setPools and the work queue).
import type { Config, Pool, Selector } from '@herald/shared';

const sel = (s: readonly Selector[]): string => s.map((x) => x.text).join('|');

function poolText(p: Pool): string {
  const a = p.serviceAllocation;
  return [
    p.name,
    p.ranges.map((r) => r.toString()).join(','),
    p.autoAssign,
    p.avoidBuggyIPs,
    a === undefined ? '-' : [a.priority ?? '', a.namespaces.join(','), sel(a.namespaceSelectors), sel(a.serviceSelectors)].join(';'),
  ].join('\u0000');
}

export function poolsFingerprint(config: Config): string {
  return [...config.pools.values()].map(poolText).join('\n');
}
