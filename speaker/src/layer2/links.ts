// Reads the links of this process's network namespace from /sys/class/net (the shell half of
// interface selection; interfaces.ts decides).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import type { LinkState } from './interfaces.js';

const base = '/sys/class/net';

export function listLinks(): LinkState[] {
  const out: LinkState[] = [];
  for (const name of readdirSync(base)) {
    try {
      const flags = parseInt(readFileSync(`${base}/${name}/flags`, 'utf8').trim(), 16);
      const index = Number(readFileSync(`${base}/${name}/ifindex`, 'utf8').trim());
      out.push({ name, index, flags, enslaved: existsSync(`${base}/${name}/master`) });
    } catch {
      // The link went away while we read it; the next scan settles it.
    }
  }
  return out;
}
