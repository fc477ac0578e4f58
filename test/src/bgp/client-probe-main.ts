// The lab client's prober (run inside the client namespace by client-probe.ts): every
// --interval-ms it sends one HTTP request to --target (a Service IP:port) over a new TCP
// connection, each with a --timeout-ms deadline (default 1 s: a probe slowed by a busy machine is
// not a lost one; a missing route fails at once, by ICMP or a refused connect), until SIGTERM or --max-ms. Then it prints one
// JSON line: how many were sent, answered and lost, the longest gap between answered probes, and
// when the losses were (ms since the start). Bounded: at most max-ms / interval-ms probes.
import { connect } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    'interval-ms': { type: 'string', default: '20' },
    'timeout-ms': { type: 'string', default: '1000' },
    'max-ms': { type: 'string', default: '120000' },
  },
});
const [host, portText] = (values.target ?? '').split(/:(?=\d+$)/);
const port = Number(portText);
if (!host || !Number.isInteger(port)) throw new Error(`--target must be HOST:PORT, not ${String(values.target)}`);
const every = Number(values['interval-ms']);
const timeout = Number(values['timeout-ms']);
const maxMs = Number(values['max-ms']);

const t0 = Date.now();
const answered: number[] = [];
const lost: number[] = [];
let sent = 0;
let inFlight = 0;

function probe(): void {
  const at = Date.now() - t0;
  sent++;
  inFlight++;
  let done = false;
  const finish = (ok: boolean): void => {
    if (done) return;
    done = true;
    inFlight--;
    clearTimeout(timer);
    sock.destroy();
    (ok ? answered : lost).push(at);
  };
  const sock = connect({ host, port });
  const timer = setTimeout(() => finish(false), timeout);
  sock.on('connect', () => sock.write('GET / HTTP/1.0\r\n\r\n'));
  sock.on('data', () => finish(true));
  sock.on('error', () => finish(false));
  sock.on('close', () => finish(false));
}

function report(): void {
  const ok = [...answered].sort((a, b) => a - b);
  let longestGapMs = 0;
  for (let i = 1; i < ok.length; i++) longestGapMs = Math.max(longestGapMs, ok[i]! - ok[i - 1]!);
  process.stdout.write(JSON.stringify({ event: 'summary', sent, answered: answered.length, lost: lost.length, longestGapMs, lostAt: [...lost].sort((a, b) => a - b) }) + '\n');
}

const tick = setInterval(() => {
  if (Date.now() - t0 > maxMs) return stop();
  probe();
}, every);
probe();

let stopping = false;
function stop(): void {
  if (stopping) return;
  stopping = true;
  clearInterval(tick);
  // The probes in flight finish (each within its timeout) before the count.
  const wait = setInterval(() => {
    if (inFlight > 0 && Date.now() - t0 < maxMs + 2 * timeout) return;
    clearInterval(wait);
    report();
    process.exit(0);
  }, 10);
}
process.on('SIGTERM', stop);
