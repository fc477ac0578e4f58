// Scenario tests of the liveness rule on a simulated cluster (FakeClock, no sleeps). Every
// scenario checks the invariant "no IP has two claimers" every 5 simulated ms.
import { strict as assert } from 'node:assert';
import { Sim } from './sim.js';

/** Runs until every observer sees subject dead (or maxMs); returns the time it took. */
function timeUntilDead(sim: Sim, subject: string, observers: string[], maxMs: number): number {
  const t0 = sim.clock.now();
  const end = sim.run(maxMs, { until: () => observers.every((o) => sim.status(o, subject).startsWith('dead')) });
  return end - t0;
}

/** Lets the cluster settle: quorum mode needs the 600 ms rejoin, lease mode the 5 s one. */
function warm(sim: Sim): void {
  sim.run(sim.nodes.size <= 2 ? 6000 : 2000);
  for (const n of sim.nodes.keys()) assert.equal(sim.fenced(n), undefined, `${n} still fenced after warm-up`);
}

describe('membership/liveness (simulated cluster)', () => {
  describe('steady state', () => {
    const cases = [{ desc: '3 nodes', input: 3 }, { desc: '5 nodes', input: 5 }];
    for (const c of cases) {
      it(`${c.desc}: nobody fenced, every IP has exactly one claimer`, () => {
        const sim = new Sim({ nodes: c.input });
        warm(sim);
        const claims = sim.check();
        for (const [ip, who] of claims) assert.equal(who.length, 1, `${ip}: ${who.join(',')}`);
        assert.deepEqual(sim.violations, []);
      });
    }
  });

  describe('a killed peer is declared dead by the others within 1 s (simulated)', () => {
    const cases = [
      { desc: '3 nodes', input: { nodes: 3 }, want: 'dead:heartbeat-silent-corroborated' },
      { desc: '5 nodes', input: { nodes: 5 }, want: 'dead:heartbeat-silent-corroborated' },
    ];
    for (const c of cases) {
      it(c.desc, () => {
        const sim = new Sim({ nodes: c.input.nodes });
        warm(sim);
        sim.kill('node1');
        const others = [...sim.nodes.keys()].filter((n) => n !== 'node1');
        const took = timeUntilDead(sim, 'node1', others, 3000);
        for (const o of others) assert.equal(sim.status(o, 'node1'), c.want);
        assert.ok(took < 1000, `declared dead after ${took} simulated ms`);
        sim.run(500);
        for (const [ip, who] of sim.check()) assert.equal(who.length, 1, `${ip} has no single owner: ${who.join(',')}`);
        assert.deepEqual(sim.violations, []);
      });
    }
  });

  it('SIGSTOP then SIGCONT: the frozen node fences on waking, then rejoins; never two claimers', () => {
    const sim = new Sim({ nodes: 3 });
    warm(sim);
    sim.freeze('node2', true);
    timeUntilDead(sim, 'node2', ['node1', 'node3'], 3000);
    assert.match(sim.status('node1', 'node2'), /^dead/);
    sim.freeze('node2', false);
    assert.equal(sim.fenced('node2'), 'no-quorum');
    sim.run(3000);
    assert.equal(sim.fenced('node2'), undefined);
    assert.equal(sim.status('node1', 'node2'), 'live');
    assert.deepEqual(sim.violations, []);
  });

  it('a node cut off from everything fences itself before any peer declares it dead', () => {
    const sim = new Sim({ nodes: 3 });
    warm(sim);
    const t0 = sim.clock.now();
    sim.isolate('node3', true);
    let fencedAt: number | undefined;
    let deadAt: number | undefined;
    sim.run(3000, {
      stepMs: 1,
      until: () => {
        const now = sim.clock.now();
        if (fencedAt === undefined && sim.fenced('node3')) fencedAt = now;
        if (deadAt === undefined && ['node1', 'node2'].some((o) => sim.status(o, 'node3').startsWith('dead'))) deadAt = now;
        return fencedAt !== undefined && deadAt !== undefined;
      },
    });
    assert.ok(fencedAt !== undefined && deadAt !== undefined, 'no fence or no death');
    assert.ok(fencedAt < deadAt, `fenced at +${fencedAt - t0} ms, declared dead at +${deadAt - t0} ms`);
    sim.run(500);
    assert.equal(sim.fenced('node3'), 'no-quorum');
    assert.equal(sim.status('node2', 'node3'), 'dead:heartbeat-silent-corroborated');
    assert.equal(sim.status('node1', 'node3'), 'dead:heartbeat-silent-corroborated');
    // Heal: node3 rejoins and takes its IPs back, still never two claimers.
    sim.isolate('node3', false);
    sim.run(3000);
    assert.equal(sim.fenced('node3'), undefined);
    assert.equal(sim.status('node1', 'node3'), 'live');
    assert.deepEqual(sim.violations, []);
  });

  it('a node cut off from its peers but not from the API self-fences; no second owner', () => {
    const sim = new Sim({ nodes: 3 });
    warm(sim);
    sim.isolate('node1', true, false);
    sim.run(3000);
    assert.equal(sim.fenced('node1'), 'no-quorum');
    assert.equal(sim.status('node2', 'node1'), 'dead:heartbeat-silent-corroborated');
    assert.deepEqual(sim.violations, []);
  });

  describe('asymmetric partitions', () => {
    it('A hears B but B does not hear A (3 nodes): A stays the owner, B keeps A suspect', () => {
      const sim = new Sim({ nodes: 3 });
      warm(sim);
      sim.cuts.add('node1>node2');
      sim.run(5000);
      assert.equal(sim.fenced('node1'), undefined);
      assert.equal(sim.fenced('node2'), undefined);
      assert.equal(sim.status('node2', 'node1'), 'suspect:heartbeat-silent-uncorroborated');
      assert.equal(sim.status('node3', 'node1'), 'live');
      for (const [ip, who] of sim.check()) assert.equal(who.length, 1, `${ip}: ${who.join(',')}`);
      assert.deepEqual(sim.violations, []);
    });

    it('nobody hears A but A hears everyone: A learns it from heard-lists and fences first', () => {
      const sim = new Sim({ nodes: 3 });
      warm(sim);
      sim.cuts.add('node1>node2');
      sim.cuts.add('node1>node3');
      sim.run(3000);
      assert.equal(sim.fenced('node1'), 'no-quorum');
      assert.equal(sim.status('node2', 'node1'), 'dead:heartbeat-silent-corroborated');
      assert.deepEqual(sim.violations, []);
    });
  });

  describe('1-2 members: no quorum exists, Kubernetes decides', () => {
    it('a killed peer is only suspect until its Lease expires', () => {
      const sim = new Sim({ nodes: 2, leaseDurationMs: 10_000 });
      warm(sim);
      sim.kill('node2');
      sim.run(3000);
      assert.equal(sim.status('node1', 'node2'), 'suspect:heartbeat-silent-lease-mode');
      sim.run(10_000);
      assert.equal(sim.status('node1', 'node2'), 'dead:lease-expired');
      assert.deepEqual(sim.violations, []);
    });

    it('a link cut between two nodes that both reach the API: both stay owners of their own IPs', () => {
      const sim = new Sim({ nodes: 2 });
      warm(sim);
      sim.isolate('node1', true, false);
      sim.run(20_000);
      assert.equal(sim.fenced('node1'), undefined);
      assert.equal(sim.fenced('node2'), undefined);
      assert.equal(sim.status('node2', 'node1'), 'suspect:heartbeat-silent-lease-mode');
      assert.deepEqual(sim.violations, []);
    });

    it('a node that loses the API and its peer fences at its renew deadline, before its Lease expires', () => {
      const sim = new Sim({ nodes: 2 });
      warm(sim);
      sim.isolate('node2', true, true);
      sim.run(20_000);
      assert.equal(sim.fenced('node2'), 'own-lease-not-renewed');
      assert.equal(sim.status('node1', 'node2'), 'dead:lease-expired');
      assert.deepEqual(sim.violations, []);
    });

    it('regression (chaos seed 5272): a cut-off node marked NotReady it cannot see is not declared dead before it fences', () => {
      const sim = new Sim({ nodes: 2 });
      warm(sim);
      sim.isolate('node1', true, true);
      sim.run(700);
      sim.setNodeReady('node1', false);
      sim.run(12_000);
      assert.equal(sim.fenced('node1'), 'own-lease-not-renewed');
      assert.match(sim.status('node2', 'node1'), /^dead:(node-not-ready|lease-expired)$/);
      assert.deepEqual(sim.violations, []);
    });

    it('a node that loses only the API tells its peer it is fenced, which takes over at once', () => {
      const sim = new Sim({ nodes: 2 });
      warm(sim);
      sim.setApi('node2', false);
      sim.run(7000, { until: () => sim.fenced('node2') !== undefined });
      assert.equal(sim.fenced('node2'), 'own-lease-not-renewed');
      sim.run(300);
      assert.equal(sim.status('node1', 'node2'), 'dead:peer-fenced');
      assert.deepEqual(sim.violations, []);
    });
  });

  it('restart with a new incarnation: fenced until it has a quorum, then owns its IPs again', () => {
    const sim = new Sim({ nodes: 3 });
    warm(sim);
    sim.kill('node2');
    timeUntilDead(sim, 'node2', ['node1', 'node3'], 3000);
    sim.restart('node2');
    sim.run(50);
    assert.ok(sim.fenced('node2'), 'a fresh incarnation must start fenced');
    sim.run(3000);
    assert.equal(sim.fenced('node2'), undefined);
    assert.equal(sim.status('node1', 'node2'), 'live');
    const claims = sim.check();
    assert.ok([...claims.values()].some((who) => who[0] === 'node2'), 'node2 owns nothing after rejoining');
    assert.deepEqual(sim.violations, []);
  });

  it('graceful leave: the leaver is dead for ownership as soon as its message lands', () => {
    const sim = new Sim({ nodes: 3 });
    // The two left behind drop to lease mode, where a start less than 5 s ago still waits.
    sim.run(6000);
    sim.leave('node3');
    const took = timeUntilDead(sim, 'node3', ['node1', 'node2'], 1000);
    assert.equal(sim.status('node1', 'node3'), 'dead:left');
    assert.ok(took <= 110, `took ${took} ms (one heartbeat interval + latency)`);
    for (const [ip, who] of sim.check()) assert.equal(who.length, 1, `${ip}: ${who.join(',')}`);
  });

  it('settled (readiness): a restarted speaker is unfenced at ~0.6 s but settled only past the 5 s lease-mode wait; a leave before that fences it, after it does not', () => {
    const settled = (sim: Sim, n: string): boolean => sim.node(n).lv.settled(sim.clock.now());
    const sim = new Sim({ nodes: 3 });
    warm(sim);
    sim.run(4000);
    sim.restart('node1');
    sim.run(1500);
    assert.equal(sim.fenced('node1'), undefined, 'unfenced (quorum mode)');
    assert.equal(settled(sim, 'node1'), false, 'not yet settled: readiness would stop the next node now');
    // What a rollout that did not wait would do: the next node leaves, two members are left.
    sim.leave('node2');
    sim.run(200);
    assert.equal(sim.fenced('node1'), 'rejoining', 'the young speaker fences in lease mode');
    sim.run(4000);
    assert.equal(settled(sim, 'node1'), true);
    assert.equal(sim.fenced('node1'), undefined);
    const later = new Sim({ nodes: 3 });
    warm(later);
    later.run(4000);
    assert.equal(settled(later, 'node1'), true, 'past 5 s');
    later.leave('node2');
    later.run(200);
    assert.equal(later.fenced('node1'), undefined, 'a settled speaker stays unfenced when the site drops to two');
  });

  describe('Node NotReady', () => {
    it('the node fences itself at once and says so; once silent, the Kubernetes reason shows', () => {
      const sim = new Sim({ nodes: 3 });
      warm(sim);
      sim.setNodeReady('node3', false);
      sim.run(50);
      assert.equal(sim.fenced('node3'), 'own-node-not-ready');
      sim.run(150);
      assert.equal(sim.status('node1', 'node3'), 'dead:peer-fenced');
      sim.kill('node3');
      sim.run(1000);
      assert.equal(sim.status('node1', 'node3'), 'dead:heartbeat-silent-corroborated');
      sim.run(7000);
      assert.equal(sim.status('node1', 'node3'), 'dead:node-not-ready');
      assert.deepEqual(sim.violations, []);
    });
  });

  describe('API-server outage', () => {
    it('3 nodes, the API gone for everyone for 60 s: nobody fences, every IP keeps one owner', () => {
      const sim = new Sim({ nodes: 3 });
      warm(sim);
      for (const n of sim.nodes.keys()) sim.setApi(n, false);
      sim.run(60_000, { stepMs: 20 });
      for (const n of sim.nodes.keys()) assert.equal(sim.fenced(n), undefined, n);
      for (const [ip, who] of sim.check()) assert.equal(who.length, 1, `${ip}: ${who.join(',')}`);
      assert.deepEqual(sim.violations, []);
    });

    it('3 nodes, one node loses the API: it keeps its IPs while it has a heartbeat quorum', () => {
      const sim = new Sim({ nodes: 3 });
      warm(sim);
      sim.setApi('node2', false);
      sim.run(30_000, { stepMs: 20 });
      assert.equal(sim.fenced('node2'), undefined);
      assert.equal(sim.status('node1', 'node2'), 'live');
      assert.deepEqual(sim.violations, []);
    });

    it('2 nodes, the API gone for everyone: both fence at the renew deadline (lease mode is Kubernetes-bound)', () => {
      const sim = new Sim({ nodes: 2 });
      warm(sim);
      for (const n of sim.nodes.keys()) sim.setApi(n, false);
      sim.run(8000, { stepMs: 20 });
      for (const n of sim.nodes.keys()) assert.equal(sim.fenced(n), 'own-lease-not-renewed', n);
      assert.deepEqual(sim.violations, []);
    });
  });
});
