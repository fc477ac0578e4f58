// Randomised partitions (either direction), kills, restarts, freezes, API loss, NotReady flaps,
// Lease deletions and heartbeat loss on the simulated cluster: the invariant "no IP has two
// claimers" is checked every 5 simulated ms. Seeded, so a failure is reproducible. (Thousands of
// further seeds were run offline the same way while developing the rule.)
import { strict as assert } from 'node:assert';
import { rendezvousOwner, Sim } from './sim.js';
import type { LivenessView } from '../../src/membership/liveness.js';

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 16) % n;
  };
}

function chaos(seed: number, nodes: number, ms: number, lossRate = 0): { sim: Sim; deaths: number; fences: number } {
  const sim = new Sim({ nodes, ips: 20, lossRate, seed, informerLagMs: 5 + (seed % 3) * 60, latencyMs: 1 + (seed % 4) * 3 });
  const r = rng(seed);
  const names = [...sim.nodes.keys()];
  const pick = (): string => names[r(names.length)] ?? 'node1';
  sim.run(2000);
  let deaths = 0;
  let fences = 0;
  const end = sim.clock.now() + ms;
  while (sim.clock.now() < end) {
    const a = pick();
    const b = pick();
    switch (r(10)) {
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
    sim.run(200 + r(1500));
    for (const o of names) {
      if (sim.node(o).state !== 'running') continue;
      for (const s of names) if (s !== o && sim.status(o, s).startsWith('dead')) deaths++;
      if (sim.fenced(o)) fences++;
    }
  }
  return { sim, deaths, fences };
}

describe('membership/liveness chaos (seeded, simulated)', () => {
  const cases: { desc: string; input: { seed: number; nodes: number; loss?: number } }[] = [
    { desc: 'seed 1, 3 nodes', input: { seed: 1, nodes: 3 } },
    { desc: 'seed 2, 3 nodes', input: { seed: 2, nodes: 3 } },
    { desc: 'seed 3, 4 nodes', input: { seed: 3, nodes: 4 } },
    { desc: 'seed 4, 5 nodes', input: { seed: 4, nodes: 5 } },
    { desc: 'seed 5, 2 nodes', input: { seed: 5, nodes: 2 } },
    { desc: 'seed 6, 3 nodes, 20% heartbeat loss', input: { seed: 6, nodes: 3, loss: 0.2 } },
    { desc: 'seed 7, 4 nodes, 10% heartbeat loss', input: { seed: 7, nodes: 4, loss: 0.1 } },
  ];
  for (const c of cases) {
    it(`${c.desc}: never two claimers for one IP`, () => {
      const { sim, deaths, fences } = chaos(c.input.seed, c.input.nodes, 60_000, c.input.loss);
      assert.deepEqual(sim.violations.slice(0, 5), []);
      assert.ok(deaths > 0 && fences > 0, `chaos did not exercise the rule (deaths ${deaths}, fences ${fences})`);
    });
  }

  it('control: the checker catches a node that ignores its fence', () => {
    const sim = new Sim({ nodes: 3 });
    sim.run(2000);
    const rogue = sim.node('node3');
    const real = rogue.lv.view.bind(rogue.lv);
    rogue.lv.view = (now: number): LivenessView => {
      const v = real(now);
      return { ...v, fence: { fenced: false }, live: new Set([...v.live, 'node3']) };
    };
    sim.isolate('node3', true);
    sim.run(3000);
    assert.ok(sim.violations.length > 0, 'a rogue node answering while cut off went unnoticed');
    assert.ok(sim.ips.some((ip) => rendezvousOwner(new Set(['node1', 'node2', 'node3']), ip) === 'node3'));
  });
});
