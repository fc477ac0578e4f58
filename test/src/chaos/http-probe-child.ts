// The chaos client's probe process, run inside the lab's client namespace by http-prober.ts:
//   node http-probe-child.js --interval-ms 20 --timeout-ms 200
// Every interval it sends one HTTP GET to each target (a new connection each, so BGP ECMP hashes
// every probe afresh) and reports each outcome as a JSON line {"t":sent,"s":service,"ip":..,"ok":bool,
// "st":bool}. `st` (stalled): this process's own event loop stalled (a 5 ms ticker late by more
// than STALL_MS) while the probe was in flight, so a timeout may be ours, not the network's; the
// analysis leaves such failures out, as the L2 watcher reports its own longest stall.
// Commands on stdin: {"cmd":"targets","targets":[{"service":..,"ip":..,"port"?:80}]} replaces the set.
// Bounded: at most 64 targets, at most 16 probes in flight per target (a target that hangs skips
// rounds instead of piling up sockets), and it exits when stdin closes (its parent died).
import { request } from 'node:http';
import { createInterface } from 'node:readline';

const num = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : dflt;
  return Number.isFinite(v) && v > 0 ? v : dflt;
};
const intervalMs = Math.max(5, num('interval-ms', 20));
const timeoutMs = num('timeout-ms', 200);
const MAX_TARGETS = 64;
const MAX_IN_FLIGHT = 16;
const STALL_MS = 50;

/** Our own event-loop stalls, [from, to], the last few (a probe lives at most a timeout). */
const stalls: [number, number][] = [];
let lastTick = Date.now();
const ticker = setInterval(() => {
  const now = Date.now();
  if (now - lastTick > STALL_MS) {
    stalls.push([lastTick, now]);
    if (stalls.length > 64) stalls.shift();
  }
  lastTick = now;
}, 5);
const stalledDuring = (from: number, to: number): boolean => stalls.some(([a, b]) => a <= to && b >= from) || to - lastTick > STALL_MS;

interface Target {
  readonly service: string;
  readonly ip: string;
  readonly port: number;
  inFlight: number;
}
let targets: Target[] = [];

const out = (o: unknown): void => void process.stdout.write(JSON.stringify(o) + '\n');

function probe(tg: Target): void {
  if (tg.inFlight >= MAX_IN_FLIGHT) return;
  tg.inFlight++;
  const t = Date.now();
  let done = false;
  // Our own timer, from the send: req.setTimeout would start only once TCP is connected, so a
  // SYN into a dead link would never time out (and never be reported).
  const timer = setTimeout(() => req.destroy(new Error('timeout')), timeoutMs);
  const finish = (ok: boolean, why?: string): void => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    tg.inFlight--;
    out({ t, s: tg.service, ip: tg.ip, ok, ...(ok ? {} : { st: stalledDuring(t, Date.now()), e: why ?? 'closed' }) });
  };
  const host = tg.ip.includes(':') ? `[${tg.ip}]` : tg.ip;
  const req = request({ host: tg.ip, port: tg.port, path: '/', method: 'GET', agent: false, headers: { host, connection: 'close' } }, (res) => {
    res.resume();
    res.on('end', () => finish(res.statusCode === 200, `status ${String(res.statusCode)}`));
    res.on('error', (err) => finish(false, (err as NodeJS.ErrnoException).code ?? err.message));
  });
  req.on('error', (err) => finish(false, (err as NodeJS.ErrnoException).code ?? err.message));
  req.on('close', () => finish(false));
  req.end();
}

const timer = setInterval(() => {
  for (const tg of targets) probe(tg);
}, intervalMs);

const rl = createInterface({ input: process.stdin });
rl.on('line', (line) => {
  let c: { cmd?: string; targets?: unknown };
  try {
    c = JSON.parse(line) as typeof c;
  } catch {
    process.stderr.write(`http-probe-child: not JSON: ${line.slice(0, 80)}\n`);
    return;
  }
  if (c.cmd !== 'targets' || !Array.isArray(c.targets)) {
    process.stderr.write(`http-probe-child: unknown command ${JSON.stringify(c.cmd)}\n`);
    return;
  }
  const want = c.targets
    .filter((x): x is { service: string; ip: string; port?: number } => typeof x === 'object' && x !== null && typeof (x as { service?: unknown }).service === 'string' && typeof (x as { ip?: unknown }).ip === 'string')
    .slice(0, MAX_TARGETS)
    .map((w) => ({ service: w.service, ip: w.ip, port: typeof w.port === 'number' && w.port > 0 && w.port < 65536 ? w.port : 80 }));
  // Keep the in-flight counts of targets that stay.
  targets = want.map((w) => targets.find((x) => x.service === w.service && x.ip === w.ip && x.port === w.port) ?? { ...w, inFlight: 0 });
});
rl.on('close', () => {
  clearInterval(timer);
  clearInterval(ticker);
  process.exit(0);
});
out({ ready: true, intervalMs, timeoutMs });
