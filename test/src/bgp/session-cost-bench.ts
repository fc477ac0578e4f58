// The session side in process (FakeClock, a socket that takes everything): what one reconcile
// pass costs a session with 10,000 routes, when nothing changed and when 100 routes did. The
// references are measured in the same run: building the 10,000-route table itself (what any
// caller pays first), and handing the whole table with those 100 changed (setAdvertised).
// CPU time of this process (process.cpuUsage), so other load on the machine counts less.
import { FakeClock, IP, Prefix } from '@herald/shared';
import { bgpWire, speakerBgp, type Advertisement } from './api.js';
import { max, median, p95 } from '@herald/bench/stats';

export interface CostRow {
  what: string;
  value: string;
  target: string;
}

const ROUTES = 10_000;
const CHANGED = 100;
const RUNS = 30;

function table(n: number, community: (i: number) => number): Map<string, Advertisement> {
  const m = new Map<string, Advertisement>();
  for (let i = 0; i < n; i++) {
    const p = Prefix.of(IP.fromBigInt(6, (0x20010db8n << 96n) + (0x600n << 80n) + BigInt(i)), 128);
    m.set(p.toString(), { prefix: p, communities: [{ type: 'standard', asn: 64512, value: community(i) }] });
  }
  return m;
}

function cpuMs(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
}

function stats(xs: number[]): string {
  return `${median(xs).toFixed(2)} / ${p95(xs).toFixed(2)} / ${max(xs).toFixed(2)} ms`;
}

function established(): { core: InstanceType<typeof speakerBgp.SessionCore>; clock: FakeClock; updates: () => number } {
  const clock = new FakeClock();
  const io = { connect: () => undefined, close: () => undefined, write: () => true, nextHops: (l: IP) => ({ 4: [l], 6: [IP.parse('2001:db8::11')] }) };
  const core = new speakerBgp.SessionCore({
    fsm: { localAS: 64512, peerAS: 64500, routerId: IP.parse('192.0.2.11'), holdTime: 90, keepaliveTime: 30, connectRetryMs: 1000, maxRetryMs: 8000, families: [{ afi: 2, safi: 1 }], gracefulRestart: false },
    ibgp: false,
    clock,
    io,
  });
  const enc = (m: Parameters<typeof bgpWire.encodeMessage>[0]) => bgpWire.encodeMessage(m);
  core.start();
  core.connected(IP.parse('192.0.2.11'));
  core.data(enc({ type: 'open', version: 4, myAS: 64500, holdTime: 90, routerId: IP.parse('192.0.2.1'), capabilities: [{ type: 'multiprotocol', afi: 2, safi: 1 }, { type: 'four-octet-as', asn: 64500 }] }));
  core.data(enc({ type: 'keepalive' }));
  return { core, clock, updates: () => core.status().updatesSent };
}

export function sessionCostRows(): CostRow[] {
  const build: number[] = [];
  const same: number[] = [];
  const delta: number[] = [];
  const whole: number[] = [];
  let sentSame = 0;
  for (let r = 0; r < RUNS; r++) {
    const a = established();
    let base = new Map<string, Advertisement>();
    build.push(cpuMs(() => (base = table(ROUTES, () => 1))));
    a.core.setAdvertised(base);
    a.clock.advance(0);
    const again = table(ROUTES, () => 1);
    const u0 = a.updates();
    same.push(cpuMs(() => {
      a.core.setAdvertised(again);
      a.clock.advance(0);
    }));
    sentSame += a.updates() - u0;
    // 100 routes get a new community: as changes, and (on a twin session) as the whole table.
    const next = table(ROUTES, (i) => (i % (ROUTES / CHANGED) === 0 ? 2 + r : 1));
    const changes = new Map<string, Advertisement | undefined>([...next].filter((_, i) => i % (ROUTES / CHANGED) === 0));
    delta.push(cpuMs(() => {
      a.core.updateAdvertised(changes);
      a.clock.advance(0);
    }));
    const b = established();
    b.core.setAdvertised(table(ROUTES, () => 1));
    b.clock.advance(0);
    whole.push(cpuMs(() => {
      b.core.setAdvertised(next);
      b.clock.advance(0);
    }));
  }
  return [
    { what: `Session, in process: the same ${ROUTES}-route table again (fresh objects), median / p95 / max CPU of ${RUNS}`, value: `${stats(same)}; ${sentSame} UPDATEs`, target: `0 UPDATEs; reference: building that table: ${stats(build)}` },
    { what: `Session, in process: ${CHANGED} of ${ROUTES} routes changed, as changes (updateAdvertised), encoded and written`, value: stats(delta), target: `reference: the whole table with them changed (setAdvertised): ${stats(whole)}` },
  ];
}
