// One L2 failover trial in the lab, shared by the bench (timings) and the e2e test (outcomes):
// disrupt the owner of an L2 Service (SIGKILL or SIGTERM its speaker, or cut its link), find the
// first gratuitous ARP (IPv4) or unsolicited neighbour advertisement (IPv6) from another node on
// the router's wire, check the router's neighbour entry, then restore the node and probe (a
// broadcast ARP request, or an ndisc6 solicitation, every 100 ms) until the IP is back with its
// owner, looking for any request answered by two MACs. Every wait is bounded.
import type { ChildProcess } from 'node:child_process';
import { CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { GROUP, VERSION } from '@herald/shared';
import { nsRun, nsSpawn, stopProcess, type Lab, type SitePlan } from '@herald/lab';
import { waitFor } from '../harness/wait.js';
import { doubleAnswers, isGratuitous, requestsFrom, type ArpCapture } from './arp-capture.js';

/** The lab's Service namespace (lab/src/site/objects.ts; not exported by @herald/lab). */
const SERVICE_NAMESPACE = 'demo';

export type Disruption = 'kill' | 'stop' | 'cut';

export interface TrialResult {
  readonly how: Disruption;
  readonly ip: string;
  readonly oldOwner: string;
  /** Disruption -> first gratuitous ARP from another node (undefined: none within the deadline). */
  readonly takeoverMs: number | undefined;
  readonly newOwner: string | undefined;
  /** What the router's neighbour entry said within 3 s of the takeover (no traffic sent). */
  readonly neighbour: { readonly ok: boolean; readonly entry: string };
  /** Restore -> first gratuitous ARP from the old owner again (undefined: not seen). */
  readonly backMs: number | undefined;
  /** ARP requests from the router answered by two MACs, from the disruption to the end. */
  readonly doubles: readonly { t: number; macs: string[] }[];
  /** Requests from the router for the IP in that window (the probes doubles were looked for in). */
  readonly probed: number;
}

const nodeMacByte = (b: number): string => `02:00:00:00:00:${b.toString(16).padStart(2, '0')}`;

export const nodeMac = (plan: SitePlan, node: string): string => {
  const n = plan.nodes.find((x) => x.name === node);
  if (!n) throw new Error(`no node ${node}`);
  return nodeMacByte(n.macByte);
};

/**
 * The L2 owner of a Service as the API says it: its first ingress IP and the one node holding a
 * ServiceL2Status for it (undefined while none or several do). Read straight from the API, which
 * is cheaper than the lab's status view (that one also sends requests through every Service).
 */
export async function l2Owner(lab: Lab, service: string, namespace = SERVICE_NAMESPACE): Promise<{ ip: string; node: string } | undefined> {
  const kc = lab.kubeConfig();
  const svc = await kc.makeApiClient(CoreV1Api).readNamespacedService({ name: service, namespace });
  const ip = svc.status?.loadBalancer?.ingress?.[0]?.ip;
  const list = (await kc.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: lab.plan.namespace, plural: 'servicel2statuses' })) as { items: { status?: { node?: string; serviceName?: string; serviceNamespace?: string } }[] };
  const nodes = [...new Set(list.items.filter((x) => x.status?.serviceName === service && x.status.serviceNamespace === namespace).map((x) => x.status?.node ?? ''))];
  return ip && nodes.length === 1 && nodes[0] ? { ip, node: nodes[0] } : undefined;
}

async function neighbourOf(ns: string, ip: string): Promise<string> {
  return (await nsRun(ns, ['ip', 'neigh', 'show', ip, 'dev', 'eth0'])).trim();
}

export interface TrialEnv {
  readonly lab: Lab;
  readonly plan: SitePlan;
  readonly routerNs: string;
  /** ARP for an IPv4 Service, NDP for an IPv6 one. */
  readonly capture: ArpCapture;
  readonly service?: string;
  /** The Service's namespace (default the lab's, "demo"). */
  readonly serviceNamespace?: string;
  /** Deadline for a takeover (default 15 s). */
  readonly takeoverTimeoutMs?: number;
}

/**
 * Requests for ip every intervalMs: a broadcast ARP request (`arping -b -c 1`; this arping takes
 * whole seconds only for -i), or for IPv6 one neighbour solicitation (`ndisc6 -1 -r 1`). At most
 * 20 in flight; every child is reaped on stop.
 */
