// BFD that load cannot starve: a speaker's BFD session (300 ms x 3) with a peer, then the
// speaker process's main thread blocked for 2.5 s. On the packet thread (what herald-speaker
// runs) neither side sees the session go Down; the control runs the same endpoint on the blocked
// main thread, and there the peer declares it Down within the block. Two namespaces on a bridge;
// the peer is the BFD probe (test/src/bfd/probe-main.ts) in its own process.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { nsRun, Topology, uniquePrefix } from '@herald/lab';
import { skipUnless } from '@herald/testkit';
import { BfdProbe } from '../../src/bfd/probe-process.js';

const script = fileURLToPath(new URL('../../src/stall/bfd-stall-scenario.js', import.meta.url));

interface Outcome {
  mode: string;
  blockedAt: number;
  /** Before this side stops (its AdminDown, later, is not a failure). */
  reportedAt: number;
  changes: { at: number; to: string; reason: string }[];
  endState: string;
  error?: string;
}

describe('speaker: a blocked main thread does not starve BFD', function () {
  this.timeout(120_000);
  let topo: Topology | undefined;

  before(async function () {
    skipUnless(this, { root: true, tools: ['ip'] });
    topo = await Topology.create(uniquePrefix('bst'), [
      { name: 'router', addresses: ['192.0.2.1/24'], macByte: 1 },
      { name: 'node1', addresses: ['192.0.2.11/24'], macByte: 11 },
    ]);
  });

  after(async () => {
    await topo?.destroy();
  });

  async function trial(mode: 'packet' | 'control'): Promise<{ o: Outcome; peerDowns: { to: string; reason: string; at: number }[] }> {
    const probe = BfdProbe.start(topo!.ns('router'), [{ key: 'r', peer: '192.0.2.11', local: '192.0.2.1', intervalMs: 300, multiplier: 3 }]);
    try {
      const out = await nsRun(topo!.ns('node1'), [process.execPath, script, '--mode', mode, '--peer', '192.0.2.1', '--local', '192.0.2.11', '--block-ms', '2500', '--quiet-ms', '2000'], { timeoutMs: 40_000 });
      const o = JSON.parse(out.trim().split('\n').pop() ?? '{}') as Outcome;
      if (o.error) throw new Error(`${mode}: ${o.error}`);
      return { o, peerDowns: probe.changes.filter((c) => c.key === 'r' && c.at >= o.blockedAt && c.at <= o.reportedAt && c.to !== 'up') };
    } finally {
      await probe.stop();
    }
  }

  it('packet thread: a 2.5 s block of the main thread: the session stays Up on both sides', async () => {
    const { o, peerDowns } = await trial('packet');
    assert.deepEqual(o.changes, [], 'our side saw no change');
    assert.equal(o.endState, 'up');
    assert.deepEqual(peerDowns, [], 'the peer never saw it leave Up');
  });

  it('control, the endpoint on the blocked main thread: the peer declares the session Down (detect-timeout)', async () => {
    const { peerDowns } = await trial('control');
    assert.ok(peerDowns.some((c) => c.to === 'down' && c.reason === 'detect-timeout'), JSON.stringify(peerDowns));
  });
});
