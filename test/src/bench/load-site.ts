// The pieces of a loaded lab run that several load benches share: the extra pools and the L2
// advertisement for them, sample Services that a burst never touches (and that the L2 watcher
// probes), and the memory of every Herald process.
import { CoreV1Api, DiscoveryV1Api } from '@kubernetes/client-node';
import { applyObjects, type Lab, type SitePlan } from '@herald/lab';
import { waitFor } from '../harness/wait.js';
import { burstService, burstSlice, createBurst, describeCreate, type BurstSpec } from './burst.js';
import { L2Tracker } from './l2-tracker.js';
import type { L2Watch } from './l2-watch.js';
import { rssOf, type Rss } from './proc-status.js';

/**
 * Address plan of the load benches (documentation ranges, all on the lab's LAN so the router
 * reaches them on-link): the lab itself uses 192.0.2.1-.19 and .200-.219.
 */
export const LOAD_POOLS = {
  /** The burst's IPv4 Services (128 addresses: the LAN has no more to spare). */
  burst4: '192.0.2.64-192.0.2.191',
  /** The burst's IPv6 Services: the upper half of the LAN's /64. */
  burst6: '2001:db8:0:1:8000::/112',
  sample4: '192.0.2.230-192.0.2.233',
  sample6: '2001:db8:0:1:9000::/124',
} as const;

export const SAMPLE: BurstSpec = { namespace: 'sample', prefix: 'sample', count: 4, ipv4: 2, pool4: 'sample4', pool6: 'sample6' };

/** Namespaces, the four pools and one L2Advertisement for them on eth0. */
export async function applyLoadPools(lab: Lab, serviceNamespaces: readonly string[]): Promise<void> {
  const ns = lab.plan.namespace;
  await applyObjects(lab.kubeConfig(), [
    ...serviceNamespaces.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })),
    ...Object.entries(LOAD_POOLS).map(([name, range]) => ({ apiVersion: 'herald.dev/v1beta1', kind: 'IPAddressPool', metadata: { name, namespace: ns }, spec: { addresses: [range], autoAssign: false } })),
    { apiVersion: 'herald.dev/v1beta1', kind: 'L2Advertisement', metadata: { name: 'load', namespace: ns }, spec: { ipAddressPools: Object.keys(LOAD_POOLS), interfaces: ['eth0'] } },
  ]);
}

/**
 * Creates the sample Services (2 IPv4, 2 IPv6) and waits until each is owned and answers the
 * watcher. Returns service -> IPs.
 */
export async function startSamples(lab: Lab, tracker: L2Tracker, watch: L2Watch, timeoutMs = 60_000): Promise<Map<string, string[]>> {
  const kc = lab.kubeConfig();
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  for (let i = 0; i < SAMPLE.count; i++) {
    await core.createNamespacedService({ namespace: SAMPLE.namespace, body: burstService(SAMPLE, i) });
    await discovery.createNamespacedEndpointSlice({ namespace: SAMPLE.namespace, body: burstSlice(lab.plan, SAMPLE, i) });
  }
  await waitFor('the sample Services owned', () => (tracker.owned().size === SAMPLE.count ? true : undefined), { timeoutMs, intervalMs: 200 });
  const ips = tracker.ips();
  const all = [...ips.values()].flat();
  await waitFor('the sample IPs answering', async () => ((await watch.sweep(all, { waitMs: 200 })).size === all.length ? true : undefined), { timeoutMs, intervalMs: 200 });
  return ips;
}

/** A node's own addresses, which its kernel answers for: the watcher's reference. */
export function kernelReference(plan: SitePlan): string[] {
  const n = plan.nodes[plan.nodes.length - 1]!;
  return [n.ip4, n.ip6];
}

export type ProcessMemory = ReadonlyMap<string, Rss>;

/** Every speaker's and the controller's memory now (role -> Rss). */
export function heraldMemory(lab: Lab): ProcessMemory {
  const roles = [...lab.plan.nodes.map((n) => `speaker-${n.name}`), 'controller'];
  return new Map(
    roles.map((r) => {
      const pid = lab.pid(r);
      if (pid === undefined) throw new Error(lab.whyNotRunning(r));
      return [r, rssOf(pid, r)];
    }),
  );
}

/** The failover benches' background: L2 Services in their own namespace, with a ready backend on every node. */
export const BACKGROUND: Omit<BurstSpec, 'count'> = { namespace: 'background', prefix: 'bg', ipv4: 100, pool4: 'burst4', pool6: 'burst6' };

/**
 * Creates `count` background L2 Services (a tenth IPv4, at most 100) and waits until each has an
 * owner (3 minutes at most). The caller stops the tracker.
 */
export async function ownBackground(lab: Lab, plan: SitePlan, count: number): Promise<{ tracker: L2Tracker; created: string }> {
  await applyLoadPools(lab, [BACKGROUND.namespace]);
  const tracker = new L2Tracker(lab.kubeConfig(), BACKGROUND.namespace, plan.namespace);
  await tracker.start();
  const spec: BurstSpec = { ...BACKGROUND, count, ipv4: Math.min(BACKGROUND.ipv4, Math.floor(count / 10)) };
  const created = await createBurst(lab.kubeConfig(), plan, spec, { concurrency: 32, budgetMs: 120_000 });
  await tracker.until((t) => t.owned().size >= count, Date.now() + 180_000);
  return { tracker, created: describeCreate(created) };
}
