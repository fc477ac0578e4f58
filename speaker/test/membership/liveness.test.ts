// Direct table tests of the liveness core: each case feeds inputs at given times and asserts the
// statuses (as text) and the fence at the end. The simulated-cluster tests cover the dynamics.
import { strict as assert } from 'node:assert';
import { Liveness, LivenessConfigError, statusText, validateLivenessConfig, defaultLivenessConfig, type MemberFacts } from '../../src/membership/liveness.js';
import { parseProbeArgs, ProbeUsageError } from '../fixtures/membership-probe.js';

type Step =
  | { at: number; members: Record<string, Partial<MemberFacts> & { key?: string }> }
  | { at: number; renewed: string }
  | { at: number; hb: { from: string; heard: string[]; fenced?: boolean; type?: 'heartbeat' | 'leaving'; inc?: bigint } };

const member = (f: Partial<MemberFacts> & { key?: string }): MemberFacts => ({
  lease: f.lease === undefined && 'lease' in f ? undefined : (f.lease ?? { renewKey: f.key ?? 'k1', durationMs: 10_000 }),
  nodeReady: f.nodeReady ?? true,
});

function run(steps: Step[], at: number): { statuses: Record<string, string>; fence: string; mode: string } {
  const lv = new Liveness('a');
  for (const s of steps) {
    if ('members' in s) lv.setMembers(new Map(Object.entries(s.members).map(([n, f]) => [n, member(f)])), s.at);
    else if ('renewed' in s) lv.ownLeaseRenewed(s.at, s.renewed, s.at);
    else lv.observe({ from: s.hb.from, type: s.hb.type ?? 'heartbeat', incarnation: s.hb.inc ?? 1n, fenced: s.hb.fenced ?? false, heard: s.hb.heard }, s.at);
  }
  const v = lv.view(at);
  return {
    statuses: Object.fromEntries([...v.members].map(([n, st]) => [n, statusText(st)])),
    fence: v.fence.fenced ? v.fence.reason.type : 'unfenced',
    mode: v.mode,
  };
}

/** Heartbeats every 100 ms from `from` over [t0, t1), hearing `heard`. */
function beats(from: string, heard: string[], t0: number, t1: number, extra: Partial<{ fenced: boolean; type: 'heartbeat' | 'leaving' }> = {}): Step[] {
  const out: Step[] = [];
  for (let t = t0; t < t1; t += 100) out.push({ at: t, hb: { from, heard, ...extra } });
  return out;
}

const three = { at: 0, members: { a: { key: 'a1' }, b: {}, c: {} } };
const two = { at: 0, members: { a: { key: 'a1' }, b: {} } };
const sorted = (xs: Step[]): Step[] => [...xs].sort((x, y) => x.at - y.at);

