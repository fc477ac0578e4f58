// Resident memory of a lab process from /proc/PID/status: VmRSS (what `top` shows) and RssAnon
// (its heap and stacks, without the mapped node binary and libraries the page cache shares).
import { readFileSync } from 'node:fs';

export interface Rss {
  readonly vmRssMb: number;
  readonly rssAnonMb: number;
}

/** VmRSS and RssAnon from /proc/PID/status text; throws naming the missing field. */
export function parseRss(status: string): Rss {
  const kb = (field: string): number => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    if (!m) throw new Error(`no ${field} in /proc/PID/status`);
    return Number(m[1]) / 1024;
  };
  return { vmRssMb: kb('VmRSS'), rssAnonMb: kb('RssAnon') };
}

/** The memory of a lab process, after checking it is the node process (not `ip netns exec`). */
export function rssOf(pid: number | undefined, role: string): Rss {
  if (pid === undefined) throw new Error(`${role} is not running`);
  const argv0 = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '';
  if (!argv0.endsWith('node')) throw new Error(`${role} pid ${pid} is ${argv0}, not the node process`);
  return parseRss(readFileSync(`/proc/${pid}/status`, 'utf8'));
}

/** "142 MB (anon 98 MB)". */
export function describeRss(r: Rss): string {
  return `${r.vmRssMb.toFixed(0)} MB (anon ${r.rssAnonMb.toFixed(0)} MB)`;
}
