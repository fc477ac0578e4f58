// The seeded chaos driver of liveness-chaos.test.ts, importable without mocha so that many more
// seeds can be swept offline (node speaker/dist/test/membership/sim-chaos-sweep.js FROM TO).
import { Sim } from './sim.js';

export function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 16) % n;
  };
}

export function chaosRun(
  seed: number, nodes: number, ms: number, lossRate = 0, stallsOnly = false, trace?: (line: string) => void, onSim?: (sim: Sim) => void,
): { sim: Sim; deaths: number; fences: number; stalls: number } {
  const sim = new Sim({
    nodes, ips: 20, lossRate, seed, informerLagMs: 5 + (seed % 3) * 60, latencyMs: 1 + (seed % 4) * 3, jitterMs: seed % 5,
    queueCap: [0, 3, 12, 1000][seed % 4],
  });
  onSim?.(sim);
  const r = rng(seed);
  const names = [...sim.nodes.keys()];
  const pick = (): string => names[r(names.length)] ?? 'node1';
  sim.run(2000);
  let deaths = 0;
  let fences = 0;
  let stalls = 0;
  const end = sim.clock.now() + ms;
  while (sim.clock.now() < end) {
    const a = pick();
    const b = pick();
    const what = stallsOnly ? 9 : r(12);
    if (what >= 9) {
      // A stall, short or long, of one node or (sometimes) of several at once.
      const len = [20 + r(100), 100 + r(300), 300 + r(400), 600 + r(1500)][r(4)] ?? 100;
      sim.stall(a, len);
      trace?.(`t=${sim.clock.now()} stall ${a} ${len}`);
      if (r(4) === 0) {
        sim.stall(b, len - r(50));
        trace?.(`t=${sim.clock.now()} stall ${b} too`);
      }
      stalls++;
    }
    trace?.(`t=${sim.clock.now()} action ${what} a=${a} b=${b} (${sim.node(a).state})`);
    switch (what) {
      case 0: if (a !== b) sim.cuts.add(`${a}>${b}`); break;
      case 1: sim.cuts.clear(); break;
      case 2: sim.isolate(a, true, r(2) === 0); break;
      case 3: sim.isolate(a, false, true); break;
      case 4: if (sim.node(a).state === 'running') sim.kill(a); else sim.restart(a); break;
      case 5: sim.freeze(a, sim.node(a).state === 'running'); break;
      case 6: sim.setApi(a, !sim.node(a).apiOk); break;
      case 7: sim.setNodeReady(a, !sim.isReady(a)); break;
      case 8: sim.deleteLease(a); break;
      default: break;
    }
    sim.run(stallsOnly ? r(900) : 200 + r(1500));
    for (const o of names) {
      if (sim.node(o).state !== 'running') continue;
      for (const s of names) if (s !== o && sim.status(o, s).startsWith('dead')) deaths++;
      if (sim.fenced(o)) fences++;
    }
  }
  return { sim, deaths, fences, stalls };
}

