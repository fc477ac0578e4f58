// `herald-lab chaos --duration D --seed S [--faults LIST] [--out DIR] [--router bird|frr] [--bfd]`
// (lab/src/main.ts runs this file): a seeded chaos run in a lab of its own, its report written to
// DIR (chaos.md, chaos.svg, chaos.json). Exit 0 with no enforced violation, 1 with some, 2 on
// bad usage or a run that could not happen.
import { parseArgs } from 'node:util';
import { createLogger } from '@herald/shared';
import { whyCannotRun } from '@herald/testkit';
import { enforcedViolations, kindRows } from './report.js';
import { CHAOS_TOOLS, ENFORCED_TODAY } from './policy.js';
import { parseDuration } from './duration.js';
import { runChaos } from './run.js';
import { FAULT_KINDS, parseFaultKinds } from './schedule.js';

const usage = `herald-lab chaos --duration D --seed S [--faults LIST] [--out DIR] [--router bird|frr] [--bfd]
  D: 150s, 5m, 1h. S: an integer (same seed, same schedule). LIST: comma-separated, of
  ${FAULT_KINDS.join(', ')} (default: all).
  Fails (exit 1) on a violation of an enforced invariant that is not a known open defect
  (test/src/chaos/policy.ts; docs/chaos.md).`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      duration: { type: 'string' },
      seed: { type: 'string' },
      faults: { type: 'string' },
      out: { type: 'string', default: 'chaos-report' },
      router: { type: 'string', default: 'bird' },
      bfd: { type: 'boolean', default: false },
      'keep-lab-dir': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(usage + '\n');
    return 0;
  }
  if (values.duration === undefined || values.seed === undefined) throw new Error(`--duration and --seed are required\n${usage}`);
  const durationMs = parseDuration(values.duration);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed: want an integer, not ${JSON.stringify(values.seed)}`);
  const kinds = values.faults === undefined ? [...FAULT_KINDS] : parseFaultKinds(values.faults);
  if (values.router !== 'bird' && values.router !== 'frr') throw new Error(`--router: bird or frr, not ${JSON.stringify(values.router)}`);
  const why = whyCannotRun({ root: true, tools: CHAOS_TOOLS[values.router] });
  if (why) throw new Error(`chaos needs the lab: ${why}`);
  const log = createLogger({ component: 'chaos', level: 'info' });
  const { result, files } = await runChaos({
    seed,
    durationMs,
    kinds,
    outDir: values.out,
    router: values.router,
    bfd: values.bfd,
    log,
    keepLabDir: values['keep-lab-dir'],
    enforced: ENFORCED_TODAY,
  });
  const rows = kindRows(result);
  process.stdout.write(`\nfault                n   outage during (p50/p95/max)   after heal (p50/p95/max)   violations a b c d e f g\n`);
  for (const r of rows) process.stdout.write(`${r.kind.padEnd(20)} ${String(r.faults).padStart(2)}  ${r.during.padEnd(28)}  ${r.after.padEnd(25)}  ${Object.values(r.violations).join(' ')}\n`);
  const bad = enforcedViolations(result);
  process.stdout.write(`\n${result.violations.length} violations (${bad.length} of enforced invariants ${result.enforced.join(',')}); report: ${files.md}, timeline: ${files.svg}\n`);
  return bad.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`herald-lab chaos: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(2);
  },
);
