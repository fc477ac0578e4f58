// "Service created -> route in the router's RIB" (DESIGN §8), end to end in the lab: the
// Service's EndpointSlice (backends on every node) is created first, then the clock starts and
// the LoadBalancer Service is created through the API; we poll BIRD's RIB (birdc, back to back)
// until a new /32 from the BGP pool has a path from every node. Then the Service is deleted and
// we time until the route is gone. Bounded: `trials` rounds, each with deadlines.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, DiscoveryV1Api, type V1EndpointSlice } from '@kubernetes/client-node';
import { createLogger } from '@herald/shared';
import { whyCannotRun } from '@herald/testkit';
import { Lab, sitePlan, type RouterDriver, type SitePlan } from '@herald/lab';
import { summary } from '@herald/bench/stats';

interface Row {
  what: string;
  value: string;
  target: string;
}

const NS = 'demo';

/** Prefixes in the BGP pool and how many distinct next hops each has. */
async function poolRoutes(router: RouterDriver): Promise<Map<string, number>> {
  const hops = new Map<string, Set<string>>();
  for (const r of await router.routes(4)) {
    if (!r.prefix.startsWith('203.0.113.')) continue;
    const s = hops.get(r.prefix) ?? new Set<string>();
    for (const h of r.nextHops) s.add(h);
    hops.set(r.prefix, s);
  }
  return new Map([...hops].map(([p, s]) => [p, s.size]));
}

/** Polls fn back to back (each call is a birdc run) until it returns a value; bounded in time and count. */
async function pollFast<T>(fn: () => Promise<T | undefined>, timeoutMs: number): Promise<{ value: T; at: number; polls: number } | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (let polls = 1; polls < 100_000 && Date.now() < deadline; polls++) {
    const value = await fn();
    if (value !== undefined) return { value, at: Date.now(), polls };
  }
  return undefined;
}

function slice(plan: SitePlan, name: string): V1EndpointSlice {
  return {
    metadata: { name: `${name}-bench`, namespace: NS, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    ports: [{ name: 'http', protocol: 'TCP', port: 8082 }],
    endpoints: plan.nodes.map((n) => ({ addresses: [n.ip4], nodeName: n.name, conditions: { ready: true, serving: true, terminating: false } })),
  };
}

export async function benchBgpServiceRoute(trials = 20): Promise<{ rows: Row[] }> {
  const why = whyCannotRun({ root: true, tools: ['bird', 'birdc', 'nft'] });
  if (why) return { rows: [{ what: "BGP: Service created -> route in the router's RIB", value: `SKIPPED: ${why}`, target: '< 300 ms median' }] };
  const plan = sitePlan({ prefix: `hlr${process.pid % 100000}`, router: 'bird', nodes: 3 });
  const dir = mkdtempSync(join(tmpdir(), 'herald-rib-'));
  const lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'error' }));
  const add: number[] = [];
  const withdraw: number[] = [];
  const pollMs: number[] = [];
  let misses = 0;
  try {
    const router = lab.routerDriver();
    if (!router) throw new Error('the lab has no router');
    const core = lab.kubeConfig().makeApiClient(CoreV1Api);
    const discovery = lab.kubeConfig().makeApiClient(DiscoveryV1Api);
    const want = plan.nodes.length;
    // The lab's own BGP Services are announced first (every session up), so a trial never waits for a session.
    const settled = await pollFast(async () => {
      const r = await poolRoutes(router);
      return r.size >= 2 && [...r.values()].some((n) => n === want) ? r : undefined;
    }, 60_000);
    if (!settled) throw new Error(`the lab's BGP routes never appeared: ${router.log().slice(-500)}`);
    for (let i = 0; i < trials; i++) {
      const name = `rib-${i}`;
      const before = await poolRoutes(router);
      await discovery.createNamespacedEndpointSlice({ namespace: NS, body: slice(plan, name) });
      const t0 = Date.now();
      await core.createNamespacedService({
        namespace: NS,
        body: { metadata: { name, annotations: { 'herald.dev/address-pool': 'lab-bgp' } }, spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 8082 }] } },
      });
      const seen = await pollFast(async () => {
        const r = await poolRoutes(router);
        return [...r].find(([p, n]) => !before.has(p) && n === want)?.[0];
      }, 10_000);
      if (!seen) misses++;
      else {
        add.push(seen.at - t0);
        pollMs.push((seen.at - t0) / seen.polls);
      }
      const t1 = Date.now();
      await core.deleteNamespacedService({ name, namespace: NS });
      await discovery.deleteNamespacedEndpointSlice({ name: `${name}-bench`, namespace: NS });
      if (seen) {
        const gone = await pollFast(async () => ((await poolRoutes(router)).has(seen.value) ? undefined : true), 10_000);
        if (gone) withdraw.push(gone.at - t1);
      }
    }
  } finally {
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const poll = pollMs.length ? ` (BIRD's RIB polled back to back, ~${(pollMs.reduce((a, b) => a + b, 0) / pollMs.length).toFixed(0)} ms per birdc)` : '';
  return {
    rows: [
      { what: `BGP: Service created -> /32 in BIRD's RIB with all ${plan.nodes.length} next hops${poll}`, value: `${summary(add, 'never seen')}, ${misses} missed`, target: '< 300 ms median' },
      { what: "BGP: Service deleted -> /32 gone from BIRD's RIB", value: summary(withdraw, 'never seen'), target: '-' },
    ],
  };
}
