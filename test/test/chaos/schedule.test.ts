import assert from 'node:assert/strict';
import { FAULT_KINDS, chaosSchedule, describeFault, parseFaultKinds, type ScheduleInput } from '../../src/chaos/schedule.js';

const base: ScheduleInput = {
  seed: 1,
  durationMs: 150_000,
  kinds: FAULT_KINDS,
  nodes: ['node1', 'node2', 'node3'],
  l2Services: ['web-l2', 'web-l2-local'],
  sliceServices: ['web-l2', 'web-bgp'],
  churnService: 'chaos-churn',
  recoveryBoundMs: 9000,
};

describe('chaos schedule', () => {
  const cases: { desc: string; check: () => void }[] = [
    { desc: 'the same seed gives the same schedule', check: () => assert.deepEqual(chaosSchedule(base), chaosSchedule({ ...base })) },
    { desc: 'another seed gives another schedule', check: () => assert.notDeepEqual(chaosSchedule(base).map((f) => describeFault(f.fault)), chaosSchedule({ ...base, seed: 2 }).map((f) => describeFault(f.fault))) },
    {
      desc: 'a 150 s run meets every fault kind once (kinds come in shuffled rounds)',
      check: () => {
        for (const seed of [1, 2, 3, 99]) {
          const kinds = new Set(chaosSchedule({ ...base, seed }).map((f) => f.fault.type));
          assert.deepEqual([...kinds].sort(), [...FAULT_KINDS].sort(), `seed ${seed}`);
        }
      },
    },
    {
      desc: 'faults never overlap, each quiet window is longer than the slowest bound, and all fit in the duration',
      check: () => {
        const s = chaosSchedule({ ...base, durationMs: 600_000 });
        for (let i = 0; i < s.length; i++) {
          const f = s[i]!;
          assert.ok(f.settleMs > base.recoveryBoundMs, `#${i} settle ${f.settleMs}`);
          assert.ok(f.at + f.holdMs + f.settleMs <= (s[i + 1]?.at ?? 600_000), `#${i} overlaps the next`);
        }
      },
    },
    {
      desc: 'slice churn never leaves a Service without backends',
      check: () => {
        const s = chaosSchedule({ ...base, kinds: ['slice-churn'], durationMs: 3_600_000 });
        assert.ok(s.length > 100);
        for (const f of s) if (f.fault.type === 'slice-churn') assert.ok(f.fault.nodes.length >= 1);
      },
    },
    {
      desc: 'only the listed kinds are scheduled',
      check: () => assert.deepEqual([...new Set(chaosSchedule({ ...base, kinds: ['speaker-kill', 'link-flap'] }).map((f) => f.fault.type))].sort(), ['link-flap', 'speaker-kill']),
    },
    { desc: 'a duration too short for one fault gives an empty schedule', check: () => assert.deepEqual(chaosSchedule({ ...base, durationMs: 5000 }), []) },
    { desc: 'a zero duration is refused', check: () => assert.throws(() => chaosSchedule({ ...base, durationMs: 0 }), /duration must be positive/) },
    { desc: 'slice churn without Services is refused', check: () => assert.throws(() => chaosSchedule({ ...base, sliceServices: [] }), /slice-churn needs/) },
  ];
  for (const c of cases) it(c.desc, c.check);

  const parse: { desc: string; input: string; want?: string[]; wantError?: RegExp }[] = [
    { desc: 'a list', input: 'speaker-kill,link-flap', want: ['speaker-kill', 'link-flap'] },
    { desc: 'spaces and repeats', input: ' speaker-kill , speaker-kill ', want: ['speaker-kill'] },
    { desc: 'an unknown kind names it', input: 'speaker-kill,explode', wantError: /unknown fault "explode"/ },
    { desc: 'an empty list', input: ',', wantError: /empty/ },
  ];
  for (const c of parse) {
    it(`--faults: ${c.desc}`, () => {
      if (c.wantError) assert.throws(() => parseFaultKinds(c.input), c.wantError);
      else assert.deepEqual(parseFaultKinds(c.input), c.want);
    });
  }
});
