// Offline sweep of chaos seeds (not a test): node speaker/dist/test/membership/sim-chaos-sweep.js FROM TO [SECONDS]
// Prints each seed with a violation, and a summary line. Bounded by the seed range and the run length.
import { chaosRun } from './sim-chaos.js';

const from = Number(process.argv[2] ?? 1);
const to = Number(process.argv[3] ?? from + 99);
const ms = Number(process.argv[4] ?? 40) * 1000;
let bad = 0;
let stalls = 0;
for (let seed = from; seed <= to; seed++) {
  const nodes = 2 + (seed % 6);
  const loss = [0, 0, 0.05, 0.1, 0.3][seed % 5] ?? 0;
  const { sim, stalls: s } = chaosRun(seed, nodes, ms, loss, seed % 7 === 0);
  stalls += s;
  if (sim.violations.length > 0) {
    bad++;
    process.stdout.write(`seed ${seed} (${nodes} nodes, loss ${loss}): ${sim.violations.slice(0, 3).join('; ')}\n`);
  }
}
process.stdout.write(`seeds ${from}-${to}: ${bad} with violations, ${stalls} stalls\n`);
