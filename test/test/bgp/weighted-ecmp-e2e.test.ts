// Weighted ECMP end to end (issue 15 item 4): the whole lab (embedded API server, controller,
// real speakers, the kube-proxy stand-in, FRR 8.4), `weightByLocalEndpoints: true` on the lab's
// BGPAdvertisement. The ETP Local Service web-local's EndpointSlice gets 1 endpoint on node1 and
// 2 on node2; the speakers read it, FRR's kernel route must get weights 1:2, and 300 HTTP
// connections from the client must split about 1/3 and 2/3 (tolerance as in
// weighted-ecmp-lab.test.ts: +-10 points, 3.7 sd of a fair binomial). Changing the slice to 3
// and 1 must re-weight the route.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@herald/shared';
import { skipUnless } from '@herald/testkit';
import { Lab, nsRun, poll, sitePlan, siteNamespaces } from '@herald/lab';
import { kernelWeights } from '../../src/bgp/weighted-split.js';

const CONNECTIONS = 300;
const TOLERANCE = 0.1;

/** count sequential HTTP requests, each on a new connection, printing {node: answers}. */
const httpSplit = (ip: string, count: number): string =>
  `const http = require('http'); const seen = {}; (async () => { for (let i = 0; i < ${count}; i++) { await new Promise((res, rej) => { const r = http.get({ host: '${ip}', port: 80, path: '/', agent: false, timeout: 3000 }, (m) => { let d = ''; m.on('data', (b) => (d += b)); m.on('end', () => { const k = JSON.parse(d).node; seen[k] = (seen[k] || 0) + 1; res(); }); }); r.on('timeout', () => r.destroy(new Error('timeout'))); r.on('error', rej); }); } process.stdout.write(JSON.stringify(seen)); })().catch((e) => { console.error(e); process.exit(1); });`;

describe('weighted ECMP end to end: EndpointSlices -> speakers -> FRR kernel weights -> client split', function () {
  this.timeout(240_000);
  let lab: Lab | undefined;
  let dir: string | undefined;
  const plan = sitePlan({ prefix: `hwe${process.pid % 100000}`, router: 'frr', nodes: 3, weightedEcmp: true });
  const ns = siteNamespaces(plan);
  const [n1, n2] = [plan.nodes[0]!.ip4, plan.nodes[1]!.ip4];
  let ip = '';
  const figures: Record<string, unknown> = {};

  const waitWeights = (what: string, pred: (w: Map<string, number>) => boolean): Promise<Map<string, number>> =>
    poll(`kernel weights ${what}`, async () => {
      const w = await kernelWeights(ns.router, `${ip}/32`);
      return w.size === 2 && w.has(n1) && w.has(n2) && pred(w) ? w : undefined;
    }, { tries: 300, intervalMs: 100 });
  const split = async (): Promise<Record<string, number>> => JSON.parse(await nsRun(ns.client, [process.execPath, '-e', httpSplit(ip, CONNECTIONS)], { timeoutMs: 90_000 })) as Record<string, number>;

  before(async function () {
    skipUnless(this, { root: true, tools: ['ip', 'nft', 'vtysh', '/usr/lib/frr/bgpd', '/usr/lib/frr/zebra'] });
    dir = mkdtempSync(join(tmpdir(), 'herald-weighted-e2e-'));
    lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'warn' }));
    ip = await poll('web-local has an IP', async () => (await lab!.status()).services.find((s) => s.name === 'web-local')?.ips.find((x) => !x.includes(':')), { tries: 120, intervalMs: 500 });
  });

  after(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    if (Object.keys(figures).length) process.stdout.write(`weighted-ecmp e2e figures ${JSON.stringify(figures)}\n`);
  });

  it('1 endpoint on node1 and 2 on node2: kernel weights 1:2 and about 1/3 of 300 connections to node1', async () => {
    await lab!.scale('web-local', ['node1', 'node2', 'node2']);
    const w = await waitWeights('node2 twice node1', (x) => Math.abs(x.get(n2)! / x.get(n1)! - 2) <= 0.2);
    const got = await split();
    figures['1:2'] = { kernelWeights: Object.fromEntries(w), split: got };
    assert.equal((got['node1'] ?? 0) + (got['node2'] ?? 0), CONNECTIONS, JSON.stringify(got));
    const share = (got['node1'] ?? 0) / CONNECTIONS;
    assert.ok(Math.abs(share - 1 / 3) <= TOLERANCE, `node1 share ${share} (${JSON.stringify(got)}), want 1/3 +- ${TOLERANCE}`);
  });

  it('3 on node1 and 1 on node2: the speakers re-weight the route to 3:1', async () => {
    await lab!.scale('web-local', ['node1', 'node1', 'node1', 'node2']);
    const w = await waitWeights('node1 three times node2', (x) => Math.abs(x.get(n1)! / x.get(n2)! - 3) <= 0.3);
    const got = await split();
    figures['3:1'] = { kernelWeights: Object.fromEntries(w), split: got };
    const share = (got['node1'] ?? 0) / CONNECTIONS;
    assert.ok(Math.abs(share - 3 / 4) <= TOLERANCE, `node1 share ${share} (${JSON.stringify(got)}), want 3/4 +- ${TOLERANCE}`);
  });

  it('1 and 1: equal weights again', async () => {
    await lab!.scale('web-local', ['node1', 'node2']);
    const w = await waitWeights('equal', (x) => x.get(n1) === x.get(n2));
    figures['1:1'] = { kernelWeights: Object.fromEntries(w) };
  });
});
