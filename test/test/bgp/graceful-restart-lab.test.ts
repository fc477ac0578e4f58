// Graceful restart (RFC 4724, issue 15 item 2), end to end against FRR 8.4 and BIRD 2 in the lab.
// The client probes web-local (ETP Local: node1 alone carries it) every 20 ms while node1's
// speaker is SIGKILLed and started again. With `enableGracefulRestart: true` the router keeps
// the route as stale (its own CLI says so), our new process re-advertises and sends End-of-RIB,
// and the client loses nothing; without it, in the same test, the client loses probes for as
// long as the restart takes. The router also shows what we advertised: restart time 120 s, the
// Forwarding State bit for IPv4 and IPv6, and the Restart State bit on the restarted OPEN.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@herald/shared';
import { skipUnless } from '@herald/testkit';
import { FrrRouter, Lab, poll, sitePlan, type RouterKind } from '@herald/lab';
import { waitAllBack } from '../../src/bfd/trial.js';
import { restartTrial, serviceIp, SOLE_CARRIER_SERVICE } from '../../src/bgp/restart-trial.js';
import { frrPathStale, routerGr } from '../../src/bgp/router-gr.js';

for (const kind of ['frr', 'bird'] as RouterKind[]) {
  for (const gr of [true, false]) {
    describe(`speaker SIGKILL and start with ${kind}, graceful restart ${gr ? 'on' : 'off'}`, function () {
      this.timeout(180_000);
      let lab: Lab | undefined;
      let dir = '';
      const plan = sitePlan({ prefix: `hgr${kind[0]}${gr ? 'g' : 'n'}${process.pid % 1000}`, router: kind, nodes: 2, ...(gr ? { gracefulRestart: true } : {}) });
      const node1 = plan.nodes[0]!;

      before(async function () {
        skipUnless(this, { root: true, tools: ['ip', 'nft', 'bird', 'birdc', 'vtysh'] });
        dir = mkdtempSync(join(tmpdir(), 'herald-gr-lab-'));
        lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'warn' }));
        await waitAllBack(lab, plan, 'start');
      });

      after(async () => {
        await lab?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
      });

      if (gr) {
        it("the router's CLI shows our capability: restart time 120 s, Forwarding State for IPv4 and IPv6, Restart State on a fresh process's OPEN", async () => {
          const v = await routerGr(lab!.routerDriver()!, node1);
          assert.equal(v.receivedRestartTimeS, 120);
          // FRR lists only the families its session has (the lab's: IPv4); BIRD all we sent.
          assert.deepEqual(v.preserved, kind === 'frr' ? ['ipv4'] : ['ipv4', 'ipv6']);
          assert.equal(v.rBit, true, 'the speaker had just started: its first OPEN says it restarted');
        });
      }

      it(gr ? 'the client loses no probe: the router forwards on the stale route, then takes the re-advertised one' : 'the client loses probes (the reference): the route goes with the TCP session', async () => {
        const ip = await serviceIp(lab!, SOLE_CARRIER_SERVICE);
        const r = lab!.routerDriver()!;
        let helping: boolean | undefined;
        let stale: boolean | undefined;
        const res = await restartTrial(lab!, plan, 'node1', ip, {
          whileDown: async () => {
            // Bounded: 20 x 25 ms for the router to notice the closed session.
            await poll('the router noticed the kill', async () => ((await r.sessions()).find((s) => s.peer === 'node1')?.state !== 'established' ? true : undefined), { tries: 20, intervalMs: 25 }).catch(() => undefined);
            helping = (await routerGr(r, node1)).helping;
            if (r instanceof FrrRouter) stale = await frrPathStale(r, `${ip}/32`);
          },
        });
        process.stderr.write(`    [${kind} GR ${gr ? 'on' : 'off'}] sent ${res.sent}, lost ${res.lost}, longest gap ${res.longestGapMs} ms, session back after ${res.reestablishedMs} ms; router helping: ${String(helping)}${stale === undefined ? '' : `, path stale: ${String(stale)}`}\n`);
        if (gr) {
          assert.equal(helping, true, "the router's CLI shows it helping our restart");
          if (kind === 'frr') assert.equal(stale, true, "FRR marks the kept path stale");
          assert.equal(res.lost, 0, `lost probes at ${res.lostAt.join(', ')} ms`);
          // After the restart, the new session's OPEN had R set, and F again.
          const v = await routerGr(r, node1);
          assert.equal(v.rBit, true);
          assert.deepEqual(v.preserved, kind === 'frr' ? ['ipv4'] : ['ipv4', 'ipv6']);
          if (kind === 'frr') assert.deepEqual(v.endOfRibReceived, ['ipv4'], 'FRR received our End-of-RIB on the new session');
        } else {
          assert.equal(helping, false);
          assert.ok(res.lost > 0, 'without graceful restart the client must see the loss (else this test proves nothing)');
        }
      });
    });
  }
}
