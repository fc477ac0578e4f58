// The Membership shell when its own event loop stalls, on modelled libuv loops (loop-world.ts):
// the shell notices the stall from its late evaluation tick, reads what queued before it judges
// or speaks, and so a stall below the bound of liveness.ts costs nothing. The controls run the
// same stalls with the judgment made at once (as a plain late timer would) or with the stall
// unnoticed, and show the fences and suspicions the mechanism exists to prevent. Invariant (I)
// is checked after every loop turn of every node, on what the shell exposes: the live set of its
// latest change (what the packet thread acts on) and isFenced() (what it asks per packet).
import { strict as assert } from 'node:assert';
import { createLogger } from '@herald/shared/log';
import type { MemberFacts } from '../../src/membership/liveness.js';
import { Membership, type MembershipOptions } from '../../src/membership/membership.js';
import { World } from './loop-world.js';

const key = Buffer.from('s'.repeat(32));
const log = createLogger({ component: 'test', sink: () => undefined });

function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s >>> 16) % n;
  };
}

interface Node {
  readonly m: Membership;
  /** The live set of its latest change (undefined before the first). */
  live: ReadonlySet<string> | undefined;
  /** After warm-up: fenced changes, and member statuses other than live. */
  readonly fences: string[];
  readonly notLive: string[];
}

function cluster(n: number, o: { seed?: number; socketBuffer?: Record<string, number>; shell?: Record<string, Partial<MembershipOptions>> } = {}) {
  const world = new World();
  const names = Array.from({ length: n }, (_, i) => `node${i + 1}`);
  const facts = new Map<string, MemberFacts>(names.map((name) => [name, { lease: { renewKey: `${name}-1`, durationMs: 10_000 }, nodeReady: true }]));
  const addresses = new Map(names.map((name) => [name, [name]]));
  const nodes = new Map<string, Node>();
  let warm = false;
  let r = o.seed ?? 1;
  for (const name of names) {
    const loop = world.loop(name, o.socketBuffer?.[name]);
    const m = new Membership({
      node: name, keys: [key], transport: world.transport(name), clock: loop, log, defer: (fn) => loop.setImmediate(fn),
      wallNow: () => 1_000_000 + r, random16: () => r++, ...o.shell?.[name],
    });
    const node: Node = { m, live: undefined, fences: [], notLive: [] };
    m.onChange((c) => {
      node.live = c.live;
      if (!warm) return;
      if (c.fenced) node.fences.push(`t=${world.now} ${c.view.fence.fenced ? c.view.fence.reason.type : ''}`);
      for (const [member, status] of c.changed) if (status !== 'live') node.notLive.push(`t=${world.now} ${member} ${status}`);
    });
    m.setMembers(facts, addresses);
    // The Lease keeper lives in the main thread; its renewals reach the packet thread as messages.
    const renew = (): void => {
      m.ownLeaseRenewed(loop.now(), `${name}@${loop.now()}`);
      loop.setTimeout(renew, 2000);
    };
    renew();
    m.start();
    nodes.set(name, node);
  }
  const violations: string[] = [];
  /** (I) on what the shells expose: an unfenced node that has P dead, while P answers. */
  const check = (): void => {
    for (const [on, on_] of nodes) {
      const ol = world.loops.get(on);
      if (!ol || ol.stalled || !on_.live || on_.m.isFenced()) continue;
      for (const [pn, p] of nodes) {
        const pl = world.loops.get(pn);
        if (pn === on || !pl || pl.stalled || on_.live.has(pn) || p.m.isFenced()) continue;
        violations.push(`t=${world.now} ${on} has ${pn} dead while ${pn} is unfenced`);
      }
    }
  };
  const run = (ms: number): void => world.run(ms, check);
  run(2000);
  for (const [name, node] of nodes) assert.equal(node.m.isFenced(), false, `${name} fenced after warm-up`);
  warm = true;
  return { world, nodes, names, violations, run, get: (name: string) => nodes.get(name)! };
}

