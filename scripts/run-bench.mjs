#!/usr/bin/env node
// make bench: runs every benchmark module, prints one table and writes BENCHMARKS.md. Each module
// exports an async function returning {rows: [{what, value, target}]}, where `target` carries
// the reference measured in the same run (GoBGP/BIRD, the kernel) or the DESIGN §8 target.
// `node scripts/run-bench.mjs "<area>"` runs one area. The load benches ('L2 failover',
// 'load burst', 'BGP scale') take HERALD_BENCH_QUICK=1 for a small-N check; see each module.
import { existsSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const modules = [
  { area: 'config', file: 'shared/dist/src/bench/config-bench.js', fn: 'benchConfig' },
  { area: 'allocator', file: 'controller/dist/src/bench/allocator-bench.js', fn: 'benchAllocator' },
  { area: 'controller e2e', file: 'test/dist/src/bench/controller-e2e.js', fn: 'benchControllerE2e' },
  { area: 'api server', file: 'lab/dist/src/apiserver/bench.js', fn: 'benchApiServer' },
  { area: 'api server delete', file: 'test/dist/src/bench/apiserver-delete.js', fn: 'benchApiServerDelete' },
  { area: 'L2', file: 'speaker/dist/src/layer2/bench.js', fn: 'benchL2' },
  { area: 'L2 failover', file: 'test/dist/src/bench/l2-failover.js', fn: 'benchL2Failover' },
  { area: 'load burst', file: 'test/dist/src/bench/load-burst.js', fn: 'benchLoadBurst' },
  { area: 'membership', file: 'speaker/dist/src/membership/bench.js', fn: 'benchMembership' },
  { area: 'election', file: 'test/dist/src/bench/election-bench.js', fn: 'benchElection' },
  { area: 'membership scale', file: 'test/dist/src/bench/membership-scale.js', fn: 'benchMembershipScale' },
  { area: 'BGP', file: 'test/dist/src/bgp/bench.js', fn: 'benchBgp' },
  { area: 'BGP route', file: 'test/dist/src/bench/bgp-service-route.js', fn: 'benchBgpServiceRoute' },
  { area: 'BGP scale', file: 'test/dist/src/bench/bgp-scale.js', fn: 'benchBgpScale' },
  { area: 'memory', file: 'test/dist/src/bench/memory.js', fn: 'benchMemory' },
];
const only = process.argv[2];

const rows = [];
for (const m of modules) {
  if (only && m.area !== only) continue;
  if (!existsSync(root + m.file)) {
    rows.push({ area: m.area, what: '(benchmark not built yet)', value: '-', target: '-' });
    continue;
  }
  process.stderr.write(`running ${m.area} benchmarks...\n`);
  try {
    const mod = await import(root + m.file);
    const res = await mod[m.fn]();
    for (const r of res.rows) rows.push({ area: m.area, ...r });
  } catch (err) {
    rows.push({ area: m.area, what: `FAILED: ${err instanceof Error ? err.message : String(err)}`, value: '-', target: '-' });
  }
}

const header = ['area', 'what', 'value', 'reference / target'];
const table = [header, ...rows.map((r) => [r.area, r.what, r.value, r.target])];
const widths = header.map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ');
process.stdout.write(table.map(line).join('\n') + '\n');

const md = [
  '# Benchmarks',
  '',
  `Written by \`make bench\` on ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}).`,
  'References (GoBGP/BIRD as speakers, the kernel answering ARP) are measured in the same run.',
  '',
  `| ${header.join(' | ')} |`,
  `|${header.map(() => '---').join('|')}|`,
  ...rows.map((r) => `| ${[r.area, r.what, r.value, r.target].join(' | ')} |`),
  '',
].join('\n');
writeFileSync(root + 'BENCHMARKS.md', md);
process.stdout.write('\nwrote BENCHMARKS.md\n');
