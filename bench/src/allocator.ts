// Allocator benchmark (DESIGN §8): allocate 10,000 and 100,000 Services in process, from pools
// big enough, with some sharing, pinned pools and requested IPs. Time should grow about
// linearly; 10k should take under 100 ms. Also: re-learning 100k allocations after a restart.
import { performance } from 'node:perf_hooks';
import { IP, IPRange, type Family } from '@herald/shared/net';
import type { Pool, Selector } from '@herald/shared/config';
import { Allocator, type AllocService } from '@herald/controller/allocator';
import { median, min } from './stats.js';

const all: Selector = { text: '', matches: () => true };

function pool(name: string, addresses: string[], pinned?: string): Pool {
  const ranges = addresses.map((a) => IPRange.parse(a));
  return {
    name,
    ranges,
    autoAssign: true,
    avoidBuggyIPs: true,
    serviceAllocation: pinned === undefined ? undefined : { priority: 1, namespaces: [pinned], namespaceSelectors: [], serviceSelectors: [all] },
    families: new Set<Family>(ranges.map((r) => r.family)),
  };
}

const POOLS: Pool[] = [
  pool('v4', ['192.0.2.0/24', '198.51.100.0/24', '203.0.113.0/24']),
  pool('v6', ['2001:db8::/64']),
  pool('pinned', ['2001:db8:1::/64'], 'pinned'),
];

/** Service i: mostly IPv6 SingleStack; 1 in 200 IPv4; 1 in 10 shares with its neighbour; 1 in 5 pinned; 1 in 50 requests an IP. */
function services(n: number): AllocService[] {
  const out: AllocService[] = [];
  for (let i = 0; i < n; i++) {
    const ns = i % 5 === 0 ? 'pinned' : `ns${i % 17}`;
    const v4 = i % 200 === 7;
    const share = i % 10 < 2 ? `pair-${Math.floor(i / 10)}` : undefined;
    const requested = !v4 && i % 50 === 3 ? [IP.fromBigInt(6, (0x20010db8n << 96n) | (2n << 64n) | BigInt(i))] : [];
    out.push({
      key: `${ns}/svc-${i}`,
      namespace: ns,
      labels: { app: `a${i % 13}` },
      namespaceLabels: {},
      requestedIPs: requested,
      requestedPool: undefined,
      sharingKey: share,
      ports: [{ protocol: 'TCP', port: share ? 80 + (i % 10) : 443 }],
      externalTrafficPolicy: 'Cluster',
      selector: { app: `a${i % 13}` },
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: [v4 ? 4 : 6],
    });
  }
  return out;
}

/** Allocates every service into a fresh allocator; returns ms and the allocator. */
function allocateAll(svcs: readonly AllocService[], pools: readonly Pool[]): { ms: number; a: Allocator; failed: number } {
  const a = new Allocator(pools);
  let failed = 0;
  const t0 = performance.now();
  for (const s of svcs) if (!a.allocate(s).ok) failed++;
  return { ms: performance.now() - t0, a, failed };
}

export async function benchAllocator(): Promise<{ rows: { what: string; value: string; target: string }[] }> {
  // The requested IPs (2001:db8:0:2::/64) need a pool that covers them.
  const pools = [...POOLS, pool('requested', ['2001:db8:0:2::/64'])].map((p) => (p.name === 'requested' ? { ...p, autoAssign: false } : p));
  const s10k = services(10_000);
  const s100k = services(100_000);
  allocateAll(s10k, pools); // warm-up
  const t10k: number[] = [];
  const t100k: number[] = [];
  let failed = 0;
  let last: Allocator | undefined;
  for (let i = 0; i < 7; i++) t10k.push(allocateAll(s10k, pools).ms);
  for (let i = 0; i < 3; i++) {
    const r = allocateAll(s100k, pools);
    t100k.push(r.ms);
    failed = r.failed;
    last = r.a;
  }
  // Restart: re-learn every allocation into a fresh allocator.
  const learned = [...(last?.allocations() ?? [])];
  const byKey = new Map(s100k.map((s) => [s.key, s]));
  const tRelearn: number[] = [];
  for (let i = 0; i < 3; i++) {
    const a = new Allocator(pools);
    const t0 = performance.now();
    for (const x of learned) {
      const s = byKey.get(x.key);
      if (s) a.assign(s, x.ips);
    }
    tRelearn.push(performance.now() - t0);
  }
  await Promise.resolve();
  // Medians as asked; minimums too, since on a shared machine noise only ever adds time.
  const m10 = median(t10k);
  const m100 = median(t100k);
  const min10 = min(t10k);
  const min100 = min(t100k);
  return {
    rows: [
      { what: 'allocate 10,000 services (median of 7, min)', value: `${m10.toFixed(1)} ms (min ${min10.toFixed(1)})`, target: '< 100 ms' },
      {
        what: 'allocate 100,000 services (median of 3, min)',
        value: `${m100.toFixed(1)} ms (min ${min100.toFixed(1)})${failed ? `, ${failed} failed` : ''}`,
        target: '~10x the 10k time (linear)',
      },
      { what: 'growth 100k / 10k (medians, mins)', value: `${(m100 / m10).toFixed(1)}x, ${(min100 / min10).toFixed(1)}x`, target: '~10x' },
      { what: 're-learn 100,000 allocations after a restart (median of 3)', value: `${median(tRelearn).toFixed(1)} ms`, target: '-' },
    ],
  };
}
