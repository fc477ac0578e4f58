#!/usr/bin/env node
// make bench: runs every benchmark module, prints one table and writes BENCHMARKS.md. Each module
// exports an async function returning {rows: [{what, value, target}]}, where `target` carries
// the reference measured in the same run (GoBGP/BIRD, the kernel) or the DESIGN §8 target.
// `node scripts/run-bench.mjs "<area>" ["<area>"...]` runs those areas and replaces only their rows
// in BENCHMARKS.md (the other areas' rows, from an earlier run, stay as they were, with the date
// each was measured). The load benches ('L2 failover',
// 'load burst', 'BGP scale') take HERALD_BENCH_QUICK=1 for a small-N check; see each module.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const modules = [
  { area: 'config', file: 'bench/dist/src/config.js', fn: 'benchConfig' },
  { area: 'allocator', file: 'bench/dist/src/allocator.js', fn: 'benchAllocator' },
  { area: 'controller e2e', file: 'test/dist/src/bench/controller-e2e.js', fn: 'benchControllerE2e' },
  { area: 'api server', file: 'bench/dist/src/api-server/api-server.js', fn: 'benchApiServer' },
  { area: 'api server delete', file: 'test/dist/src/bench/apiserver-delete.js', fn: 'benchApiServerDelete' },
  { area: 'L2', file: 'bench/dist/src/l2.js', fn: 'benchL2' },
  { area: 'L2 failover', file: 'test/dist/src/bench/l2-failover.js', fn: 'benchL2Failover' },
  { area: 'L2 handover', file: 'test/dist/src/bench/l2-handover.js', fn: 'benchL2Handover' },
  { area: 'load burst', file: 'test/dist/src/bench/load-burst.js', fn: 'benchLoadBurst' },
  { area: 'membership', file: 'bench/dist/src/membership.js', fn: 'benchMembership' },
  { area: 'election', file: 'test/dist/src/bench/election-bench.js', fn: 'benchElection' },
  { area: 'membership scale', file: 'test/dist/src/bench/membership-scale.js', fn: 'benchMembershipScale' },
  { area: 'BGP', file: 'test/dist/src/bgp/bench.js', fn: 'benchBgp' },
  { area: 'BGP route', file: 'test/dist/src/bench/bgp-service-route.js', fn: 'benchBgpServiceRoute' },
  { area: 'BGP scale', file: 'test/dist/src/bench/bgp-scale.js', fn: 'benchBgpScale' },
  { area: 'BFD', file: 'test/dist/src/bench/bfd-failover.js', fn: 'benchBfdFailover' },
  { area: 'BGP restart', file: 'test/dist/src/bench/bgp-restart.js', fn: 'benchBgpRestart' },
  { area: 'BGP weighted', file: 'test/dist/src/bench/bgp-weighted.js', fn: 'benchBgpWeighted' },
  { area: 'memory', file: 'test/dist/src/bench/memory.js', fn: 'benchMemory' },
  // make soak only (30 min): `make bench` skips it unless named (HERALD_BENCH_SOAK=1 includes it).
  { area: 'chaos soak', file: 'test/dist/src/chaos/soak-bench.js', fn: 'benchChaosSoak', onlyWhenNamed: true },
];
const only = process.argv.slice(2);
const unknown = only.filter((a) => !modules.some((m) => m.area === a));
if (unknown.length) {
  process.stderr.write(`unknown area(s): ${unknown.join(', ')}; known: ${modules.map((m) => m.area).join(', ')}\n`);
  process.exit(2);
}
const today = new Date().toISOString().slice(0, 10);

const rows = [];
for (const m of modules) {
  if (only.length && !only.includes(m.area)) continue;
  if (m.onlyWhenNamed && !only.includes(m.area) && process.env.HERALD_BENCH_SOAK !== '1') continue;
  if (!existsSync(root + m.file)) {
    rows.push({ area: m.area, date: today, what: '(benchmark not built yet)', value: '-', target: '-' });
    continue;
  }
  process.stderr.write(`running ${m.area} benchmarks...\n`);
  try {
    const mod = await import(root + m.file);
    const res = await mod[m.fn]();
    for (const r of res.rows) rows.push({ area: m.area, ...r, date: today });
  } catch (err) {
    rows.push({ area: m.area, date: today, what: `FAILED: ${err instanceof Error ? err.message : String(err)}`, value: '-', target: '-' });
  }
}

const header = ['area', 'what', 'value', 'reference / target'];
const table = [header, ...rows.map((r) => [r.area, r.what, r.value, r.target])];
const widths = header.map((_, i) => Math.max(...table.map((r) => String(r[i]).length)));
const line = (r) => r.map((c, i) => String(c).padEnd(widths[i])).join('  ');
process.stdout.write(table.map(line).join('\n') + '\n');

/**
 * What a row measures, without its figures: its text up to the first ')' when it starts with a
 * parenthesised variant ("load burst (1,000 L2 Services, idle)", "kubectl delete -f (...)"),
 * else the whole text. A partial run replaces the variants it measured and keeps the others.
 */
export function variantKey(what) {
  const m = /^[^(:]*\([^)]*\)/.exec(what);
  return m ? m[0] : what;
}

// A partial run keeps the other areas' rows of the file, and of its own areas the variants it
// did not measure (HERALD_LOAD_BURST_N=10000 re-measures that variant only), in module order.
const mdPath = root + 'BENCHMARKS.md';
let allRows = rows;
// A full run skips the areas that run only when named (the soak): their rows stay as they were.
const skippedAreas = only.length ? [] : modules.filter((m) => m.onlyWhenNamed && process.env.HERALD_BENCH_SOAK !== '1').map((m) => m.area);
if ((only.length || skippedAreas.length) && existsSync(mdPath)) {
  const kept = [];
  const old = readFileSync(mdPath, 'utf8');
  const oldDate = /last on (\d{4}-\d\d-\d\d)|make bench` on (\d{4}-\d\d-\d\d)/.exec(old)?.slice(1).find(Boolean) ?? 'earlier';
  const measured = new Set(rows.map((r) => `${r.area}\u0000${variantKey(r.what)}`));
  for (const l of old.split('\n')) {
    const c = l.startsWith('| ') ? l.slice(2, -2).split(' | ') : [];
    if ((c.length !== 4 && c.length !== 5) || c[0] === 'area') continue;
    if (only.includes(c[0]) && measured.has(`${c[0]}\u0000${variantKey(c[1])}`)) continue;
    if (!only.length && !skippedAreas.includes(c[0])) continue;
    // A four-column row is from a file written before the column existed.
    kept.push({ area: c[0], what: c[1], value: c[2], target: c[3], date: c[4] ?? oldDate });
  }
  const order = (a) => modules.findIndex((m) => m.area === a);
  allRows = [...kept, ...rows].sort((a, b) => order(a.area) - order(b.area));
}
const mdHeader = [...header, 'measured'];
const md = [
  '# Benchmarks',
  '',
  `Written by \`make bench\` (or \`node scripts/run-bench.mjs <area>...\` for some areas; the last column says when each row was measured), last on ${new Date().toISOString()}, Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}).`,
  'References (GoBGP/BIRD as speakers, the kernel answering ARP) are measured in the same run.',
  '',
  `| ${mdHeader.join(' | ')} |`,
  `|${mdHeader.map(() => '---').join('|')}|`,
  ...allRows.map((r) => `| ${[r.area, r.what, r.value, r.target, r.date].map((c) => String(c).replaceAll('|', '/')).join(' | ')} |`),
  '',
].join('\n');
writeFileSync(mdPath, md);
process.stdout.write('\nwrote BENCHMARKS.md\n');
