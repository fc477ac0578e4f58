// Stalls of a node's own loop on the simulated cluster (FakeClock, no sleeps): what queued is
// read on waking, in batches, with the invariant checked between batches. Below the bound of
// liveness.ts (send gap <= 2 silentAfter - 2 heartbeats: stalls up to 300 ms) nothing happens
// at all; above it the stalled node fences and rejoins, and never is there a second claimer.
import { strict as assert } from 'node:assert';
import { Sim } from './sim.js';

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 16) % n;
  };
}

/**
 * Counts, at every 5 ms step, running nodes that are fenced and (observer, subject) pairs seen
 * dead; `longest` is the most consecutive steps one node stayed fenced.
 */
function watch(sim: Sim, ms: number, each?: () => void, out?: { longest: number }): { fences: number; deaths: number } {
  let fences = 0;
  let deaths = 0;
  const run = new Map<string, number>();
  const end = sim.clock.now() + ms;
  while (sim.clock.now() < end) {
    each?.();
    sim.run(5);
    for (const [o, n] of sim.nodes) {
      if (n.state !== 'running') continue;
      const f = sim.fenced(o) !== undefined;
      if (f) fences++;
      run.set(o, f ? (run.get(o) ?? 0) + 1 : 0);
      if (out) out.longest = Math.max(out.longest, run.get(o) ?? 0);
      for (const s of sim.nodes.keys()) if (s !== o && sim.status(o, s).startsWith('dead')) deaths++;
    }
  }
  return { fences, deaths };
}

function warm(sim: Sim): void {
  sim.run(2000);
  for (const n of sim.nodes.keys()) assert.equal(sim.fenced(n), undefined, `${n} still fenced after warm-up`);
}

describe('membership/liveness stalls (simulated)', () => {
  describe('stalls below the bound, and nothing else: no fence, no death, anywhere', () => {
    const cases = [
      { desc: '3 nodes, one node stalls 300 ms', input: { nodes: 3, seed: 1, maxMs: 300, jitterMs: 0, all: false } },
      { desc: '5 nodes, random nodes stall up to 300 ms, 3 ms jitter', input: { nodes: 5, seed: 2, maxMs: 300, jitterMs: 3, all: false } },
      { desc: '7 nodes, random nodes stall up to 300 ms, 10 ms latency jitter', input: { nodes: 7, seed: 3, maxMs: 300, jitterMs: 10, all: false } },
    ];
    for (const c of cases) {
      it(c.desc, () => {
        const sim = new Sim({ nodes: c.input.nodes, seed: c.input.seed, jitterMs: c.input.jitterMs });
        warm(sim);
        const r = rng(c.input.seed);
        const names = [...sim.nodes.keys()];
        let stalls = 0;
        let next = sim.clock.now();
        const got = watch(sim, 20_000, () => {
          if (sim.clock.now() < next) return;
          const ms = c.input.maxMs - r(c.input.maxMs / 2);
          for (const n of c.input.all ? names : [names[r(names.length)]!]) sim.stall(n, ms);
          stalls++;
          next = sim.clock.now() + ms + 300 + r(700);
        });
        assert.ok(stalls >= 15, `only ${stalls} stalls`);
        assert.deepEqual(got, { fences: 0, deaths: 0 });
        assert.deepEqual(sim.violations, []);
      });
    }

    it('control: the same 300 ms stalls fence the node when its socket buffer drops what queued (the lapse is real to it)', () => {
      const sim = new Sim({ nodes: 3, queueCap: 0 });
      warm(sim);
      let next = sim.clock.now();
      const got = watch(sim, 10_000, () => {
        if (sim.clock.now() < next) return;
        sim.stall('node2', 300);
        next = sim.clock.now() + 1000;
      });
      assert.ok(sim.dropped > 0 && got.fences > 0, `dropped ${sim.dropped}, fences ${got.fences}`);
      assert.deepEqual(sim.violations, []);
    });
  });

  it('every node stalls at once (all speakers in one stuck process), up to 300 ms: no death, no rejoin; a fence lasts only until the first heartbeats land', () => {
    const sim = new Sim({ nodes: 4, seed: 4, jitterMs: 2 });
    warm(sim);
    const r = rng(4);
    const names = [...sim.nodes.keys()];
    let stalls = 0;
    let next = sim.clock.now();
    const longest = { longest: 0 };
    const got = watch(sim, 20_000, () => {
      if (sim.clock.now() < next) return;
      const ms = 300 - r(150);
      for (const n of names) sim.stall(n, ms);
      stalls++;
      next = sim.clock.now() + ms + 300 + r(700);
    }, longest);
    assert.ok(stalls >= 15, `only ${stalls} stalls`);
    assert.equal(got.deaths, 0);
    assert.ok(longest.longest <= 1, `a node stayed fenced for ${longest.longest} steps of 5 ms`);
    assert.deepEqual(sim.violations, []);
  });

  it('a stall longer than deadAfter: the others declare the node dead, it fences on waking, then rejoins', () => {
    const sim = new Sim({ nodes: 3 });
    warm(sim);
    sim.stall('node2', 1500);
    sim.run(1400);
    assert.match(sim.status('node1', 'node2'), /^dead/);
    sim.run(101);
    assert.ok(sim.fenced('node2'), 'node2 answers right after a stall its peers declared it dead in');
    sim.run(3000);
    assert.equal(sim.fenced('node2'), undefined);
    assert.equal(sim.status('node1', 'node2'), 'live');
    assert.deepEqual(sim.violations, []);
  });

  it('an observer that stalls does not accuse a peer for the time it was not listening', () => {
    const sim = new Sim({ nodes: 5, queueCap: 0 });
    warm(sim);
    // node1 reads nothing that queued (a zero-length buffer drops it all): without listening time
    // it would find everyone silent for 800 ms on waking.
    sim.stall('node1', 800);
    sim.run(800);
    for (let t = 0; t < 300; t += 5) {
      sim.run(5);
      for (const s of ['node2', 'node3', 'node4', 'node5']) assert.doesNotMatch(sim.status('node1', s), /^dead/, `${s} at +${t} ms`);
    }
    assert.deepEqual(sim.violations, []);
  });

  it('a stall that ends as a real partition begins: the stalled node fences before anyone declares it dead', () => {
    for (const ms of [100, 250, 400, 700]) {
      const sim = new Sim({ nodes: 3 });
      warm(sim);
      sim.stall('node3', ms);
      sim.run(ms - 1, { stepMs: 1 });
      sim.isolate('node3', true, false);
      let fencedAt: number | undefined;
      let deadAt: number | undefined;
      sim.run(3000, {
        stepMs: 1,
        until: () => {
          const now = sim.clock.now();
          if (fencedAt === undefined && sim.node('node3').state === 'running' && sim.fenced('node3')) fencedAt = now;
          if (deadAt === undefined && ['node1', 'node2'].some((o) => sim.status(o, 'node3').startsWith('dead'))) deadAt = now;
          return fencedAt !== undefined && deadAt !== undefined;
        },
      });
      assert.ok(fencedAt !== undefined && deadAt !== undefined, `${ms} ms: no fence or no death`);
      assert.ok(fencedAt <= deadAt, `${ms} ms stall: fenced at ${fencedAt}, declared dead at ${deadAt}`);
      assert.deepEqual(sim.violations, []);
    }
  });
});
