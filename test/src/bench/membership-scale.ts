// make bench (area "membership scale"): the membership protocol at 100 members, beside the same
// figures at 3 members measured in the same run (the reference). Real Membership shells, real
// codec and HMAC, one process, a virtual clock (membership-virtual-net.ts), so the figures are
// the protocol's and the code's, not the machine's load. Reported per size:
// - heartbeat bytes/s sent and received per node, and the largest datagram (against the 1452-byte
//   MTU payload; beside what version 1, which named every heard peer, would need);
// - the same while one member's informer lags a join (its member set differs, so the others fall
//   back from the bitmap to 64-bit name hashes);
// - CPU per node: process CPU over the steady run / members / simulated second (the harness, a
//   heap of timers and some bookkeeping per datagram, is included), and the same per received
//   heartbeat (at 3 members the 50 evaluations a second dominate it);
// - encode and decode (HMAC included) per heartbeat, and one evaluation of the view (median,
//   p95, max over batches);
// - detection of a killed member: kill -> every survivor's live set without it (median, p95,
//   max over trials at random instants). At 3 members the victim restarts and the cluster
//   settles before the next trial; at 100 the victims stay dead (up to a tenth of the members,
//   far from losing the quorum), which keeps the simulated time, and so the bench, short.
// Bounded: fixed simulated durations and trial counts, and a wall-clock budget that cuts trials.
import { performance } from 'node:perf_hooks';
import { membership as m } from '@herald/speaker';
import { percentile } from '@herald/bench/stats';
import { longNames, VirtualCluster } from './membership-virtual-net.js';

interface Row {
  what: string;
  value: string;
  target: string;
}

export interface MembershipScaleOptions {
  readonly sizes?: readonly number[];
  /** Simulated seconds of steady state measured per size. */
  readonly steadyS?: number;
  readonly kills?: number;
  /** Wall-clock budget for the whole module. */
  readonly budgetMs?: number;
}

interface Figures {
  readonly n: number;
  readonly sentBps: number;
  readonly recvBps: number;
  readonly maxDatagram: number;
  readonly v1Datagram: number;
  readonly lagMaxDatagram: number;
  readonly lagSentBps: number;
  readonly cpuPct: number;
  readonly cpuPerRecvUs: number;
  readonly encodeUs: number[];
  readonly decodeUs: number[];
  readonly evalUs: number[];
  readonly detectMs: number[];
  readonly detectFirstMs: number[];
}

const key = Buffer.from('bench-heartbeat-key-0123456789abcdef');

/** Version 1 carried every heard peer by name: 26 fixed + name + 2 + each (1 + name) + MAC. */
function v1Bytes(names: readonly string[]): number {
  const [self, ...heard] = names;
  return 26 + 1 + (self?.length ?? 0) + 2 + heard.reduce((s, n) => s + 1 + n.length, 0) + 32;
}

/** Per-op microseconds over `batches` batches of `per` calls (one figure per batch). */
function perOp(batches: number, per: number, fn: () => void): number[] {
  const out: number[] = [];
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    for (let i = 0; i < per; i++) fn();
    out.push(((performance.now() - t0) * 1000) / per);
  }
  return out;
}

function codecCost(names: readonly string[]): { encodeUs: number[]; decodeUs: number[] } {
  const index = new m.MemberIndex(names);
  const bits = new Uint8Array(m.bitsetBytes(names.length));
  for (let i = 1; i < names.length; i++) m.setBit(bits, i);
  const msg: m.HeartbeatMessage = {
    type: 'heartbeat', from: names[0]!, incarnation: 1n, seq: 1, sentAtMs: 1234.5, fenced: false, heard: m.toHeardField(index, bits, [], 'bitmap'),
  };
  let buf = m.encodeHeartbeat(msg, [key]);
  const encodeUs = perOp(40, 250, () => (buf = m.encodeHeartbeat(msg, [key])));
  let ok = 0;
  const decodeUs = perOp(40, 250, () => (ok += m.decodeHeartbeat(buf, [key]).ok ? 1 : 0));
  if (ok === 0) throw new Error('membership-scale: the codec round trip failed');
  return { encodeUs, decodeUs };
}

