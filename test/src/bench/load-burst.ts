// The load-burst bench (area "load burst", DESIGN §8 "under load"): a burst of N L2 Services and
// their EndpointSlices into a live lab, idle and under a CPU hog on every core. What a user saw:
// every speaker suspected its peers, all three self-fenced, unrelated IPs went silent, owners
// flapped, and under a hog most Services were never announced. Each run (load-burst-run.ts)
// counts, in the burst's window: self-fences, peers declared dead, owner changes without a cause
// (goals 0, 0, 0), the longest ARP/NDP silence of sample L2 IPs the burst does not touch (goal
// < 200 ms, beside the watcher's own longest stall and a node kernel's own IPs in the same run),
// and the time from the last create until every burst IP answers (goal <= 15 s), and until its
// ServiceL2Status says who owns it.
// Also `kubectl delete -f` of the 1,000-Service burst, and each process's memory.
//
// Knobs (environment): HERALD_LOAD_BURST_N (default "1000,10000"), HERALD_LOAD_BURST_LOAD
// (default "idle,hog"), HERALD_BENCH_QUICK=1 (N=100, short budgets: a quick check), HERALD_BENCH_KEEP=1
// (keep the lab directory with every log).
// Run time: about 2-4 min per 1,000-Service run; a 10,000-Service run is bounded by ~7 min for
// the Services, ~7 min for the slices (the embedded API server took 30-50 creates/s at that size)
// and 2.5 min to converge: up to ~17 min. About 40 min for the default four runs.
import { createLogger } from '@herald/shared';
import { whyCannotRun } from '@herald/testkit';
import { quickMode, intList, wordList } from './bench-env.js';
import { describeCreate } from './burst.js';
import { describeHog } from './cpu-hog.js';
import type { IpReport } from './l2-watch.js';
import { loadBurstRun, type Load, type RunResult, type Silences } from './load-burst-run.js';
import { describeRss } from './proc-status.js';
import { describeWindow, type WindowCounts } from './speaker-log.js';
import { summary } from '@herald/bench/stats';

interface Row {
  what: string;
  value: string;
  target: string;
}

const TOOLS = ['bird', 'birdc', 'taskset', 'nice'];

export async function benchLoadBurst(): Promise<{ rows: Row[] }> {
  const why = whyCannotRun({ root: true, tools: TOOLS });
  if (why) {
    process.stderr.write(`\n!!! SKIPPED load burst bench: ${why}\n\n`);
    return { rows: [{ what: 'load burst (lab)', value: `SKIPPED: ${why}`, target: '0 fences, 0 deaths, 0 owner changes, < 200 ms silence, <= 15 s' }] };
  }
  const quick = quickMode();
  const counts = intList('HERALD_LOAD_BURST_N', quick ? [100] : [1000, 10000]);
  const loads = wordList<Load>('HERALD_LOAD_BURST_LOAD', ['idle', 'hog'], ['idle', 'hog']);
  const deleteAt = Math.min(...counts);
  const progress = createLogger({ component: 'bench-load-burst', level: 'info' });
  const rows: Row[] = [];
  for (const n of counts) {
    for (const load of loads) {
      const label = `${n.toLocaleString('en')} L2 Services, ${load === 'hog' ? 'CPU hog on every core' : 'idle'}`;
      try {
        const r = await loadBurstRun(
          {
            n,
            load,
            kubectlDelete: load === 'idle' && n === deleteAt,
            createBudgetMs: quick ? 30_000 : Math.max(60_000, n * 40),
            convergeBudgetMs: quick ? 30_000 : n >= 5000 ? 150_000 : 90_000,
            settleMs: quick ? 2000 : 5000,
          },
          progress,
        );
        rows.push(...rowsFor(label, r));
      } catch (err) {
        rows.push({ what: `load burst (${label})`, value: `FAILED: ${err instanceof Error ? err.message : String(err)}`, target: '-' });
      }
    }
  }
  return { rows };
}

