// GoBGP does not program the kernel (its zebra integration crashes with Debian's FRR, see
// LAB-NOTES), so with ROUTER=gobgp the lab copies GoBGP's best IPv4 paths into the router
// namespace's kernel table itself, ECMP included: a stand-in for zebra. Polls every 500 ms.
import type { RouterDriver } from '../routers/index.js';
import { nsRun } from '../netns/exec.js';

export function startFibSync(router: RouterDriver, ns: string, onError: (err: unknown) => void): () => void {
  const installed = new Map<string, string>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const tick = async (): Promise<void> => {
    try {
      const want = new Map<string, string[]>();
      for (const r of await router.routes(4)) {
        const hops = want.get(r.prefix) ?? [];
        for (const h of r.nextHops) if (!hops.includes(h)) hops.push(h);
        want.set(r.prefix, hops);
      }
      for (const [prefix, hops] of want) {
        const key = [...hops].sort().join(' ');
        if (installed.get(prefix) === key || hops.length === 0) continue;
        const via = hops.length === 1 ? ['via', hops[0]!] : hops.flatMap((h) => ['nexthop', 'via', h]);
        await nsRun(ns, ['ip', 'route', 'replace', prefix, 'proto', 'bgp', ...via]);
        installed.set(prefix, key);
      }
      for (const prefix of [...installed.keys()]) {
        if (want.has(prefix)) continue;
        await nsRun(ns, ['ip', 'route', 'del', prefix]).catch(() => undefined);
        installed.delete(prefix);
      }
    } catch (err) {
      onError(err);
    }
    if (!stopped) timer = setTimeout(() => void tick(), 500);
  };
  void tick();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
  };
}
