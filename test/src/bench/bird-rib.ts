// What BIRD's RIB holds, read through birdc, for the BGP scale bench: route and network counts per
// table, and the paths of one prefix. The parsers are pure; each read is one birdc run.
import { CommandError, type BirdRouter } from '@herald/lab';

export interface RibCount {
  /** Paths (every protocol's route, not only the best). */
  readonly routes: number;
  readonly networks: number;
}

/** BIRD 2's "N of M routes for K networks in table T": M paths, K networks. */
export function parseRouteCount(out: string): RibCount {
  const m = /(\d+) of (\d+) routes for (\d+) networks/.exec(out);
  return m ? { routes: Number(m[2]), networks: Number(m[3]) } : { routes: 0, networks: 0 };
}

/** Paths in `show route <prefix>` output: one "unicast [protocol ...]" per path. */
export function parsePathCount(out: string): number {
  return (out.match(/\bunicast \[/g) ?? []).length;
}

/** Both tables together. */
export async function ribCount(router: BirdRouter): Promise<RibCount> {
  const [a, b] = await Promise.all([router.birdc('show route count table master4'), router.birdc('show route count table master6')]);
  const x = parseRouteCount(a);
  const y = parseRouteCount(b);
  return { routes: x.routes + y.routes, networks: x.networks + y.networks };
}

/** Paths of one prefix; 0 when BIRD has none (birdc then prints "Network not found", exit 1). */
export async function pathCount(router: BirdRouter, prefix: string): Promise<number> {
  try {
    return parsePathCount(await router.birdc(`show route ${prefix} table master${prefix.includes(':') ? 6 : 4}`));
  } catch (err) {
    if (err instanceof CommandError && err.stdout.includes('Network not found')) return 0;
    throw err;
  }
}

/**
 * Polls until BIRD holds `want` (both counts at least), every intervalMs, bounded by the
 * deadline; the epoch ms it first did, or undefined.
 */
export async function untilRib(router: BirdRouter, want: RibCount, deadline: number, intervalMs = 100): Promise<{ at: number | undefined; last: RibCount }> {
  let last: RibCount = { routes: 0, networks: 0 };
  for (let k = 0; k < 1_000_000 && Date.now() < deadline; k++) {
    last = await ribCount(router).catch(() => last);
    if (last.routes >= want.routes && last.networks >= want.networks) return { at: Date.now(), last };
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return { at: undefined, last };
}
