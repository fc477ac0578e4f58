// Invariant (d) and the outage windows, over synthetic probe streams.
import assert from 'node:assert/strict';
import type { ApiSnapshot, FaultWindow, HttpProbe } from '../../src/chaos/observations.js';
import { excusedAt, failureSpan, machineStalls, outages } from '../../src/chaos/outages.js';

const T0 = 2_000_000;
const W: FaultWindow = { index: 0, fault: { type: 'link-flap', target: { type: 'node', node: 'node1' } }, kind: 'link-flap', label: 'link-flap node1', inject: T0 + 1000, heal: T0 + 3000, end: T0 + 10_000, downRoles: [], cutNode: 'node1' };
const snaps: ApiSnapshot[] = [{ t: T0, services: [{ name: 'web', uid: 'u', ips: ['192.0.2.200'], pool: 'lab-l2', mode: 'l2', etp: 'Cluster', sharingKey: undefined }], l2: [] }];

/** Probes of `service` every 20 ms in [0, 10 s); failing inside any of `down` ([from, to) ms). */
function probes(service: string, down: [number, number][]): HttpProbe[] {
  const out: HttpProbe[] = [];
  for (let t = 0; t < 10_000; t += 20) out.push({ t: T0 + t, service, ip: '192.0.2.200', ok: !down.some(([a, b]) => t >= a && t < b) });
  return out;
}

describe('chaos outages and invariant (d)', () => {
  const cases: { desc: string; probes: HttpProbe[]; want: { during: number; after: number; excused: number; d: number; blips?: number } }[] = [
    { desc: 'two lone timeouts 5 s after the heal: blips, not (d)', probes: probes('web', [[8000, 8020], [8060, 8080]]), want: { during: 0, after: 80, excused: 0, d: 0, blips: 2 } },
    { desc: 'three in a row 5 s after the heal: (d)', probes: probes('web', [[8000, 8060]]), want: { during: 0, after: 60, excused: 0, d: 1 } },
    { desc: 'never failing', probes: probes('web', []), want: { during: 0, after: 0, excused: 0, d: 0 } },
    { desc: 'a 600 ms failover during the fault, fine after', probes: probes('web', [[1200, 1800]]), want: { during: 600, after: 0, excused: 0, d: 0 } },
    { desc: 'a 500 ms silence after the heal, inside the 1 s bound', probes: probes('web', [[3000, 3500]]), want: { during: 0, after: 500, excused: 0, d: 0 } },
    { desc: 'still failing 1.5 s after the heal: (d)', probes: probes('web', [[3000, 4500]]), want: { during: 0, after: 1500, excused: 0, d: 1 } },
    {
      desc: 'a late failure shared by two nodes\u2019 control probes is the machine: excused, no (d)',
      probes: [...probes('web', [[6000, 6100]]), ...probes('control:node1', [[6000, 6100]]), ...probes('control:node2', [[6000, 6100]])],
      want: { during: 0, after: 0, excused: 5, d: 0 },
    },
    {
      desc: 'one backend stalling (its control fails too) is not Herald: excused',
      probes: [...probes('web', [[6000, 6100]]), ...probes('control:node1', [[6000, 6100]])],
      want: { during: 0, after: 0, excused: 5, d: 0 },
    },
    {
      desc: 'the cut node\u2019s control failing because of the cut excuses nothing',
      probes: [...probes('web', [[3000, 4500]]), ...probes('control:node1', [[1000, 4500]])],
      want: { during: 0, after: 1500, excused: 0, d: 1 },
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const r = outages(c.probes, [W], snaps, () => 1000);
      const o = r.outages.find((x) => x.service === 'web')!;
      assert.deepEqual({ during: o.duringMs, after: o.afterMs, excused: o.excused, d: r.violations.length, ...(c.want.blips !== undefined ? { blips: o.blips } : {}) }, c.want);
      assert.ok(r.outages.every((x) => !x.service.startsWith('control:')), 'control probes are a reference, not a Service');
      if (c.want.d) assert.equal(r.violations[0]!.kind, 'link-flap');
    });
  }

  it('a Service that did not exist when the fault struck is not judged', () => {
    const late: ApiSnapshot[] = [{ ...snaps[0]!, t: T0 + 2000 }];
    assert.deepEqual(outages(probes('web', [[3000, 6000]]), [W], late, () => 1000).violations, []);
  });

  const spans: { desc: string; oks: boolean[]; want: number }[] = [
    { desc: 'no failure', oks: [true, true, true], want: 0 },
    { desc: 'one failure, then a success', oks: [true, false, true], want: 20 },
    { desc: 'failing to the end of the range', oks: [true, false, false], want: 40 },
    { desc: 'two bursts: from the first failure to the success after the last', oks: [false, true, false, true], want: 60 },
  ];
  for (const c of spans) {
    it(`failureSpan: ${c.desc}`, () => {
      const ps = c.oks.map((ok, i) => ({ t: T0 + i * 20, service: 'web', ip: 'x', ok }));
      assert.equal(failureSpan(ps, T0, T0 + c.oks.length * 20), c.want);
    });
  }

  it('machineStalls and excusedAt: control failures, not of the cut node during its cut, within the slack', () => {
    const ps: HttpProbe[] = [
      { t: 100, service: 'control:node1', ip: 'a', ok: false },
      { t: 180, service: 'control:node2', ip: 'b', ok: false },
      { t: T0 + 2000, service: 'control:node1', ip: 'a', ok: false },
      { t: T0 + 2000, service: 'control:node2', ip: 'b', ok: false },
    ];
    const stalls = machineStalls(ps, [W]);
    assert.deepEqual(stalls, [100, 180, T0 + 2000]);
    assert.deepEqual([excusedAt(stalls, 0), excusedAt(stalls, 300), excusedAt(stalls, 331)], [true, true, false]);
  });
});

describe('chaos outages: the client stalled', () => {
  it('a failure while the client itself stalled is excused, and is no machine stall reference', () => {
    const ps: HttpProbe[] = [];
    for (let t = 0; t < 10_000; t += 20) ps.push({ t: T0 + t, service: 'web', ip: '192.0.2.200', ok: t !== 6000, ...(t === 6000 ? { stalled: true } : {}) });
    ps.push({ t: T0 + 6000, service: 'control:node1', ip: 'a', ok: false, stalled: true }, { t: T0 + 6010, service: 'control:node2', ip: 'b', ok: false, stalled: true });
    const r = outages(ps, [W], snaps, () => 1000);
    assert.deepEqual([r.violations.length, r.outages[0]!.excused], [0, 1]);
    assert.deepEqual(machineStalls(ps), []);
  });
});
