// Speaker membership end to end: three node namespaces on a bridge, each running the real
// Membership shell over real UDP (test/src/membership/member-node.ts). The Lease side is a stub
// (static members, renewals always succeed) until the embedded API server is wired in.
// Timings here are generous upper bounds; the fine figures are in bench/src/membership.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Topology, uniquePrefix } from '@herald/lab';
import { skipUnless } from '@herald/testkit';
import { MemberProcess, type ViewLine } from '../../src/membership/member-process.js';

const nodes = [
  { name: 'node1', v4: '192.0.2.11', v6: '2001:db8::11', mac: 0x11 },
  { name: 'node2', v4: '192.0.2.12', v6: '2001:db8::12', mac: 0x12 },
  { name: 'node3', v4: '192.0.2.13', v6: '2001:db8::13', mac: 0x13 },
];
const ALL = nodes.map((n) => n.name);
const isDead = (who: string) => (l: ViewLine): boolean => (l.members?.[who] ?? '').startsWith('dead');
const allLiveUnfenced = (l: ViewLine): boolean => l.event === 'view' && l.fenced === false && JSON.stringify(l.live) === JSON.stringify(ALL);

describe('speaker membership over real UDP (3 netns nodes)', function () {
  this.timeout(120_000);
  let topo: Topology | undefined;
  let dir = '';
  const procs = new Map<string, MemberProcess>();

  function start(name: string, family: 'v4' | 'v6' = 'v4'): MemberProcess {
    const peers = nodes.flatMap((n) => ['--peer', `${n.name}=${n[family]}`]);
    const p = MemberProcess.start(topo!.ns(name), name, ['--key-file', join(dir, 'key'), ...peers]);
    procs.set(name, p);
    return p;
  }

  async function stopAll(): Promise<void> {
    for (const p of procs.values()) await p.stop();
    procs.clear();
  }

  async function startAll(family: 'v4' | 'v6' = 'v4'): Promise<void> {
    for (const n of nodes) start(n.name, family);
    for (const p of procs.values()) await p.waitFor('all live and unfenced', allLiveUnfenced, 15_000);
  }

  before(async function () {
    skipUnless(this, { root: true, tools: ['ip'] });
    dir = mkdtempSync(join(tmpdir(), 'herald-mb-'));
    writeFileSync(join(dir, 'key'), 'e2e-heartbeat-key-0123456789abcdef\n', { mode: 0o600 });
    topo = await Topology.create(uniquePrefix('mb'), nodes.map((n) => ({ name: n.name, addresses: [`${n.v4}/24`, `${n.v6}/64`], macByte: n.mac })));
  });

  after(async () => {
    await stopAll();
    await topo?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  afterEach(stopAll);

  it('three nodes see each other live and none is fenced', async () => {
    await startAll();
  });

  it('kill -9 of one node: the others declare it dead quickly (< 2 s), by corroboration', async () => {
    await startAll();
    const t0 = Date.now();
    await procs.get('node3')!.stop('SIGKILL');
    const seen = await Promise.all(['node1', 'node2'].map((n) => procs.get(n)!.waitFor('node3 dead', (l) => l.wallMs >= t0 && isDead('node3')(l), 10_000)));
    for (const l of seen) assert.equal(l.members?.['node3'], 'dead:heartbeat-silent-corroborated');
    const took = Math.max(...seen.map((l) => l.wallMs)) - t0;
    assert.ok(took < 2000, `declared dead after ${took} ms`);
    assert.equal(procs.get('node1')!.view?.fenced, false, 'a survivor fenced itself');
  });

  it('SIGSTOP: the frozen node is declared dead; after SIGCONT it rejoins', async () => {
    await startAll();
    const p2 = procs.get('node2')!;
    const t0 = Date.now();
    p2.signal('SIGSTOP');
    await procs.get('node1')!.waitFor('node2 dead', (l) => l.wallMs >= t0 && isDead('node2')(l), 10_000);
    const t1 = Date.now();
    p2.signal('SIGCONT');
    await p2.waitFor('node2 unfenced with all live again', (l) => l.wallMs >= t1 && allLiveUnfenced(l), 15_000);
    await procs.get('node1')!.waitFor('node2 live again', (l) => l.wallMs >= t1 && l.members?.['node2'] === 'live', 15_000);
  });

  it('link cut: the cut-off node fences itself before the others declare it dead; restored, it rejoins', async () => {
    await startAll();
    const t0 = Date.now();
    await topo!.setLink('node3', false);
    try {
      const fenced = await procs.get('node3')!.waitFor('node3 fenced', (l) => l.wallMs >= t0 && l.fenced === true, 10_000);
      assert.equal(fenced.reason, 'no-quorum');
      const deaths = await Promise.all(['node1', 'node2'].map((n) => procs.get(n)!.waitFor('node3 dead', (l) => l.wallMs >= t0 && isDead('node3')(l), 10_000)));
      for (const d of deaths) assert.ok(fenced.wallMs < d.wallMs, `node3 fenced at +${fenced.wallMs - t0} ms but was declared dead at +${d.wallMs - t0} ms`);
    } finally {
      await topo!.setLink('node3', true);
    }
    const t1 = Date.now();
    await procs.get('node3')!.waitFor('node3 rejoined', (l) => l.wallMs >= t1 && allLiveUnfenced(l), 15_000);
  });

  it('SIGTERM: graceful leave, acked by both peers, who see it as left', async () => {
    await startAll();
    const p3 = procs.get('node3')!;
    p3.signal('SIGTERM');
    const left = await p3.waitFor('left', (l) => l.event === 'left', 10_000);
    assert.equal(left.outcome, 'all-acked');
    assert.deepEqual(left.acked, ['node1', 'node2']);
    const l1 = await procs.get('node1')!.waitFor('node3 left', (l) => l.members?.['node3'] === 'dead:left', 5000);
    assert.ok(l1);
  });

  it('IPv6 heartbeats work the same', async () => {
    await startAll('v6');
    const t0 = Date.now();
    await procs.get('node1')!.stop('SIGKILL');
    await procs.get('node2')!.waitFor('node1 dead over IPv6', (l) => l.wallMs >= t0 && isDead('node1')(l), 10_000);
  });
});