async function measure(n: number, o: Required<MembershipScaleOptions>, deadline: number): Promise<Figures> {
  const names = longNames(n);
  const k = new VirtualCluster(names, n);
  if (k.runUntil(() => k.settled(), 10_000) === undefined) throw new Error(`membership-scale: ${n} members never settled`);
  k.clock.advance(1000);

  // Steady state: traffic and CPU.
  const t0 = k.traffic();
  const cpu0 = process.cpuUsage();
  k.clock.advance(o.steadyS * 1000);
  const cpu = process.cpuUsage(cpu0);
  const t1 = k.traffic();
  const perNodeS = n * o.steadyS;
  const cpuPct = ((cpu.user + cpu.system) / 1000 / perNodeS / 1000) * 100;
  const cpuPerRecvUs = (cpu.user + cpu.system) / (t1.recvDatagrams - t0.recvDatagrams);
  const sentBps = (t1.sentBytes - t0.sentBytes) / perNodeS;
  const recvBps = (t1.recvBytes - t0.recvBytes) / perNodeS;

  // One evaluation of the view, on a settled member (what the shell does every 20 ms).
  const probe = k.members.get(names[0]!)!.shell;
  const now = k.clock.now();
  const evalUs = perOp(40, 50, () => void probe.liveness.view(now));
  const { encodeUs, decodeUs } = codecCost(names);

  // One member's informer lags a join: it does not know the newest member yet.
  const lagger = k.members.get(names[1]!)!.shell;
  const lagFacts = new Map(names.filter((x) => x !== names[n - 1]).map((x) => [x, { lease: { renewKey: `${x}-1`, durationMs: 10_000 }, nodeReady: true }]));
  const lag0 = k.traffic();
  lagger.setMembers(lagFacts, new Map(names.map((x) => [x, [x]])));
  k.clock.advance(2000);
  const lag1 = k.traffic();
  const lagSentBps = (lag1.sentBytes - lag0.sentBytes) / (n * 2);
  const lagMaxDatagram = lag1.maxDatagram;
  lagger.setMembers(new Map(names.map((x) => [x, { lease: { renewKey: `${x}-1`, durationMs: 10_000 }, nodeReady: true }])), new Map(names.map((x) => [x, [x]])));
  k.runUntil(() => k.settled(), 10_000);

  // Detection of a killed member (see the header for what happens between trials).
  const detectMs: number[] = [];
  const detectFirstMs: number[] = [];
  const restart = n < 10;
  const victims = names.slice(2).filter((_, i) => i % 3 === 0);
  let rnd = n * 7919;
  for (let trial = 0; trial < o.kills && (restart || trial < n / 10) && Date.now() < deadline; trial++) {
    rnd = (Math.imul(rnd, 1664525) + 1013904223) >>> 0;
    k.clock.advance(100 + (rnd % 1000) / 10);
    const victim = restart ? names[2 + (rnd % (n - 2))]! : victims[trial]!;
    const killedAt = k.clock.now();
    const seen = new Map<string, number>();
    const survivors = [...k.members.values()].filter((x) => x.alive && x.name !== victim);
    for (const s of survivors) {
      s.watch = (): void => {
        if (!seen.has(s.name) && !s.live.has(victim)) seen.set(s.name, k.clock.now() - killedAt);
      };
    }
    k.kill(victim);
    const took = k.runUntil(() => seen.size === survivors.length, 5000);
    for (const s of survivors) s.watch = undefined;
    if (took === undefined) throw new Error(`membership-scale: ${n} members, ${victim} killed: only ${seen.size} of ${survivors.length} survivors noticed within 5 s`);
    detectMs.push(Math.max(...seen.values()));
    detectFirstMs.push(Math.min(...seen.values()));
    if (restart) {
      k.start(victim);
      if (k.runUntil(() => k.settled(), 10_000) === undefined) throw new Error(`membership-scale: ${victim} never rejoined`);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (const x of k.members.values()) x.shell.stop();
  return {
    n, sentBps, recvBps, maxDatagram: t1.maxDatagram, v1Datagram: v1Bytes(names), lagMaxDatagram, lagSentBps, cpuPct, cpuPerRecvUs,
    encodeUs, decodeUs, evalUs, detectMs, detectFirstMs,
  };
}

function stat(xs: readonly number[], unit: string, digits = 1): string {
  if (xs.length === 0) return 'no samples';
  const f = (x: number): string => x.toFixed(digits);
  return `median ${f(percentile(xs, 50))} ${unit}, p95 ${f(percentile(xs, 95))} ${unit}, max ${f(Math.max(...xs))} ${unit} (n=${xs.length})`;
}

const kb = (bps: number): string => `${(bps / 1000).toFixed(1)} kB/s`;

export async function benchMembershipScale(opts: MembershipScaleOptions = {}): Promise<{ rows: Row[] }> {
  const o: Required<MembershipScaleOptions> = { sizes: [3, 100], steadyS: 3, kills: 10, budgetMs: 150_000, ...opts };
  const deadline = Date.now() + o.budgetMs;
  const figs: Figures[] = [];
  for (const n of o.sizes) figs.push(await measure(n, o, deadline));
  const ref = figs[0]!;
  const rows: Row[] = [];
  for (const f of figs.slice(1)) {
    const at = `${f.n} members`;
    const refAt = `${ref.n} members`;
    rows.push(
      { what: `${at}: heartbeat traffic per node, sent / received`, value: `${kb(f.sentBps)} / ${kb(f.recvBps)}`, target: `${refAt}: ${kb(ref.sentBps)} / ${kb(ref.recvBps)}` },
      {
        what: `${at}: largest heartbeat (30-character names)`, value: `${f.maxDatagram} B (version 1 would be ${f.v1Datagram} B)`,
        target: `<= 1452 B, one datagram; ${refAt}: ${ref.maxDatagram} B`,
      },
      {
        what: `${at}: one informer lags a join (hashes instead of the bitmap): largest heartbeat, traffic sent per node`,
        value: `${f.lagMaxDatagram} B, ${kb(f.lagSentBps)}`, target: `<= 1452 B; ${refAt}: ${ref.lagMaxDatagram} B, ${kb(ref.lagSentBps)}`,
      },
      {
        what: `${at}: CPU per node (process CPU / members / simulated s; harness included)`, value: `${f.cpuPct.toFixed(2)} % of a core`,
        target: `${refAt}: ${ref.cpuPct.toFixed(2)} %`,
      },
      {
        what: `${at}: process CPU per received heartbeat (HMAC, parse, replay guard, core, evaluations, harness)`, value: `${f.cpuPerRecvUs.toFixed(1)} us`,
        target: `${refAt}: ${ref.cpuPerRecvUs.toFixed(1)} us`,
      },
      { what: `${at}: encode one heartbeat (HMAC included)`, value: stat(f.encodeUs, 'us', 2), target: `${refAt}: ${stat(ref.encodeUs, 'us', 2)}` },
      { what: `${at}: decode and verify one heartbeat`, value: stat(f.decodeUs, 'us', 2), target: `${refAt}: ${stat(ref.decodeUs, 'us', 2)}` },
      { what: `${at}: one evaluation of the view (every 20 ms)`, value: stat(f.evalUs, 'us', 1), target: `${refAt}: ${stat(ref.evalUs, 'us', 1)}` },
      {
        what: `${at}: killed member -> every survivor has it dead (simulated time)`, value: stat(f.detectMs, 'ms', 0),
        target: `${refAt}: ${stat(ref.detectMs, 'ms', 0)}; DESIGN: failover < 1 s`,
      },
      { what: `${at}: killed member -> the first survivor has it dead`, value: stat(f.detectFirstMs, 'ms', 0), target: `${refAt}: ${stat(ref.detectFirstMs, 'ms', 0)}` },
    );
  }
  return { rows };
}

// Run directly: node test/dist/src/bench/membership-scale.js
if (import.meta.url === `file://${process.argv[1]}`) {
  const { rows } = await benchMembershipScale();
  for (const r of rows) process.stdout.write(`${r.what}\n    ${r.value}\n    ref: ${r.target}\n`);
}
