// One "SIGTERM -> the node's next hop gone at the router" trial in the lab (issue 15 item 3): send
// a speaker SIGTERM (a graceful stop, as a rollout does), time until the router's kernel route for
// the prefix no longer has that node's next hop, wait for the process to exit, start it again and
// wait until every next hop is back. The drain lab test and the bench row both run it.
import { siteNamespaces, type Lab, type SitePlan } from '@herald/lab';
import { TRIAL_PREFIX, waitAllBack } from '../bfd/trial.js';
import { FinWatch } from './fin-watch.js';
import { RouteWatch } from './route-watch.js';

export interface DrainResult {
  /** SIGTERM until the router's kernel route lacks the node (undefined: not within the timeout). */
  readonly ms: number | undefined;
  /** SIGTERM until the process exited. */
  readonly exitMs: number;
  /** SIGTERM until the router's interface saw our FIN (after the withdrawals and the Cease); undefined: not seen. */
  readonly finMs: number | undefined;
}

/** Stops `node`'s speaker with SIGTERM, times it, then starts it again and waits for it to be back. */
/**
 * `before` runs just before the SIGTERM (its time is not counted), `after` once the process has
 * exited, before it is started again.
 */
export async function drainTrial(lab: Lab, plan: SitePlan, node: string, timeoutMs: number, hooks: { before?: () => Promise<void>; after?: () => Promise<void> } = {}): Promise<DrainResult> {
  const ns = siteNamespaces(plan);
  const gone = plan.nodes.find((n) => n.name === node)!.ip4;
  const rest = plan.nodes.filter((n) => n.name !== node).map((n) => n.ip4).sort();
  const watch = await RouteWatch.start(ns.router, TRIAL_PREFIX);
  const fin = await FinWatch.start(ns.router, gone);
  let ms: number | undefined;
  let exitMs = 0;
  let finAt: number | undefined;
  let t0 = 0;
  try {
    await hooks.before?.();
    t0 = Date.now();
    const stopped = lab.speaker(node, 'stop').then(() => (exitMs = Date.now() - t0));
    ms = await watch.until((h) => !h.includes(gone) && h.join() === rest.join(), t0, timeoutMs);
    await stopped;
  } finally {
    await watch.stop();
    finAt = await fin.stop();
  }
  await hooks.after?.();
  await lab.speaker(node, 'start');
  await waitAllBack(lab, plan, `${node} back after SIGTERM`);
  return { ms, exitMs, finMs: finAt === undefined ? undefined : Math.max(0, Math.round(finAt - t0)) };
}
