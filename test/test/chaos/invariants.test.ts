// The chaos invariants over synthetic observation streams: for each, a clean stream that must
// report nothing and a broken one that must report exactly the violation, with the fault in force.
import assert from 'node:assert/strict';
import { crashes, ipChanges, sharedIps, statusAgreement, twoMacs } from '../../src/chaos/invariants.js';
import { faultAt, macToNode, type Answer, type ApiSnapshot, type FaultWindow, type ServiceView, type Violation } from '../../src/chaos/observations.js';

const T0 = 1_000_000;
const KILL: FaultWindow = { index: 0, fault: { type: 'speaker-kill', target: { type: 'node', node: 'node1' } }, kind: 'speaker-kill', label: 'speaker-kill node1', inject: T0 + 1000, heal: T0 + 3000, end: T0 + 10_000, downRoles: ['speaker-node1'] };
const windows = [KILL];
const MAC1 = '02:00:00:00:00:11';
const MAC2 = '02:00:00:00:00:12';
const nodeOfMac = macToNode([{ name: 'node1', macByte: 0x11 }, { name: 'node2', macByte: 0x12 }]);

const svc = (over: Partial<ServiceView> = {}): ServiceView => ({ name: 'web', uid: 'u1', ips: ['192.0.2.200'], pool: 'lab-l2', mode: 'l2', etp: 'Cluster', sharingKey: undefined, ...over });
const snap = (t: number, services: ServiceView[], l2: { service: string; node: string }[] = []): ApiSnapshot => ({ t: T0 + t, services, l2 });

/** Answers for ip from mac every `every` ms in [from, to). */
function answers(ip: string, mac: string, from: number, to: number, every = 100): Answer[] {
  const out: Answer[] = [];
  for (let t = from; t < to; t += every) out.push({ t: T0 + t + 1, ip, mac });
  return out;
}
const roundsEvery = (from: number, to: number, every = 100): number[] => Array.from({ length: Math.ceil((to - from) / every) }, (_, i) => T0 + from + i * every);

const brief = (vs: readonly Violation[]): string[] => vs.map((v) => `${v.invariant}@${v.t - T0} ${v.kind}`);
const briefKnown = (vs: readonly Violation[]): string[] => vs.map((v) => `${v.invariant}@${v.t - T0} ${v.kind}${v.known ? ` known:${v.known}` : ''}`);

