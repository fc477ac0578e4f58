// status and explain against the embedded API server holding a fixed cluster (golden output at a
// fixed time), through the real command line and @kubernetes/client-node.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertGolden, FIXTURES } from './golden.js';
import { startFixtureCluster, type FixtureCluster } from './cluster-fixture.js';
import { cli } from './run-cli.js';

describe('kubectl herald status / explain against the embedded API server', function () {
  this.timeout(60_000);
  let fx: FixtureCluster;
  before(async () => {
    fx = await startFixtureCluster();
  });
  after(async () => {
    await fx?.close();
    if (fx) rmSync(fx.kubeconfig, { force: true });
  });
  const k = (): string[] => ['--kubeconfig', fx.kubeconfig];

  for (const format of ['table', 'wide', 'json', 'yaml'] as const) {
    it(`status -o ${format} (golden)`, async () => {
      const r = await cli([...k(), 'status', '-o', format]);
      assert.equal(r.err, '');
      assert.equal(r.code, 0);
      assertGolden(`status.${format === 'json' || format === 'yaml' ? format : `${format}.txt`}`, r.out);
    });
  }

  it('status -n narrows the Services to one namespace', async () => {
    const r = await cli([...k(), 'status', '-n', 'shop', '-o', 'json']);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.out).services.map((s: any) => `${s.namespace}/${s.name}`), ['shop/api', 'shop/cart']);
  });

  it('status --watch refreshes, and stops when interrupted', async () => {
    const ac = new AbortController();
    let n = 0;
    const { run } = await import('../src/main.js');
    let out = '';
    const code = await run([...k(), 'status', '--watch', '--interval', '0.2'], {
      out: (t) => (out += t),
      err: () => undefined,
      now: () => Date.parse('2026-12-04T12:00:00Z'),
      sleep: () => {
        if (++n === 3) ac.abort();
        return Promise.resolve();
      },
    }, ac.signal);
    assert.equal(code, 0);
    assert.equal(out.split('POOLS (herald-system)').length - 1, 3, 'three refreshes before the interrupt');
  });

  const services = ['demo/web-l2', 'demo/pinned', 'shop/cart', 'shop/api', 'demo/wants-bgp', 'demo/other-class'];
  for (const svc of services) {
    it(`explain service ${svc} (golden)`, async () => {
      const r = await cli([...k(), 'explain', 'service', svc]);
      assert.equal(r.err, '');
      assert.equal(r.code, 0);
      assertGolden(`explain-${svc.replace('/', '-')}.txt`, r.out);
    });
  }

  it('explain service -o json carries the same answer as values', async () => {
    const r = await cli([...k(), 'explain', 'service', 'web-l2', '-n', 'demo', '-o', 'json']);
    assert.equal(r.code, 0);
    const x = JSON.parse(r.out);
    assert.equal(x.announcements.l2[0].owner, 'node1');
    assertGolden('explain-demo-web-l2.json', r.out);
  });

  it('validate --cluster merges the live objects: what applying would change, and IPs after the live ones (golden)', async () => {
    const r = await cli([...k(), 'validate', '--cluster', '-f', join(FIXTURES, 'apply/change.yaml')]);
    assert.equal(r.err, '');
    assert.equal(r.code, 0, r.out);
    assertGolden('validate-cluster.txt', r.out);
    assert.match(r.out, /^IPAddressPool herald-system\/l2-pool configured$/m);
    assert.match(r.out, /^IPAddressPool herald-system\/manual unchanged$/m);
    assert.match(r.out, /^IPAddressPool herald-system\/spare created$/m);
    // 192.0.2.200 is held by the live demo/web-l2: the new Service gets the next one.
    assert.match(r.out, /^Service demo\/new-web: would get 192\.0\.2\.201 from pool l2-pool$/m);
  });

  it('validate --cluster finds what only the merge shows: an overlap with a live pool', async () => {
    const alone = await cli(['validate', '-f', join(FIXTURES, 'apply/overlap.yaml')]);
    assert.equal(alone.code, 0, alone.out);
    const merged = await cli([...k(), 'validate', '--cluster', '-f', join(FIXTURES, 'apply/overlap.yaml')]);
    assert.equal(merged.code, 1);
    assert.match(merged.out, /^IPAddressPool herald-system\/clash spec\.addresses\[0\]: 203\.0\.113\.8\/29 overlaps 203\.0\.113\.0\/28 in IPAddressPool "bgp-pool"/m);
  });

  const errors: { desc: string; args: string[]; code: number; err: RegExp }[] = [
    { desc: 'a Service that does not exist', args: ['explain', 'service', 'demo/nope'], code: 1, err: /Service demo\/nope not found/ },
    { desc: 'a malformed reference', args: ['explain', 'service', 'a/b/c'], code: 2, err: /give the Service as NS\/NAME/ },
    { desc: 'an unknown context', args: ['--context', 'nope', 'status'], code: 2, err: /--context nope: no such context/ },
    { desc: 'an unknown subcommand', args: ['explain', 'pool', 'x'], code: 2, err: /unknown command 'pool'/ },
  ];
  for (const c of errors) {
    it(`error: ${c.desc} -> exit ${c.code}, a clear message`, async () => {
      const r = await cli([...k(), ...c.args]);
      assert.equal(r.code, c.code, r.err);
      assert.match(r.err, c.err);
    });
  }

  it('an unreachable API server: exit 2 naming the server', async () => {
    const file = join(tmpdir(), `herald-cli-dead-${process.pid}.kubeconfig`);
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    writeFileSync(file, readFileSync(fx.kubeconfig, 'utf8').replace(/server: \S+/, 'server: http://127.0.0.1:1'));
    try {
      const r = await cli(['--kubeconfig', file, 'status']);
      assert.equal(r.code, 2);
      assert.match(r.err, /^error: cannot list \S+ in herald-system from http:\/\/127\.0\.0\.1:1: /);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
