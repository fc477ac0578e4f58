// One L2 handover trial in the lab, shared by the e2e test (outcomes) and the bench (figures):
// stop (SIGTERM) or kill the speaker of web-l2's owner, let another node take the IP, start the
// speaker again, and watch the IP move back. A watcher in the router's namespace asks for the IP
// every 20 ms (silences, judged beside the watcher's own longest gap between rounds); tcpdump in
// the same namespace judges two MACs (kernel timestamps, so a stalled watcher that reads a clean
// handover's answers in one batch cannot fake one), as non-broadcast replies to one request.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab, SitePlan } from '@herald/lab';
import { doubleAnswers, type ArpCapture } from './arp-capture.js';
import { analyseIp, longestRoundGap, type L2Watch } from './l2-watch.js';
import { l2Owner, nodeMac } from './l2-trial.js';
import { waitFor } from '../harness/wait.js';

export const PROBE_MS = 20;

export interface HandoverEnv {
  readonly lab: Lab;
  readonly plan: SitePlan;
  /** The lab's directory (its logs say when each speaker unfenced). */
  readonly dir: string;
  readonly watch: L2Watch;
  readonly capture: ArpCapture;
  /** Deadlines for the takeover and the move back (default 15 s and 30 s). */
  readonly takeoverTimeoutMs?: number;
  readonly backTimeoutMs?: number;
}

/** What the router saw in one window. */
export interface WindowReport {
  readonly what: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** The longest time without an answer to the watcher. */
  readonly silenceMs: number;
  /** The watcher's own longest gap between probe rounds (its stalls). */
  readonly roundGapMs: number;
  readonly answers: number;
  /** The router's requests for the IP on the wire, and those answered by two MACs. */
  readonly asked: number;
  readonly doubles: readonly { readonly t: number; readonly macs: readonly string[] }[];
}

export interface HandoverResult {
  readonly how: 'stop' | 'kill';
  readonly ip: string;
  readonly owner: string;
  readonly interim: string;
  /** SIGTERM only: from the stop until after the takeover. */
  readonly leave: WindowReport | undefined;
  /** From the start until after the IP is back. */
  readonly back: WindowReport;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The node whose MAC answered ip last, after `since` (undefined: none yet). */
export function answeringNode(env: HandoverEnv, ip: string, since: number): string | undefined {
  const a = env.watch.answers.filter((x) => x.ip === ip && x.t >= since).pop();
  if (!a) return undefined;
  return env.plan.nodes.find((n) => nodeMac(env.plan, n.name) === a.mac)?.name;
}

/** The router's view of ip in [from, to]. */
export function judgeWindow(env: HandoverEnv, ip: string, from: number, to: number, what: string): WindowReport {
  const r = analyseIp(ip, env.watch.rounds, env.watch.answers, from, to);
  const wire = env.capture.between(from, to).filter((e) => e.op === 'request' || !e.broadcast);
  const asker = env.plan.router.ip4;
  return {
    what,
    fromMs: from,
    toMs: to,
    silenceMs: r.maxSilenceMs,
    roundGapMs: longestRoundGap(env.watch.rounds, from, to),
    answers: r.answers,
    asked: wire.filter((e) => e.op === 'request' && e.target === ip && e.sender === asker).length,
    doubles: doubleAnswers(wire, ip, asker),
  };
}

export function describeWindow(w: WindowReport): string {
  return `${w.what}: longest silence ${w.silenceMs} ms (watcher's own longest round gap ${w.roundGapMs} ms), ${w.answers} answers; on the wire ${w.asked} requests, ${w.doubles.length} answered by two MACs`;
}

/**
 * Every speaker's latest fence event is self-unfenced, and each process is older than its
 * lease-mode rejoin wait (5 s): a younger one fences again when the site drops to two members.
 */
export async function settled(env: HandoverEnv, timeoutMs = 30_000): Promise<void> {
  await waitFor('every speaker unfenced and past its start-up waits', () => {
    for (const n of env.plan.nodes) {
      const lines = readFileSync(join(env.dir, 'logs', `speaker-${n.name}.log`), 'utf8').split('\n');
      const fence = lines.filter((l) => l.includes('"event":"self-fenced"') || l.includes('"event":"self-unfenced"'));
      if (!fence.at(-1)?.includes('self-unfenced')) return undefined;
      const start = lines.filter((l) => l.includes('"event":"self-fenced"') && l.includes('"not-a-member"')).at(-1);
      const ts = start ? Date.parse(/"ts":"([^"]+)"/.exec(start)?.[1] ?? '') : NaN;
      if (!(Date.now() - ts > 6000)) return undefined;
    }
    return true;
  }, { timeoutMs, intervalMs: 200 });
}

/** One stop-or-kill and start of web-l2's owner. The speaker is started again whatever fails. */
export async function handoverTrial(env: HandoverEnv, how: 'stop' | 'kill'): Promise<HandoverResult> {
  const { lab } = env;
  await settled(env);
  const before = await waitFor('an L2 owner of web-l2', async () => l2Owner(lab, 'web-l2'), { timeoutMs: 30_000, intervalMs: 200 });
  env.watch.watch([before.ip], PROBE_MS);
  await waitFor(`${before.node} answering ${before.ip}`, () => (answeringNode(env, before.ip, Date.now() - 200) === before.node ? true : undefined), { timeoutMs: 10_000, intervalMs: 50 });
  const tDown = Date.now();
  let down = true;
  try {
    await lab.speaker(before.node, how);
    const interim = await waitFor('another node answering', () => {
      const n = answeringNode(env, before.ip, tDown);
      return n && n !== before.node ? n : undefined;
    }, { timeoutMs: env.takeoverTimeoutMs ?? 15_000, intervalMs: 20 });
    await sleep(1500);
    const leave = how === 'stop' ? judgeWindow(env, before.ip, tDown, Date.now(), `${before.node} stopped, ${interim} took over`) : undefined;
    const tUp = Date.now();
    down = false;
    await lab.speaker(before.node, 'start');
    await waitFor(`${before.node} answering again`, () => (answeringNode(env, before.ip, tUp) === before.node ? true : undefined), { timeoutMs: env.backTimeoutMs ?? 30_000, intervalMs: 20 });
    await sleep(1500);
    const back = judgeWindow(env, before.ip, tUp, Date.now(), `${before.node} started again after ${how}, took it back from ${interim}`);
    return { how, ip: before.ip, owner: before.node, interim, leave, back };
  } finally {
    if (down) await lab.speaker(before.node, 'start');
  }
}
