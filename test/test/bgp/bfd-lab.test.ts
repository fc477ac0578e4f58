// BFD in the lab, end to end: real speakers (BFD on their packet thread) with a BGPPeer whose
// bfdProfile is 300 ms x 3, against FRR (bgpd `neighbor ... bfd`, bfdd) and BIRD (`bfd on`,
// `protocol bfd`). The router's own CLI shows each node's BFD session Up, BGPSessionState shows
// bfdState Up, and a frozen speaker or a cut link loses its next hop at the router in about a
// second, where the BGP hold timer (9 s here) would take 7-9 s.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { createLogger, type BGPSessionStateStatus } from '@herald/shared';
import { skipUnless } from '@herald/testkit';
import { Lab, poll, sitePlan, siteNamespaces, type RouterKind } from '@herald/lab';
import { timeUntil } from '../../src/bfd/next-hops.js';
import { freeze } from '../../src/bgp/freeze.js';
import { lossTrial, TRIAL_PREFIX as PREFIX, waitAllBack } from '../../src/bfd/trial.js';

/** BFD detection (900 ms), the router's reaction and our 20 ms polling; the hold timer is 9 s. */
const WITHIN_MS = 2000;

for (const kind of ['frr', 'bird'] as RouterKind[]) {
  describe(`BFD in the lab with ${kind}: BFD Down takes the node's next hop away at once`, function () {
    this.timeout(240_000);
    let lab: Lab | undefined;
    let dir = '';
    const plan = sitePlan({ prefix: `hbl${kind[0]}${process.pid % 10000}`, router: kind, nodes: 2, bfd: true });
    const ns = siteNamespaces(plan);

    before(async function () {
      skipUnless(this, { root: true, tools: ['ip', 'nft', 'bird', 'birdc', 'vtysh', '/usr/lib/frr/bfdd'] });
      dir = mkdtempSync(join(tmpdir(), 'herald-bfd-lab-'));
      lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'warn' }));
    });

    after(async () => {
      await lab?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const waitBoth = (what: string): Promise<void> => waitAllBack(lab!, plan, what);

    it("comes up: both next hops, and the router's own CLI shows each node's BFD session Up", async () => {
      await waitBoth('start');
    });

    it('BGPSessionState shows bfdState Up for each node', async () => {
      const custom = lab!.kubeConfig().makeApiClient(CustomObjectsApi);
      await poll('BGPSessionState bfdState Up on both nodes', async () => {
        const l = (await custom.listNamespacedCustomObject({ group: 'herald.dev', version: 'v1beta1', namespace: plan.namespace, plural: 'bgpsessionstates' })) as { items: { status?: BGPSessionStateStatus }[] };
        const up = l.items.filter((i) => i.status?.state === 'Established' && i.status.bfdState === 'Up').map((i) => i.status?.node);
        return plan.nodes.every((n) => up.includes(n.name)) ? true : undefined;
      }, { tries: 100, intervalMs: 200 });
    });

    it(`node2's speaker frozen: the router drops its next hop within ${WITHIN_MS} ms (hold timer: 9 s)`, async () => {
      const ms = await lossTrial(lab!, plan, 'node2', 'freeze', 12_000);
      assert.ok(ms !== undefined && ms < WITHIN_MS, `next hop gone after ${String(ms)} ms`);
      process.stderr.write(`    [${kind}] frozen speaker -> next hop gone: ${ms} ms\n`);
    });

    if (kind === 'frr') {
      it("FRR's bfdd frozen (bgpd still running): our speakers see BFD Down and tear BGP down themselves, so bgpd drops the next hops", async () => {
        const t0 = Date.now();
        const frozen = await freeze(ns.router, 'bfdd');
        let ms: number | undefined;
        try {
          // Only our side can end these BGP sessions now: bfdd cannot tell bgpd anything.
          ms = await timeUntil(ns.router, PREFIX, (h) => h.length === 0, t0, 12_000);
        } finally {
          frozen.thaw();
        }
        assert.ok(ms !== undefined && ms < WITHIN_MS, `next hops gone after ${String(ms)} ms`);
        process.stderr.write(`    [${kind}] router's bfdd frozen -> our BGP teardown -> next hops gone: ${ms} ms\n`);
        await waitBoth('bfdd thawed');
      });
    }

    it(`node1's link cut: the router drops its next hop within ${WITHIN_MS} ms`, async () => {
      const ms = await lossTrial(lab!, plan, 'node1', 'cut', 12_000);
      assert.ok(ms !== undefined && ms < WITHIN_MS, `next hop gone after ${String(ms)} ms`);
      process.stderr.write(`    [${kind}] link cut -> next hop gone: ${ms} ms\n`);
    });
  });
}
