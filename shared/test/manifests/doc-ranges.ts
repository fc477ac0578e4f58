// Finds IP addresses and prefixes in text and says which lie outside the documentation ranges
// (RFC 5737, RFC 3849). The unspecified and loopback addresses (bind-all, localhost) are fine.
import { BlockList, isIP } from 'node:net';

const DOC = new BlockList();
DOC.addSubnet('192.0.2.0', 24, 'ipv4');
DOC.addSubnet('198.51.100.0', 24, 'ipv4');
DOC.addSubnet('203.0.113.0', 24, 'ipv4');
DOC.addSubnet('2001:db8::', 32, 'ipv6');
const ALLOWED = new Set(['0.0.0.0', '127.0.0.1', '::', '::1']);

/** Each address or prefix in text that is not inside a documentation range. */
export function outsideDocRanges(text: string): string[] {
  const bad: string[] = [];
  for (const raw of text.split(/[\s,;"'`()<>[\]{}=|*]+/)) {
    for (const part of raw.split('-')) {
      let token = part.replace(/\.+$/, '').replace(/^(\d+\.\d+\.\d+\.\d+):\d+$/, '$1');
      if (token.endsWith(':') && !token.endsWith('::')) token = token.slice(0, -1);
      const [addr, len] = token.split('/') as [string, string | undefined];
      const family = isIP(addr);
      if (family === 0 || ALLOWED.has(addr)) continue;
      const type = family === 4 ? 'ipv4' : 'ipv6';
      const minLen = family === 4 ? 24 : 32;
      if (!DOC.check(addr, type) || (len !== undefined && Number(len) < minLen)) bad.push(token);
    }
  }
  return bad;
}