class NeighbourProbe {
  private readonly kids = new Set<ChildProcess>();
  private readonly timer: NodeJS.Timeout;

  constructor(ns: string, ip: string, intervalMs = 100) {
    const argv = ip.includes(':') ? ['ndisc6', '-1', '-q', '-r', '1', '-w', '1000', ip, 'eth0'] : ['arping', '-b', '-q', '-c', '1', '-w', '1', '-I', 'eth0', ip];
    this.timer = setInterval(() => {
      if (this.kids.size >= 20) return;
      const c = nsSpawn(ns, argv, { stdio: 'ignore' });
      this.kids.add(c);
      c.once('exit', () => this.kids.delete(c));
    }, intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.kids].map((c) => stopProcess(c, 'SIGTERM', 1000)));
  }
}

export async function failoverTrial(env: TrialEnv, how: Disruption): Promise<TrialResult> {
  const { lab, plan, routerNs, capture } = env;
  const service = env.service ?? 'web-l2';
  const namespace = env.serviceNamespace ?? SERVICE_NAMESPACE;
  const before = await waitFor('an L2 owner', async () => l2Owner(lab, service, namespace), { timeoutMs: 30_000, intervalMs: 200 });
  const oldMac = nodeMac(plan, before.node);
  // The router needs a neighbour entry for the owner, for the gratuitous ARP to overwrite.
  await waitFor(`the router resolving ${before.ip} to ${before.node}`, async () => {
    await nsRun(routerNs, ['ping', '-c', '1', '-W', '1', before.ip]).catch(() => undefined);
    return (await neighbourOf(routerNs, before.ip)).includes(oldMac) ? true : undefined;
  }, { timeoutMs: 15_000, intervalMs: 200 });
  const others = new Map(plan.nodes.filter((n) => n.name !== before.node).map((n) => [nodeMac(plan, n.name), n.name]));

  const t0 = Date.now();
  if (how === 'cut') await lab.link(before.node, false);
  else await lab.speaker(before.node, how);
  const garp = await capture.first((e) => others.has(e.src) && isGratuitous(e, before.ip), t0, env.takeoverTimeoutMs ?? 15_000);
  const newOwner = garp ? others.get(garp.src) : undefined;

  let neighbour = { ok: false, entry: '' };
  if (garp) {
    const want = garp.src;
    neighbour = await waitFor('the router relearning the MAC', async () => {
      const entry = await neighbourOf(routerNs, before.ip);
      return entry.includes(want) ? { ok: true, entry } : undefined;
    }, { timeoutMs: 3000, intervalMs: 50 }).catch(async () => ({ ok: false, entry: await neighbourOf(routerNs, before.ip).catch(() => '') }));
  }

  // Probe from now until the old owner is back: a broadcast request every 100 ms.
  const probe = new NeighbourProbe(routerNs, before.ip);
  let backMs: number | undefined;
  try {
    const tRestore = Date.now();
    if (how === 'cut') await lab.link(before.node, true);
    else await lab.speaker(before.node, 'start');
    const back = await capture.first((e) => e.src === oldMac && isGratuitous(e, before.ip), tRestore, 30_000);
    backMs = back ? back.t - tRestore : undefined;
    await waitFor('the old owner back in the status', async () => ((await l2Owner(lab, service, namespace))?.node === before.node ? true : undefined), { timeoutMs: 30_000, intervalMs: 200 }).catch(() => undefined);
    // A second of probing after the handoff back, when two owners would show.
    await new Promise((r) => setTimeout(r, 1000));
  } finally {
    await probe.stop();
  }
  // The router asks from its own address (ARP) or a link-local one (NDP): its MAC says it is the router.
  const window = capture.between(t0, Date.now());
  const asker = [before.ip.includes(':') ? plan.router.ip6 : plan.router.ip4, nodeMacByte(plan.router.macByte)] as const;
  const doubles = doubleAnswers(window, before.ip, ...asker);
  return { how, ip: before.ip, oldOwner: before.node, takeoverMs: garp ? garp.t - t0 : undefined, newOwner, neighbour, backMs, doubles, probed: requestsFrom(window, before.ip, ...asker) };
}