describe('chaos invariants', () => {
  describe('(a) two MACs for one IP', () => {
    const cases: { desc: string; answers: Answer[]; want: string[] }[] = [
      { desc: 'one MAC, then another after a takeover: none', answers: [...answers('192.0.2.200', MAC1, 0, 1500), ...answers('192.0.2.200', MAC2, 1500, 3000)], want: [] },
      { desc: 'both MACs in one probe round: one, in the round, during the kill', answers: [...answers('192.0.2.200', MAC1, 0, 3000), { t: T0 + 2005, ip: '192.0.2.200', mac: MAC2 }], want: ['a@2000 speaker-kill'] },
    ];
    for (const c of cases) it(c.desc, () => assert.deepEqual(brief(twoMacs(['192.0.2.200'], roundsEvery(0, 3000), c.answers, windows, T0, T0 + 3000)), c.want));
  });

  describe('(b) an IP changes while validly held', () => {
    const cases: { desc: string; snaps: ApiSnapshot[]; want: string[] }[] = [
      { desc: 'stable: none', snaps: [snap(0, [svc()]), snap(2000, [svc()])], want: [] },
      { desc: 'pending then allocated: none', snaps: [snap(0, [svc({ ips: [] })]), snap(2000, [svc()])], want: [] },
      { desc: 'a pool change moves it: none', snaps: [snap(0, [svc()]), snap(2000, [svc({ pool: 'lab-bgp', ips: ['203.0.113.5'] })])], want: [] },
      { desc: 'the pool annotation changes first, the IP a read later: none', snaps: [snap(0, [svc()]), snap(1500, [svc({ pool: 'lab-bgp' })]), snap(2000, [svc({ pool: 'lab-bgp', ips: ['203.0.113.5'] })])], want: [] },
      { desc: 'moved back to its pool and then moved again: one', snaps: [snap(0, [svc()]), snap(1500, [svc({ pool: 'lab-bgp', ips: ['203.0.113.5'] })]), snap(1800, [svc({ pool: 'lab-bgp', ips: ['203.0.113.6'] })])], want: ['b@1800 speaker-kill'] },
      { desc: 'recreated (new uid): none', snaps: [snap(0, [svc()]), snap(2000, [svc({ uid: 'u2', ips: ['192.0.2.201'] })])], want: [] },
      { desc: 'same uid and pool, another IP: one', snaps: [snap(0, [svc()]), snap(2000, [svc({ ips: ['192.0.2.201'] })])], want: ['b@2000 speaker-kill'] },
      { desc: 'same uid and pool, IP cleared: one', snaps: [snap(0, [svc()]), snap(500, [svc({ ips: [] })])], want: ['b@500 baseline'] },
    ];
    for (const c of cases) it(c.desc, () => assert.deepEqual(brief(ipChanges(c.snaps, windows)), c.want));
  });

  describe('(c) one IP, two Services', () => {
    const cases: { desc: string; snaps: ApiSnapshot[]; want: string[] }[] = [
      { desc: 'distinct IPs: none', snaps: [snap(0, [svc(), svc({ name: 'b', uid: 'u2', ips: ['192.0.2.201'] })])], want: [] },
      { desc: 'shared with the same key: none', snaps: [snap(0, [svc({ sharingKey: 'k' }), svc({ name: 'b', uid: 'u2', sharingKey: 'k' })])], want: [] },
      {
        desc: 'shared without a key: one per episode, not per snapshot',
        snaps: [snap(1500, [svc(), svc({ name: 'b', uid: 'u2' })]), snap(1750, [svc(), svc({ name: 'b', uid: 'u2' })]), snap(2000, [svc()]), snap(2500, [svc(), svc({ name: 'b', uid: 'u2' })])],
        want: ['c@1500 speaker-kill', 'c@2500 speaker-kill'],
      },
      { desc: 'different keys: one', snaps: [snap(0, [svc({ sharingKey: 'x' }), svc({ name: 'b', uid: 'u2', sharingKey: 'y' })])], want: ['c@0 baseline'] },
    ];
    for (const c of cases) it(c.desc, () => assert.deepEqual(brief(sharedIps(c.snaps, windows)), c.want));
  });

  describe('(e) status names the real owner within 1 s', () => {
    const run = (snaps: ApiSnapshot[], ans: Answer[], to = 6000): string[] => briefKnown(statusAgreement({ snapshots: snaps, answers: ans, nodeOfMac, from: T0, to: T0 + to, toleranceMs: 1000, answerTtlMs: 350, stepMs: 100 }, windows));
    const takeover = [...answers('192.0.2.200', MAC1, 0, 1500), ...answers('192.0.2.200', MAC2, 1500, 6000)];
    const cases: { desc: string; snaps: ApiSnapshot[]; ans: Answer[]; want: string[]; to?: number }[] = [
      { desc: 'status follows the takeover within 500 ms: none', snaps: [snap(0, [svc()], [{ service: 'web', node: 'node1' }]), snap(2000, [svc()], [{ service: 'web', node: 'node2' }])], ans: takeover, want: [] },
      { desc: 'status still names the old owner 2 s later: one, from the takeover (inside the known lag bound)', snaps: [snap(0, [svc()], [{ service: 'web', node: 'node1' }]), snap(3600, [svc()], [{ service: 'web', node: 'node2' }])], ans: takeover, want: ['e@1600 speaker-kill known:status-lag'] },
      {
        desc: 'the new owner writes its status at once but the old one stays: one missing for 100 ms (none), one stale (known defect)',
        snaps: [snap(0, [svc()], [{ service: 'web', node: 'node1' }]), snap(1700, [svc()], [{ service: 'web', node: 'node1' }, { service: 'web', node: 'node2' }])],
        ans: takeover,
        want: ['e@1700 speaker-kill known:stale-l2-status'],
      },
      {
        desc: 'missing for 500 ms, then stale for 400 ms, then right: none',
        snaps: [snap(0, [svc()], [{ service: 'web', node: 'node1' }]), snap(2000, [svc()], [{ service: 'web', node: 'node1' }, { service: 'web', node: 'node2' }]), snap(2400, [svc()], [{ service: 'web', node: 'node2' }])],
        ans: takeover,
        want: [],
      },
      { desc: 'nobody answers (an outage, not a status lie): none', snaps: [snap(0, [svc()], [{ service: 'web', node: 'node1' }])], ans: answers('192.0.2.200', MAC1, 0, 1000), want: [] },
      {
        desc: 'node2 answers 1.5 s before its status: over the tolerance, inside the known lag bound (known defect)',
        snaps: [snap(0, [svc()], [{ service: 'web', node: 'node1' }]), snap(3200, [svc()], []), snap(5000, [svc()], [{ service: 'web', node: 'node2' }])],
        ans: [...answers('192.0.2.200', MAC1, 0, 3300), ...answers('192.0.2.200', MAC2, 3500, 6000)],
        want: ['e@3600 speaker-kill known:status-lag'],
      },
      {
        desc: 'a status missing for longer than the known lag bound (5 s) is enforced',
        snaps: [snap(0, [svc()], [{ service: 'web', node: 'node1' }]), snap(1200, [svc()], [])],
        ans: [...answers('192.0.2.200', MAC1, 0, 1000), ...answers('192.0.2.200', MAC2, 1000, 8000)],
        want: ['e@1100 speaker-kill'],
        to: 8000,
      },
      { desc: 'BGP Services are not judged', snaps: [snap(0, [svc({ mode: 'bgp' })], [])], ans: takeover, want: [] },
    ];
    for (const c of cases) it(c.desc, () => assert.deepEqual(run(c.snaps, c.ans, c.to), c.want));
  });

  describe('(f) crashes', () => {
    const cases: { desc: string; exits: { t: number; role: string; why: string }[]; want: string[] }[] = [
      { desc: 'the killed speaker, during its fault: none', exits: [{ t: T0 + 1100, role: 'speaker-node1', why: 'killed by SIGKILL' }], want: [] },
      { desc: 'another speaker during the kill: one', exits: [{ t: T0 + 1100, role: 'speaker-node2', why: 'exited with code 1' }], want: ['f@1100 speaker-kill'] },
      { desc: 'the same speaker long after its heal: one', exits: [{ t: T0 + 8000, role: 'speaker-node1', why: 'exited with code 1' }], want: ['f@8000 speaker-kill'] },
      { desc: 'the controller before any fault: one', exits: [{ t: T0 + 10, role: 'controller', why: 'exited with code 1' }], want: ['f@10 baseline'] },
    ];
    for (const c of cases) it(c.desc, () => assert.deepEqual(brief(crashes(c.exits, windows, 2000)), c.want));
  });

  it('faultAt: baseline before, the window inside, baseline after', () => {
    assert.deepEqual([faultAt(windows, T0).kind, faultAt(windows, T0 + 1000).kind, faultAt(windows, T0 + 9999).kind, faultAt(windows, T0 + 10_000).kind], ['baseline', 'speaker-kill', 'speaker-kill', 'baseline']);
  });
});
