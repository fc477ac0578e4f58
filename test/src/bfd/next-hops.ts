// The router's kernel next hops for a prefix (`ip route show`, one line or a multipath block),
// and a watcher that times how long until a given next hop is gone: the number the BFD bench row
// and the lab test report ("until the router drops the next hop").
import { nsRun } from '@herald/lab';

/** `ip -o route show exact P`: "203.0.113.0 proto bird metric 32 nexthop via 192.0.2.11 dev eth0 weight 1 nexthop via ..." or "... via 192.0.2.11 dev eth0 ...". */
export function parseNextHops(out: string): string[] {
  const hops = [...out.matchAll(/\bvia (?:inet6? )?([0-9a-fA-F.:]+)/g)].map((m) => m[1]!);
  return [...new Set(hops)].sort();
}

export async function kernelNextHops(ns: string, prefix: string): Promise<string[]> {
  return parseNextHops(await nsRun(ns, ['ip', '-o', 'route', 'show', 'exact', prefix], { timeoutMs: 5000 }));
}

/**
 * Polls every `everyMs` until `pred` holds on the next hops; resolves with the ms it took (from
 * `since`, a Date.now()), or undefined after `timeoutMs`. Bounded in count and time.
 */
export async function timeUntil(ns: string, prefix: string, pred: (hops: readonly string[]) => boolean, since: number, timeoutMs: number, everyMs = 20): Promise<number | undefined> {
  const tries = Math.ceil(timeoutMs / everyMs);
  for (let i = 0; i < tries; i++) {
    const hops = await kernelNextHops(ns, prefix).catch(() => [] as string[]);
    if (pred(hops)) return Date.now() - since;
    if (Date.now() - since > timeoutMs) return undefined;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  return undefined;
}