describe('membership/liveness (core, table)', () => {
  const cases: { desc: string; input: { steps: Step[]; at: number }; want: { statuses?: Record<string, string>; fence?: string; mode?: string } }[] = [
    {
      desc: 'fresh start: fenced until the own Lease is renewed',
      input: { steps: [three], at: 10 },
      want: { fence: 'own-lease-not-renewed', mode: 'quorum' },
    },
    {
      desc: 'renewed but nobody heard: no quorum',
      input: { steps: [three, { at: 0, renewed: 'a1' }], at: 10 },
      want: { fence: 'no-quorum' },
    },
    {
      desc: 'mutual links with both peers, held for the rejoin delay: unfenced, all live',
      input: { steps: sorted([three, { at: 0, renewed: 'a1' }, ...beats('b', ['a', 'c'], 0, 1000), ...beats('c', ['a', 'b'], 50, 1000)]), at: 1000 },
      want: { fence: 'unfenced', statuses: { a: 'live', b: 'live', c: 'live' } },
    },
    {
      desc: 'quorum held for less than the rejoin delay: still fenced (rejoining)',
      input: { steps: sorted([three, { at: 0, renewed: 'a1' }, ...beats('b', ['a', 'c'], 0, 400), ...beats('c', ['a', 'b'], 50, 400)]), at: 400 },
      want: { fence: 'rejoining' },
    },
    {
      desc: 'peers hear each other but not us: no quorum even though we hear them (asymmetric)',
      input: { steps: sorted([three, { at: 0, renewed: 'a1' }, ...beats('b', ['c'], 0, 1000), ...beats('c', ['b'], 50, 1000)]), at: 1000 },
      want: { fence: 'no-quorum' },
    },
    {
      desc: 'c silent, b also does not hear c: c dead, corroborated by b',
      input: { steps: sorted([three, { at: 0, renewed: 'a1' }, ...beats('b', ['a', 'c'], 0, 500), ...beats('b', ['a'], 500, 2000), ...beats('c', ['a', 'b'], 50, 400)]), at: 2000 },
      want: { fence: 'unfenced', statuses: { a: 'live', b: 'live', c: 'dead:heartbeat-silent-corroborated' } },
    },
    {
      desc: 'c silent to us only (b still hears it): suspect, live for ownership',
      input: { steps: sorted([three, { at: 0, renewed: 'a1' }, ...beats('b', ['a', 'c'], 0, 2000), ...beats('c', ['a', 'b'], 50, 400)]), at: 2000 },
      want: { statuses: { a: 'live', b: 'live', c: 'suspect:heartbeat-silent-uncorroborated' } },
    },
    {
      desc: 'c says it is fenced: dead at once (peer-fenced)',
      input: { steps: sorted([three, { at: 0, renewed: 'a1' }, ...beats('b', ['a', 'c'], 0, 1000), ...beats('c', ['a', 'b'], 50, 1000, { fenced: true })]), at: 1000 },
      want: { statuses: { a: 'live', b: 'live', c: 'dead:peer-fenced' } },
    },
    {
      // (The base shrinks to 2: lease mode, where a speaker started < 5 s ago waits to rejoin.)
      desc: 'c is leaving: dead (left), and the base shrinks to lease mode',
      input: { steps: sorted([three, { at: 0, renewed: 'a1' }, ...beats('b', ['a', 'c'], 0, 1000), ...beats('c', ['a', 'b'], 50, 1000, { type: 'leaving' })]), at: 1000 },
      want: { mode: 'lease', statuses: { b: 'live', c: 'dead:left' } },
    },
    {
      desc: '2 members: a fresh start waits the lease-fence rejoin delay before answering',
      input: { steps: sorted([two, { at: 0, renewed: 'a1' }, ...beats('b', ['a'], 0, 4000)]), at: 4000 },
      want: { mode: 'lease', fence: 'rejoining' },
    },
    {
      desc: 'a left peer that restarts (new incarnation) is live again',
      input: {
        steps: sorted([three, { at: 0, renewed: 'a1' }, ...beats('b', ['a', 'c'], 0, 1000), { at: 150, hb: { from: 'c', heard: ['a', 'b'], type: 'leaving' } },
          { at: 950, hb: { from: 'c', heard: ['a', 'b'], inc: 2n } }]),
        at: 1000,
      },
      want: { statuses: { a: 'live', b: 'live', c: 'live' } },
    },
    {
      desc: 'a speaker outside our member set that a peer reports hearing counts as live (suspect)',
      input: { steps: sorted([three, { at: 0, renewed: 'a1' }, ...beats('b', ['a', 'c', 'x'], 0, 1000), ...beats('c', ['a', 'b'], 50, 1000)]), at: 1000 },
      want: { statuses: { x: 'suspect:not-a-member-but-reported' } },
    },
    {
      desc: 'an authenticated sender outside our member set counts as live, unless it says it is fenced',
      input: { steps: sorted([three, { at: 0, renewed: 'a1' }, ...beats('b', ['a', 'c'], 0, 1000), ...beats('y', ['a'], 10, 1000), ...beats('z', [], 20, 1000, { fenced: true })]), at: 1000 },
      want: { statuses: { y: 'suspect:not-a-member-but-heard', z: 'dead:peer-fenced' } },
    },
    {
      desc: 'own Node NotReady: fenced',
      input: { steps: sorted([{ at: 0, members: { a: { key: 'a1', nodeReady: false }, b: {}, c: {} } }, { at: 0, renewed: 'a1' }]), at: 10 },
      want: { fence: 'own-node-not-ready' },
    },
    {
      desc: 'own Lease missing from the member set: fenced (not a member)',
      input: { steps: [{ at: 0, members: { b: {}, c: {} } }, { at: 0, renewed: 'a1' }], at: 10 },
      want: { fence: 'not-a-member' },
    },
    {
      desc: '2 members: lease mode, a silent peer with a live Lease is only suspect',
      input: { steps: sorted([two, { at: 0, renewed: 'a1' }, { at: 1, members: { a: { key: 'a1' }, b: {} } }, ...beats('b', ['a'], 0, 300)]), at: 5000 },
      want: { mode: 'lease', fence: 'unfenced', statuses: { a: 'live', b: 'suspect:heartbeat-silent-lease-mode' } },
    },
    {
      desc: '2 members: a silent peer whose Lease expired as of a fresh view is dead',
      input: {
        steps: sorted([two, ...[0, 2000, 4000, 6000, 8000, 10000, 12000].flatMap((t): Step[] => [{ at: t, renewed: `a${t}` }, { at: t + 5, members: { a: { key: `a${t}` }, b: { key: 'b-old' } } }]), ...beats('b', ['a'], 0, 300)]),
        at: 12_100,
      },
      want: { mode: 'lease', statuses: { a: 'live', b: 'dead:lease-expired' } },
    },
    {
      desc: '2 members: the same expiry is NOT judged from a stale view (our own renewals never echoed)',
      input: {
        steps: sorted([two, ...[0, 2000, 4000, 6000, 8000, 10000, 12000].map((t): Step => ({ at: t, renewed: `a${t}` })), ...beats('b', ['a'], 0, 300)]),
        at: 12_100,
      },
      want: { mode: 'lease', statuses: { a: 'live', b: 'suspect:heartbeat-silent-lease-mode' } },
    },
    {
      desc: '2 members: a peer heard unfenced is live even if its Lease looks expired',
      input: {
        steps: sorted([two, ...[0, 2000, 4000, 6000, 8000, 10000, 12000].flatMap((t): Step[] => [{ at: t, renewed: `a${t}` }, { at: t + 5, members: { a: { key: `a${t}` }, b: { key: 'b-old' } } }]), ...beats('b', ['a'], 0, 12_100)]),
        at: 12_100,
      },
      want: { statuses: { a: 'live', b: 'live' } },
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const got = run(c.input.steps, c.input.at);
      if (c.want.fence) assert.equal(got.fence, c.want.fence);
      if (c.want.mode) assert.equal(got.mode, c.want.mode);
      if (c.want.statuses) for (const [m, st] of Object.entries(c.want.statuses)) assert.equal(got.statuses[m], st, m);
    });
  }

  describe('timing validation', () => {
    const bad: { desc: string; input: Partial<typeof defaultLivenessConfig> }[] = [
      { desc: 'deadAfter too close to silentAfter', input: { deadAfterMs: 400 } },
      { desc: 'corroboration shorter than silentAfter', input: { corroborationMs: 200 } },
      { desc: 'rejoin shorter than silentAfter + 2 heartbeats', input: { rejoinAfterMs: 400 } },
      { desc: 'quorum mode below 3 members', input: { minQuorumMembers: 2 } },
      { desc: 'NotReady grace not longer than the renew deadline', input: { k8sGraceMs: 6000 } },
      { desc: 'lease rejoin shorter than the staleness bound', input: { rejoinAfterLeaseFenceMs: 4000 } },
    ];
    for (const c of bad) it(c.desc, () => assert.throws(() => validateLivenessConfig({ ...defaultLivenessConfig, ...c.input }), LivenessConfigError));
    it('the defaults are valid', () => assert.doesNotThrow(() => validateLivenessConfig(defaultLivenessConfig)));
  });

  describe('probe arguments', () => {
    it('parses peers, key files, bind and port', () => {
      const a = parseProbeArgs(['--node', 'n1', '--key-file', '/k', '--peer', 'n1=192.0.2.1', '--peer', 'n2=2001:db8::2', '--bind', '::', '--port', '9000']);
      assert.deepEqual([a.node, a.keyFiles, [...a.peers], a.bind, a.port], ['n1', ['/k'], [['n1', '192.0.2.1'], ['n2', '2001:db8::2']], '::', 9000]);
    });
    const bad = [
      { desc: 'missing node', input: ['--peer', 'n1=192.0.2.1'] },
      { desc: 'self not among peers', input: ['--node', 'n1', '--peer', 'n2=192.0.2.2'] },
      { desc: 'bad peer', input: ['--node', 'n1', '--peer', 'n1'] },
      { desc: 'unknown flag', input: ['--node', 'n1', '--what', 'x'] },
      { desc: 'flag without value', input: ['--node'] },
    ];
    for (const c of bad) it(`rejects: ${c.desc}`, () => assert.throws(() => parseProbeArgs(c.input), ProbeUsageError));
  });
});