const sec = (ms: number | undefined): string => (ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`);

function silenceValue(s: Silences): string {
  const worst = (xs: readonly IpReport[]): IpReport | undefined => [...xs].sort((a, b) => b.maxSilenceMs - a.maxSilenceMs)[0];
  const w = worst(s.samples);
  const doubles = s.samples.flatMap((x) => x.doubles.map((d) => `${x.ip} at ${new Date(d.t).toISOString().slice(11, 23)}: ${d.macs.join(' and ')}`));
  const per = s.samples.map((x) => `${x.ip} ${x.maxSilenceMs} ms`).join(', ');
  return `max ${w ? `${w.maxSilenceMs} ms (${w.ip}, from ${new Date(w.silenceFrom).toISOString().slice(11, 23)})` : '-'}; per IP: ${per}; probes answered by two MACs: ${doubles.length}${doubles.length ? ` (${doubles.slice(0, 2).join('; ')})` : ''}`;
}

function silenceTarget(s: Silences): string {
  const k = Math.max(0, ...s.kernel.map((x) => x.maxSilenceMs));
  return `< 200 ms; 0 two-MAC probes (same run: the watcher's own longest stall ${s.selfGapMs} ms, a node kernel's own IPs ${k} ms)`;
}

function countRows(prefix: string, c: WindowCounts): Row[] {
  const d = describeWindow(c);
  return [
    { what: `${prefix}: self-fences`, value: d.fences, target: '0' },
    { what: `${prefix}: peers declared dead (not dead:left)`, value: d.dead, target: '0' },
    { what: `${prefix}: L2 owner changes without a cause`, value: d.changes, target: '0' },
  ];
}

function rowsFor(label: string, r: RunResult): Row[] {
  const p = `load burst (${label})`;
  const c = r.convergence;
  const never = (ms: number | undefined): string => (ms === undefined ? `not within ${sec(r.convergeBudgetMs)}` : sec(ms));
  const pct = (x: number): string => `${Math.round(x * 100)}%`;
  const machine = r.machine ? `; cores before the burst (no hog; all other work on the machine shows here): ${r.machine.coreBusy.map(pct).join(', ')} busy` : '';
  const psi = (x: number | undefined): string => (x === undefined ? '?' : pct(x));
  const hog = `${r.hog ? `; hog at start: ${r.hog.start ? describeHog(r.hog.start) : '-'}, at end: ${r.hog.end ? describeHog(r.hog.end) : '-'}` : machine}; CPU pressure (PSI some avg10) at start ${psi(r.pressure.start)}, at end ${psi(r.pressure.end)}`;
  const rows: Row[] = [
    { what: `${p}: created as fast as the API server takes them (32 in flight)`, value: `${describeCreate(r.create)}${hog}`, target: '-' },
    ...countRows(`${p}, ${sec(r.windowMs)} window`, r.counts),
    { what: `${p}: longest ARP/NDP silence of unrelated L2 IPs (probed every 20 ms from the router)`, value: silenceValue(r.silences), target: silenceTarget(r.silences) },
    {
      what: `${p}: last create -> every burst Service has an IP (controller) / answers ARP/NDP (announced) / has its ServiceL2Status (reported)`,
      value: `${never(c.ipMs)} / ${never(c.readyMs)} / ${never(c.ownedMs)}; ${c.withIp} with an IP, ${c.answered} answering, ${c.owned} with a status, of ${r.n} at the end; ${c.wrongNode} answered by a node other than the status's, ${c.twoMacs} by two MACs`,
      target: '<= 15 s',
    },
    { what: `${p}: per Service, EndpointSlice created -> its IP answers`, value: summary(c.perServiceMs, 'none answered'), target: '-' },
  ];
  for (const [role, idle] of r.memIdle) {
    const after = r.memAfter.get(role);
    rows.push({ what: `${p}: ${role} memory, before -> after the burst`, value: `${describeRss(idle)} -> ${after ? describeRss(after) : '-'}`, target: '<= 90 MB; <= 10 MB per 1k Services' });
  }
  if (r.del) {
    const d = r.del;
    const q = `kubectl delete -f (${r.n.toLocaleString('en')} Services and their slices, ${d.objects} objects)`;
    rows.push({ what: `${q}: wall time / then until the last ServiceL2Status is gone`, value: `${sec(d.wallMs)} (of which ${sec(d.throttledMs)} kubectl's own client-side throttling, from its -v=4 log) / ${sec(d.withdrawnMs)}`, target: '-' });
    rows.push(...countRows(q, d.counts));
    rows.push({ what: `${q}: longest ARP/NDP silence of unrelated L2 IPs`, value: silenceValue(d.silences), target: silenceTarget(d.silences) });
  }
  return rows;
}
