// L2 failover, end to end in the lab (DESIGN §8, issue 5): the owner of an L2 Service loses its
// speaker (SIGKILL), its link (cable cut), or stops gracefully (SIGTERM, handoff). Each trial
// times the disruption -> the first gratuitous ARP from the new owner on the router's wire
// (tcpdump's kernel timestamps), checks the router's neighbour entry then points at the new
// owner, and probes with broadcast ARP through the restore, counting requests that two MACs
// answered. Bounded: a fixed number of trials per kind, each with deadlines, and an overall
// time budget after which the remaining trials are skipped (and the rows say so).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@herald/shared';
import { whyCannotRun } from '@herald/shared/testing';
import { Lab, sitePlan, siteNamespaces } from '@herald/lab';
import { ArpCapture } from './arp-capture.js';
import { failoverTrial, type Disruption, type TrialResult } from './l2-trial.js';
import { summary } from './stats.js';

interface Row {
  what: string;
  value: string;
  target: string;
}

export interface FailoverOptions {
  readonly kills?: number;
  readonly cuts?: number;
  readonly stops?: number;
  /** Overall budget for the trials (default 12 minutes). */
  readonly budgetMs?: number;
}

export async function benchL2Failover(opts: FailoverOptions = {}): Promise<{ rows: Row[] }> {
  const why = whyCannotRun({ root: true, tools: ['tcpdump', 'arping', 'bird', 'nft'] });
  if (why) return { rows: [{ what: 'L2 failover (lab)', value: `SKIPPED: ${why}`, target: '< 1 s median' }] };
  const counts: Record<Disruption, number> = { kill: opts.kills ?? 20, cut: opts.cuts ?? 10, stop: opts.stops ?? 5 };
  const deadline = Date.now() + (opts.budgetMs ?? 12 * 60_000);
  const plan = sitePlan({ prefix: `hlb${process.pid % 100000}`, router: 'bird', nodes: 3 });
  const ns = siteNamespaces(plan);
  const dir = mkdtempSync(join(tmpdir(), 'herald-failover-'));
  const lab = await Lab.start(plan, dir, createLogger({ component: 'lab', level: 'error' }));
  const results: TrialResult[] = [];
  let capture: ArpCapture | undefined;
  try {
    capture = await ArpCapture.start(ns.router);
    // The kinds interleaved, so a slow drift of the machine does not land on one kind.
    for (const how of interleave(counts)) {
      if (Date.now() > deadline) break;
      results.push(await failoverTrial({ lab, plan, routerNs: ns.router, capture }, how));
    }
  } finally {
    await capture?.stop();
    await lab.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows: rowsFor(results, counts) };
}

/** kill, cut, stop, kill, cut, ... until each kind has its count. */
function interleave(counts: Record<Disruption, number>): Disruption[] {
  const out: Disruption[] = [];
  const left = { ...counts };
  const total = left.kill + left.cut + left.stop;
  for (let i = 0; out.length < total && i < total * 3; i++) {
    const how = (['kill', 'cut', 'stop'] as const)[i % 3]!;
    if (left[how] > 0) {
      out.push(how);
      left[how]--;
    }
  }
  return out;
}

function rowsFor(results: readonly TrialResult[], counts: Record<Disruption, number>): Row[] {
  const of = (how: Disruption): TrialResult[] => results.filter((r) => r.how === how);
  const times = (how: Disruption): number[] => of(how).flatMap((r) => (r.takeoverMs === undefined ? [] : [r.takeoverMs]));
  const misses = (how: Disruption): number => of(how).filter((r) => r.takeoverMs === undefined).length;
  const ran = (how: Disruption): string => (of(how).length < counts[how] ? `; only ${of(how).length} of ${counts[how]} trials ran in the time budget` : '');
  const value = (how: Disruption): string => `${summary(times(how), 'no takeover seen')}, ${misses(how)} missed${ran(how)}`;
  const neighOk = results.filter((r) => r.takeoverMs !== undefined && r.neighbour.ok).length;
  const taken = results.filter((r) => r.takeoverMs !== undefined).length;
  const stale = results.filter((r) => r.takeoverMs !== undefined && !r.neighbour.ok).map((r) => `${r.how} ${r.oldOwner}->${r.newOwner ?? '?'}: "${r.neighbour.entry}"`);
  const doubles = results.flatMap((r) => r.doubles.map((d) => `${r.how} trial, ${r.ip} at ${new Date(d.t).toISOString()}: ${d.macs.join(' and ')}`));
  const back = results.flatMap((r) => (r.backMs === undefined ? [] : [r.backMs]));
  return [
    { what: 'L2 failover: owner SIGKILLed -> first gratuitous ARP from the new owner', value: value('kill'), target: '< 1 s median (MetalLB 5-10 s, Cilium 10-20 s: their documented defaults, not measured here)' },
    { what: "L2 failover: owner's link cut -> first gratuitous ARP from the new owner", value: value('cut'), target: '< 1 s median' },
    { what: 'L2 handoff: owner SIGTERMed -> first gratuitous ARP from the new owner', value: value('stop'), target: '< 1 s' },
    { what: "router's neighbour entry points at the new owner within 3 s of its gratuitous ARP (no traffic sent)", value: `${neighOk} of ${taken}${stale.length ? `; stale: ${stale.slice(0, 3).join('; ')}` : ''}`, target: 'all' },
    { what: 'ARP requests answered by two MACs (broadcast probe every 100 ms from takeover until the old owner is back)', value: doubles.length ? `${doubles.length}: ${doubles.slice(0, 3).join('; ')}` : `0 (${results.length} trials)`, target: '0' },
    { what: 'restore (speaker restarted / link up) -> first gratuitous ARP from the old owner again', value: summary(back, 'not seen'), target: '-' },
  ];
}
