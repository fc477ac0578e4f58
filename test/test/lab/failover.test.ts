// L2 failover when the owner's cable is cut (issue 5, "Done when"): the node loses its peers and
// its API access at once. Another node must take the IP over with a gratuitous ARP that the
// router's neighbour entry follows, the cut node must not answer alongside the new owner once
// its link is back, and the IP must return to it. Outcomes only: timings are in the bench.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@herald/shared';
import { skipUnless } from '@herald/testkit';
import { Lab, sitePlan, siteNamespaces } from '@herald/lab';
import { ArpCapture } from '../../src/bench/arp-capture.js';
import { failoverTrial, type TrialResult } from '../../src/bench/l2-trial.js';

describe('L2 failover on a cut link, in the lab', function () {
  this.timeout(240_000);
  let lab: Lab | undefined;
  let capture: ArpCapture | undefined;
  let dir: string;
  let ip = '';
  const plan = sitePlan({ prefix: `hlf${process.pid % 100000}`, router: 'bird', nodes: 3 });
  const ns = siteNamespaces(plan);

  before(async function () {
    skipUnless(this, { root: true, tools: ['ip', 'nft', 'bird', 'birdc', 'tcpdump', 'arping', 'ping'] });
    dir = mkdtempSync(join(tmpdir(), 'herald-failover-e2e-'));
    lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'warn' }));
    capture = await ArpCapture.start(ns.router);
  });

  after(async () => {
    await capture?.stop();
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const cases = [1, 2, 3].map((n) => ({ desc: `cut ${n}: another node takes over, the router follows, no two owners, the IP comes back` }));
  for (const c of cases) {
    it(c.desc, async () => {
      const r: TrialResult = await failoverTrial({ lab: lab!, plan, routerNs: ns.router, capture: capture! }, 'cut');
      ip = r.ip;
      assert.notEqual(r.takeoverMs, undefined, `no gratuitous ARP for ${r.ip} from another node after cutting ${r.oldOwner}'s link`);
      assert.ok(r.newOwner && r.newOwner !== r.oldOwner, `new owner ${String(r.newOwner)}`);
      assert.ok(r.neighbour.ok, `the router's neighbour entry for ${r.ip} still says "${r.neighbour.entry}" after ${r.newOwner}'s gratuitous ARP`);
      assert.deepEqual(r.doubles, [], `requests answered by two MACs: ${JSON.stringify(r.doubles)}`);
      assert.notEqual(r.backMs, undefined, `${r.oldOwner} did not announce ${r.ip} again after its link came back`);
    });
  }

  it("the probe ran: the capture holds the router's requests and the owners' replies", () => {
    // Guards the "no two owners" assertions above against a probe that never ran.
    assert.ok(ip, 'no trial ran');
    const answered = capture!.events.filter((e) => e.op === 'reply' && e.sender === ip);
    const asked = capture!.events.filter((e) => e.op === 'request' && e.sender === plan.router.ip4 && e.target === ip);
    assert.ok(asked.length >= 10, `only ${asked.length} probe requests captured`);
    assert.ok(answered.length >= 10, `only ${answered.length} replies captured`);
  });
});
