// Benchmark: parseConfig on a config of 1,000 pools and 10,000 addresses, and on one with a
// few IPv6 /64s (to show sizes are arithmetic, never materialised). Median of a few runs.
import { performance } from 'node:perf_hooks';
import { parseConfig, type ConfigInput } from '@herald/shared/config';
import { median } from './stats.js';

const meta = (name: string): { name: string; namespace: string } => ({ name, namespace: 'herald-system' });

const v4Docs = ['192.0.2', '198.51.100', '203.0.113'];

/** 1,000 pools of 10 addresses each (ranges and CIDRs alternating), one L2 and one BGP ad. */
export function bigConfig(pools = 1000, perPool = 10): ConfigInput {
  const list: unknown[] = [];
  for (let p = 0; p < pools; p++) {
    const addresses: string[] = [];
    for (let a = 0; a < perPool; a++) {
      // Documentation ranges only: the three IPv4 /24s first, then 2001:db8::/32.
      const n = p * perPool + a;
      const ip = n < 768 ? `${v4Docs[n >> 8]!}.${n & 255}` : `2001:db8::${n.toString(16)}`;
      addresses.push(a % 2 === 0 ? `${ip}/${n < 768 ? 32 : 128}` : `${ip}-${ip}`);
    }
    list.push({ metadata: meta(`pool-${String(p).padStart(4, '0')}`), spec: { addresses } });
  }
  return {
    ipAddressPools: list,
    l2Advertisements: [{ metadata: meta('l2'), spec: {} }],
    bgpAdvertisements: [{ metadata: meta('bgp'), spec: { communities: ['no-export'] } }],
    bgpPeers: [{ metadata: meta('r1'), spec: { myASN: 64500, peerASN: 64501, peerAddress: '192.0.2.254' } }],
  };
}

export function v6Config(): ConfigInput {
  const ipAddressPools = [0, 1, 2, 3].map((i) => ({ metadata: meta(`v6-${i}`), spec: { addresses: [`2001:db8:${i}::/64`, `2001:db8:${i}:1::1-2001:db8:${i}:1:ffff:ffff:ffff:ffff`] } }));
  return { ipAddressPools, bgpAdvertisements: [{ metadata: meta('bgp'), spec: {} }] };
}

function medianMs(input: ConfigInput, runs: number): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = parseConfig(input);
    const dt = performance.now() - t0;
    if (!r.ok) throw new Error(`benchmark config is invalid: ${r.errors[0]?.message ?? ''}`);
    times.push(dt);
  }
  return median(times);
}

export async function benchConfig(): Promise<{ rows: { what: string; value: string; target: string }[] }> {
  await Promise.resolve();
  const big = bigConfig();
  medianMs(big, 1); // warm-up
  const bigMs = medianMs(big, 7);
  const heapBefore = process.memoryUsage().heapUsed;
  const v6Ms = medianMs(v6Config(), 7);
  const heapGrowthMB = (process.memoryUsage().heapUsed - heapBefore) / 2 ** 20;
  return {
    rows: [
      { what: 'parseConfig: 1,000 pools / 10,000 addresses (median of 7)', value: `${bigMs.toFixed(1)} ms`, target: '< 1000 ms' },
      { what: 'parseConfig: 4 pools of IPv6 /64s (2^66 addresses, median of 7)', value: `${v6Ms.toFixed(2)} ms`, target: '< 50 ms (no materialisation)' },
      { what: 'heap growth while parsing the /64 pools', value: `${heapGrowthMB.toFixed(1)} MB`, target: '< 50 MB' },
    ],
  };
}
