// One "node lost -> the router drops its next hop" trial in the lab: freeze a node's speaker
// (SIGSTOP) or cut its link, time until the router's kernel route for the prefix no longer has
// that node's next hop, then undo it and wait until both next hops (and, with BFD, both of the
// router's BFD sessions) are back. The BFD lab test and the bench row both run it.
import { poll, siteNamespaces, type Lab, type SitePlan } from '@herald/lab';
import { kernelNextHops, timeUntil } from './next-hops.js';

export const TRIAL_PREFIX = '203.0.113.0/32';

export type LossKind = 'freeze' | 'cut';

/** Waits until every node is a next hop of the prefix and, with BFD, every router BFD session is Up. */
export async function waitAllBack(lab: Lab, plan: SitePlan, what: string, timeoutMs = 60_000): Promise<void> {
  const ns = siteNamespaces(plan);
  const all = plan.nodes.map((n) => n.ip4).sort();
  const tries = Math.ceil(timeoutMs / 100);
  await poll(`${what}: every next hop for ${TRIAL_PREFIX} at the router`, async () => ((await kernelNextHops(ns.router, TRIAL_PREFIX)).join() === all.join() ? true : undefined), { tries, intervalMs: 100 });
  if (!plan.bfd) return;
  await poll(`${what}: the router's CLI shows every BFD session Up`, async () => {
    const m = new Map((await lab.routerDriver()!.bfdSessions!()).map((s) => [s.peer, s.state]));
    return all.every((a) => m.get(a) === 'up') ? true : undefined;
  }, { tries, intervalMs: 100 });
}

/** ms from the loss until the router's route lacks `node`'s next hop (undefined: not within timeoutMs). */
export async function lossTrial(lab: Lab, plan: SitePlan, node: string, kind: LossKind, timeoutMs: number): Promise<number | undefined> {
  const ns = siteNamespaces(plan);
  const gone = plan.nodes.find((n) => n.name === node)!.ip4;
  const rest = plan.nodes.filter((n) => n.name !== node).map((n) => n.ip4).sort();
  const t0 = Date.now();
  if (kind === 'freeze') await lab.speaker(node, 'freeze');
  else await lab.link(node, false);
  let ms: number | undefined;
  try {
    ms = await timeUntil(ns.router, TRIAL_PREFIX, (h) => !h.includes(gone) && h.join() === rest.join(), t0, timeoutMs);
  } finally {
    if (kind === 'freeze') await lab.speaker(node, 'thaw');
    else await lab.link(node, true);
  }
  await waitAllBack(lab, plan, `${node} back after ${kind}`);
  return ms;
}
