// The report writer: a result with one violation of each invariant must show each in the table
// and the list, and the timeline must be one well-formed, self-contained SVG.
import assert from 'node:assert/strict';
import { INVARIANTS, macToNode, type FaultWindow, type Invariant, type Violation } from '../../src/chaos/observations.js';
import { enforcedViolations, kindRows, markdownReport, type ChaosResult } from '../../src/chaos/report.js';
import { timelineSvg } from '../../src/chaos/timeline-svg.js';

const T0 = Date.parse('2026-12-04T12:00:00Z');
const windows: FaultWindow[] = [
  { index: 0, fault: { type: 'speaker-kill', target: { type: 'node', node: 'node1' } }, kind: 'speaker-kill', label: 'speaker-kill node1', inject: T0 + 1000, heal: T0 + 2000, end: T0 + 12_000, downRoles: ['speaker-node1'] },
  { index: 1, fault: { type: 'apiserver-restart' }, kind: 'apiserver-restart', label: 'apiserver-restart', inject: T0 + 12_000, heal: T0 + 12_000, end: T0 + 22_000, downRoles: [] },
];
const inv = Object.keys(INVARIANTS) as Invariant[];
const violations: Violation[] = [
  ...inv.map((i, k): Violation => ({ invariant: i, t: T0 + 1500 + k, fault: '#0 speaker-kill node1', kind: 'speaker-kill', detail: `broken <${i}> & co` })),
  { invariant: 'a', t: T0 + 1600, fault: '#0 speaker-kill node1', kind: 'speaker-kill', detail: 'an open defect', known: 'some-defect' },
];
const result: ChaosResult = {
  seed: 7,
  startedAt: T0,
  endedAt: T0 + 22_000,
  faultKinds: ['speaker-kill', 'apiserver-restart'],
  windows,
  outages: [
    { window: 0, kind: 'speaker-kill', service: 'web-l2', duringMs: 600, afterMs: 0, failed: 30, excused: 0, blips: 0, probes: 500 },
    { window: 0, kind: 'speaker-kill', service: 'web-bgp', duringMs: 0, afterMs: 0, failed: 0, excused: 0, blips: 0, probes: 500 },
    { window: 1, kind: 'apiserver-restart', service: 'web-l2', duringMs: 0, afterMs: 0, failed: 0, excused: 0, blips: 0, probes: 500 },
  ],
  violations,
  memory: [],
  enforced: ['a', 'b', 'c', 'f'],
  counts: { httpProbes: 1500, httpFailed: 30, watcherRounds: 220, watcherAnswers: 600, apiSnapshots: 12, rssSamples: 30 },
  notes: ['a note'],
};

describe('chaos report', () => {
  it('one row per fault type, with the outage distribution and a violation count per invariant', () => {
    const rows = kindRows(result);
    assert.deepEqual(rows.map((r) => [r.kind, r.faults, r.during, r.affected]), [['speaker-kill', 1, '600 ms / 600 ms / 600 ms', '1/2'], ['apiserver-restart', 1, '-', '0/1']]);
    assert.deepEqual(rows[0]!.violations, { a: 2, b: 1, c: 1, d: 1, e: 1, f: 1, g: 1 });
  });

  it('the markdown names every violation with its fault, and marks the reported-only ones', () => {
    const md = markdownReport(result);
    for (const i of inv) assert.ok(md.includes(`(${i}) ${result.enforced.includes(i) ? '' : '[reported only] '}during #0 speaker-kill node1: broken <${i}>`), `violation ${i} in the list`);
    assert.match(md, /\| speaker-kill \| 1 \| 600 ms \/ 600 ms \/ 600 ms \| - \| 1\/2 \| 2 \| 1 \| 1 \| 1 \| 1 \| 1 \| 1 \|/);
    assert.ok(md.includes('(a) [known defect some-defect] during #0 speaker-kill node1: an open defect'));
    // Enforced a, b, c, f: four, and the known defect's (a) is not one of them.
    assert.equal(enforcedViolations(result).length, 4);
  });

  it('the timeline is one self-contained SVG with a band per fault and a mark per violation, text escaped', () => {
    const svg = timelineSvg({
      startedAt: T0,
      endedAt: T0 + 22_000,
      seed: 7,
      windows,
      probes: Array.from({ length: 1100 }, (_, k) => ({ t: T0 + k * 20, service: 'web-l2', ip: '192.0.2.200', ok: !(k > 60 && k < 90) })),
      answers: [{ t: T0 + 100, ip: '192.0.2.200', mac: '02:00:00:00:00:11' }],
      l2Ips: [{ ip: '192.0.2.200', from: T0, to: T0 + 22_000 }],
      nodes: ['node1', 'node2'],
      nodeOfMac: macToNode([{ name: 'node1', macByte: 0x11 }]),
      violations,
    });
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg.trimEnd(), /<\/svg>$/);
    assert.equal((svg.match(/<svg/g) ?? []).length, 1);
    assert.ok(!/href=|<script|<image/.test(svg), 'nothing external');
    assert.equal((svg.match(/fill="#f4b400" opacity="0.35"/g) ?? []).length, windows.length);
    assert.equal((svg.match(/<path d="M/g) ?? []).length, violations.length);
    assert.ok(svg.includes('broken &lt;a&gt; &amp; co') && !svg.includes('<a>'), 'tooltips escaped');
    assert.ok(svg.includes('#d62728"/>') && svg.includes('#2ca02c"/>'), 'failed and answered probes both drawn');
  });
});