describe('membership/membership: stalls of its own event loop (modelled libuv loops)', () => {
  describe('one node stalls now and then, up to 300 ms, nothing else happens', () => {
    const cases: {
      desc: string;
      input: { nodes: number; maxMs: number; shell?: Partial<MembershipOptions> };
      want: 'nothing' | 'the stalled node fences' | 'the stalled node suspects its peers';
    }[] = [
      { desc: '3 nodes', input: { nodes: 3, maxMs: 300 }, want: 'nothing' },
      { desc: '5 nodes', input: { nodes: 5, maxMs: 300 }, want: 'nothing' },
      {
        desc: 'control: the judgment made at once, before the queued datagrams are read (a plain late timer)',
        input: { nodes: 3, maxMs: 300, shell: { defer: (fn) => fn() } }, want: 'the stalled node fences',
      },
      {
        desc: 'control: the stall not noticed (no stall threshold)',
        input: { nodes: 3, maxMs: 450, shell: { stallThresholdMs: Infinity } }, want: 'the stalled node suspects its peers',
      },
    ];
    for (const c of cases) {
      it(`${c.desc}: ${c.want}`, () => {
        const k = cluster(c.input.nodes, { shell: c.input.shell ? { node2: c.input.shell } : {} });
        const r = rng(7);
        let stalls = 0;
        for (let i = 0; i < 20; i++) {
          k.run(300 + r(700));
          k.world.loops.get('node2')!.stall(c.input.maxMs / 2 + r(c.input.maxMs / 2 + 1));
          stalls++;
        }
        k.run(1000);
        assert.deepEqual(k.violations, []);
        const node2 = k.get('node2');
        const others = k.names.filter((n) => n !== 'node2').map((n) => k.get(n));
        // The others hear node2 go quiet (suspect is fair: they were listening), never dead.
        for (const o of others) assert.deepEqual([...o.fences, ...o.notLive.filter((l) => !l.includes('suspect'))], []);
        if (c.input.shell?.stallThresholdMs === undefined) assert.ok(node2.m.counters.stalls >= stalls, `${node2.m.counters.stalls} stalls seen of ${stalls}`);
        switch (c.want) {
          case 'nothing':
            assert.deepEqual([...node2.fences, ...node2.notLive], []);
            break;
          case 'the stalled node fences':
            assert.ok(node2.fences.length > 0, 'no fence: the control does not show what the deferral prevents');
            break;
          case 'the stalled node suspects its peers':
            assert.ok(node2.notLive.some((l) => l.includes('suspect')), `no suspicion: ${node2.notLive.join('; ')}`);
            break;
        }
      });
    }
  });

  it('an observer that stalls 800 ms with a socket that drops what queued does not suspect its peers for it; they declare it dead and it wakes fenced', () => {
    const k = cluster(5, { socketBuffer: { node1: 8 } });
    k.world.loops.get('node1')!.stall(800);
    k.run(3000);
    assert.ok(k.world.loops.get('node1')!.dropped > 0, 'nothing was dropped: the case is not exercised');
    const node1 = k.get('node1');
    assert.deepEqual(node1.notLive.filter((l) => !l.includes('node1 ')), []);
    assert.ok(node1.fences.length > 0, 'node1 did not fence although its peers declared it dead');
    assert.ok(k.get('node2').notLive.some((l) => l.includes('node1 dead')), 'the peers did not declare node1 dead');
    assert.deepEqual(k.violations, []);
  });

  it('stalls of every length on random nodes, with cuts (either direction) and a kill: (I) holds after every loop turn', () => {
    for (const seed of [1, 2, 3]) {
      const k = cluster(5, { seed, socketBuffer: { node3: 4, node4: 40 } });
      const r = rng(seed);
      let stalls = 0;
      let deadSeen = 0;
      let fencesSeen = 0;
      let killed = false;
      for (let i = 0; i < 40; i++) {
        const a = k.names[r(5)]!;
        const b = k.names[r(5)]!;
        switch (r(7)) {
          case 0: if (a !== b) k.world.cuts.add(`${a}>${b}`); break;
          case 1: k.world.cuts.clear(); break;
          case 2: for (const x of k.names) if (x !== a) { k.world.cuts.add(`${a}>${x}`); k.world.cuts.add(`${x}>${a}`); } break;
          case 3:
            if (!killed && k.world.loops.has(a)) {
              k.get(a).m.stop();
              k.world.kill(a);
              killed = true;
            }
            break;
          default:
            k.world.loops.get(a)?.stall([30 + r(200), 200 + r(300), 500 + r(1500)][r(3)]!);
            stalls++;
        }
        k.run(200 + r(1200));
      }
      for (const n of k.nodes.values()) {
        deadSeen += n.notLive.filter((l) => l.includes(' dead')).length;
        fencesSeen += n.fences.length;
      }
      assert.deepEqual(k.violations.slice(0, 5), [], `seed ${seed}`);
      assert.ok(stalls > 10 && deadSeen > 0 && fencesSeen > 0, `seed ${seed}: stalls ${stalls}, deaths ${deadSeen}, fences ${fencesSeen}: not exercised`);
    }
  });

  it('control: the check catches a node that answers while fenced', () => {
    const k = cluster(3);
    const rogue = k.get('node3').m;
    rogue.isFenced = (): boolean => false;
    for (const x of ['node1', 'node2']) {
      k.world.cuts.add(`node3>${x}`);
      k.world.cuts.add(`${x}>node3`);
    }
    k.run(2000);
    assert.ok(k.violations.length > 0, 'a rogue node answering while cut off went unnoticed');
  });
});
