// Make-before-break between live speakers, seen from the router (issue 14 item 3): a watcher in
// the router's namespace asks for the Service IP every 20 ms and records every MAC that answers.
// - A speaker that is stopped (SIGTERM) or killed and then started again takes its IP back with
//   no silence over 50 ms and never alongside the node that held it meanwhile.
// - Under externalTrafficPolicy Local, endpoints that move between nodes move the IP with them,
//   never answered by two MACs (each speaker reads the EndpointSlice change on its own; the
//   soak saw two MACs here before the handover).
// Silences are judged beside the watcher's own longest gap between probe rounds (its stalls);
// two MACs from tcpdump in the same namespace (kernel timestamps: a stalled watcher reads a
// clean handover's answers in one batch), as non-broadcast replies to one request.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { createLogger } from '@herald/shared';
import { skipUnless } from '@herald/testkit';
import { Lab, sitePlan, siteNamespaces } from '@herald/lab';
import { ArpCapture, doubleAnswers } from '../../src/bench/arp-capture.js';
import { L2Watch, analyseIp, longestRoundGap } from '../../src/bench/l2-watch.js';
import { l2Owner, nodeMac } from '../../src/bench/l2-trial.js';
import { waitFor } from '../../src/harness/wait.js';

const PROBE_MS = 20;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('L2 handover between live speakers, from the router (make before break)', function () {
  this.timeout(400_000);
  let lab: Lab | undefined;
  let watch: L2Watch | undefined;
  let capture: ArpCapture | undefined;
  let dir = '';
  const plan = sitePlan({ prefix: `hho${process.pid % 100000}`, router: 'bird', nodes: 3 });
  const ns = siteNamespaces(plan);
  const macOf = new Map(plan.nodes.map((n) => [nodeMac(plan, n.name), n.name]));
  const log: string[] = [];

  before(async function () {
    skipUnless(this, { root: true, tools: ['ip', 'nft', 'bird', 'birdc', 'tcpdump'] });
    dir = mkdtempSync(join(tmpdir(), 'herald-handover-e2e-'));
    lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'warn' }));
    watch = await L2Watch.start(ns.router, { ip4: plan.router.ip4, ip6: plan.router.ip6 });
    capture = await ArpCapture.start(ns.router);
  });

  /**
   * Every speaker's latest fence event is self-unfenced, and each process is older than its
   * lease-mode rejoin wait (5 s): a younger one fences again when the site drops to two members.
   */
  const settled = async (): Promise<void> => {
    await waitFor('every speaker unfenced and past its start-up waits', () => {
      for (const n of plan.nodes) {
        const lines = readFileSync(join(dir, 'logs', `speaker-${n.name}.log`), 'utf8').split('\n');
        const fence = lines.filter((l) => l.includes('"event":"self-fenced"') || l.includes('"event":"self-unfenced"'));
        if (!fence.at(-1)?.includes('self-unfenced')) return undefined;
        const start = lines.filter((l) => l.includes('"event":"self-fenced"') && l.includes('"not-a-member"')).at(-1);
        const ts = start ? Date.parse(/"ts":"([^"]+)"/.exec(start)?.[1] ?? '') : NaN;
        if (!(Date.now() - ts > 6000)) return undefined;
      }
      return true;
    }, { timeoutMs: 30_000, intervalMs: 200 });
  };

  after(async () => {
    if (log.length) process.stdout.write(`      handover: ${log.join('; ')}\n`);
    await capture?.stop();
    await watch?.stop();
    await lab?.stop();
    if (dir && process.env.HERALD_KEEP_LAB !== '1') rmSync(dir, { recursive: true, force: true });
    else if (dir) process.stdout.write(`      lab directory kept: ${dir}\n`);
  });

  /** The node whose MAC answered ip last, after `since` (undefined: none yet). */
  const answeringNode = (ip: string, since: number): string | undefined => {
    const a = watch!.answers.filter((x) => x.ip === ip && x.t >= since).pop();
    return a ? macOf.get(a.mac) : undefined;
  };

  const judge = (ip: string, from: number, to: number, what: string): { silence: number; gap: number } => {
    const r = analyseIp(ip, watch!.rounds, watch!.answers, from, to);
    const gap = longestRoundGap(watch!.rounds, from, to);
    const wire = capture!.between(from, to).filter((e) => e.op === 'request' || !e.broadcast);
    const doubles = doubleAnswers(wire, ip, plan.router.ip4);
    const asked = wire.filter((e) => e.op === 'request' && e.target === ip && e.sender === plan.router.ip4).length;
    log.push(`${what}: longest silence ${r.maxSilenceMs} ms (watcher's own longest round gap ${gap} ms), ${r.answers} answers; on the wire ${asked} requests, ${doubles.length} answered by two MACs`);
    assert.ok(r.answers > (to - from) / PROBE_MS / 4, `${what}: only ${r.answers} answers in ${to - from} ms: the watcher did not probe`);
    assert.ok(asked > (to - from) / PROBE_MS / 4, `${what}: only ${asked} requests captured in ${to - from} ms`);
    assert.deepEqual(doubles, [], `${what}: requests answered by two MACs: ${JSON.stringify(doubles.slice(0, 5))}`);
    return { silence: r.maxSilenceMs, gap };
  };

  for (const how of ['stop', 'kill'] as const) {
    it(`${how} then start the owner's speaker: it takes its IP back, silent at most 50 ms, never beside the interim owner`, async () => {
      await settled();
      const before = await waitFor('an L2 owner of web-l2', async () => l2Owner(lab!, 'web-l2'), { timeoutMs: 30_000, intervalMs: 200 });
      watch!.watch([before.ip], PROBE_MS);
      await waitFor(`${before.node} answering ${before.ip}`, async () => (answeringNode(before.ip, Date.now() - 200) === before.node ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
      const tDown = Date.now();
      let down = true;
      try {
        await lab!.speaker(before.node, how);
        const interim = await waitFor('another node answering', async () => {
          const n = answeringNode(before.ip, tDown);
          return n && n !== before.node ? n : undefined;
        }, { timeoutMs: 15_000, intervalMs: 20 });
        await sleep(1500);
        if (how === 'stop') {
          // A SIGTERM hands the IP over with the leave handshake: also make before break.
          const j = judge(before.ip, tDown, Date.now(), `${before.node} stopped, ${interim} took over`);
          assert.ok(j.silence <= Math.max(50, j.gap + PROBE_MS), `silent ${j.silence} ms when ${before.node} stopped`);
        }
        const tUp = Date.now();
        down = false;
        await lab!.speaker(before.node, 'start');
        await waitFor(`${before.node} answering again`, async () => (answeringNode(before.ip, tUp) === before.node ? true : undefined), { timeoutMs: 30_000, intervalMs: 20 });
        await sleep(1500);
        const j = judge(before.ip, tUp, Date.now(), `${before.node} started again after ${how}, took it back from ${interim}`);
        assert.ok(j.silence <= Math.max(50, j.gap + PROBE_MS), `silent ${j.silence} ms while ${before.ip} moved back to ${before.node} (watcher's own gap ${j.gap} ms)`);
        assert.equal(answeringNode(before.ip, Date.now() - 200), before.node);
      } finally {
        // Leave the site whole for the next case.
        if (down) await lab!.speaker(before.node, 'start');
      }
    });
  }

  it('ETP Local: endpoints moving between nodes move the IP, never answered by two MACs', async () => {
    const core = lab!.kubeConfig().makeApiClient(CoreV1Api);
    const svc = await core.readNamespacedService({ name: 'web-l2-local', namespace: 'demo' });
    const ip = svc.status?.loadBalancer?.ingress?.[0]?.ip;
    assert.ok(ip, 'web-l2-local has an IP');
    watch!.watch([ip], PROBE_MS);
    const names = plan.nodes.map((n) => n.name);
    const moves = [[names[0]!], [names[1]!, names[2]!], [names[2]!], [names[0]!, names[1]!], [names[1]!], [names[0]!, names[2]!]];
    await settled();
    const t0 = Date.now();
    let moved = 0;
    for (const set of moves) {
      const tMove = Date.now();
      await lab!.scale('web-l2-local', set);
      await waitFor(`web-l2-local answered from ${set.join(',')}`, async () => {
        const n = answeringNode(ip, tMove);
        return n && set.includes(n) ? true : undefined;
      }, { timeoutMs: 15_000, intervalMs: 20 });
      moved++;
      await sleep(700);
    }
    const j = judge(ip, t0, Date.now(), `web-l2-local through ${moved} endpoint moves`);
    assert.ok(j.silence < 1000, `silent ${j.silence} ms during an endpoint move`);
  });
});
