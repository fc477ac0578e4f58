// One "speaker SIGKILL, then start" trial in the lab (issue 15 item 2): the client probes a BGP
// Service every 20 ms while the speaker of the only node that carries it is killed and started
// again. With graceful restart the router keeps forwarding on the stale route until the new
// process has re-advertised and sent End-of-RIB; without it the route goes with the TCP session
// and comes back only when the new process advertises it. The GR lab test and the bench row run it.
import { poll, siteNamespaces, type Lab, type SitePlan } from '@herald/lab';
import { kernelNextHops } from '../bfd/next-hops.js';
import { ClientProbe, type ProbeSummary } from './client-probe.js';

/** The Service only node1 carries (ETP Local, its one backend on node1: sitePlan with 2 nodes). */
export const SOLE_CARRIER_SERVICE = 'web-local';

export async function serviceIp(lab: Lab, name: string): Promise<string> {
  return poll(`${name} has an IP`, async () => (await lab.status()).services.find((s) => s.name === name)?.ips.find((i) => !i.includes(':')), { tries: 200, intervalMs: 100 });
}

/** Waits until the router's kernel route for ip/32 has exactly these next hops. */
export async function waitNextHops(plan: SitePlan, ip: string, want: readonly string[], what: string): Promise<void> {
  const ns = siteNamespaces(plan);
  await poll(what, async () => ((await kernelNextHops(ns.router, `${ip}/32`)).join() === [...want].sort().join() ? true : undefined), { tries: 600, intervalMs: 100 });
}

export interface RestartResult extends ProbeSummary {
  /** SIGKILL until the router showed the session Established again. */
  readonly reestablishedMs: number;
}

/**
 * Probes `ip`:80 from the client, SIGKILLs `node`'s speaker, starts it `downMs` later, waits
 * until the router has the session Established again and then `settleMs` (End-of-RIB, and the
 * route's return without GR), and returns what the client saw. `whileDown` runs after the kill,
 * before the start (the start waits for it).
 */
export async function restartTrial(lab: Lab, plan: SitePlan, node: string, ip: string, opts: { downMs?: number; settleMs?: number; whileDown?: () => Promise<void> } = {}): Promise<RestartResult> {
  const ns = siteNamespaces(plan);
  const n = plan.nodes.find((x) => x.name === node)!;
  await waitNextHops(plan, ip, [n.ip4], `${ip}: ${node} is its next hop before the kill`);
  const probe = ClientProbe.start(ns.client, `${ip}:80`);
  let reestablishedMs = 0;
  let summary: ProbeSummary;
  try {
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    await lab.speaker(node, 'kill');
    const downUntil = Date.now() + (opts.downMs ?? 300);
    await opts.whileDown?.();
    await new Promise((r) => setTimeout(r, Math.max(0, downUntil - Date.now())));
    await lab.speaker(node, 'start');
    const router = lab.routerDriver()!;
    // The old session must be seen down first: right after the kill the router may not yet have
    // noticed. Bounded: 600 x 50 ms.
    let sawDown = false;
    await poll(`the router has ${node}'s session Established again`, async () => {
      const st = (await router.sessions()).find((s) => s.peer === node)?.state;
      if (st !== 'established') sawDown = true;
      return sawDown && st === 'established' ? true : undefined;
    }, { tries: 600, intervalMs: 50 });
    reestablishedMs = Date.now() - t0;
    await new Promise((r) => setTimeout(r, opts.settleMs ?? 3000));
  } finally {
    summary = await probe.stop();
  }
  await waitNextHops(plan, ip, [n.ip4], `${ip}: ${node} is its next hop after the restart`);
  return { ...summary, reestablishedMs };
}
