// The speaker-log counter the load benches trust for "0 fences, 0 deaths, 0 owner changes": each
// kind of line it must count, and each it must not. The lines are the speaker's own format
// (speaker/src/membership/membership.ts, speaker/src/reconcile/reconciler.ts), built here by the
// same JSON logger the speaker uses.
import assert from 'node:assert/strict';
import { createLogger } from '@herald/shared';
import { countWindow, describeWindow, parseSpeakerLine, parseSpeakerLog, SPEAKER_EVENTS, type SpeakerLogEvent } from '../../src/bench/speaker-log.js';

/** One line as the speaker's logger writes it, at epoch ms t. */
function line(t: number, event: string, fields: Record<string, unknown>): string {
  let out = '';
  createLogger({ component: 'speaker', now: () => new Date(t), sink: (l) => (out = l) }).info(event, fields);
  return out;
}

describe('bench: speaker log', () => {
  describe('parseSpeakerLine', () => {
    const cases: { desc: string; input: string; want: SpeakerLogEvent | string }[] = [
      { desc: 'a self-fence, reason an object', input: line(1000, SPEAKER_EVENTS.selfFenced, { node: 'node1', reason: { type: 'no-quorum', mutual: [], need: 2 } }), want: { type: 'self-fenced', t: 1000, node: 'node1', reason: 'no-quorum' } },
      { desc: 'a peer declared dead', input: line(1000, SPEAKER_EVENTS.memberStatus, { node: 'node1', member: 'node2', status: 'dead:heartbeat-silent-corroborated' }), want: { type: 'peer-dead', t: 1000, node: 'node1', member: 'node2', status: 'dead:heartbeat-silent-corroborated' } },
      { desc: 'a peer that left is no death', input: line(1000, SPEAKER_EVENTS.memberStatus, { node: 'node1', member: 'node2', status: 'dead:left' }), want: 'other-event' },
      { desc: "the speaker's own entry is the fence, not a death", input: line(1000, SPEAKER_EVENTS.memberStatus, { node: 'node1', member: 'node1', status: 'dead:self-fenced' }), want: 'other-event' },
      { desc: 'a suspect is no death', input: line(1000, SPEAKER_EVENTS.memberStatus, { node: 'node1', member: 'node2', status: 'suspect:heartbeat-silent-uncorroborated' }), want: 'other-event' },
      { desc: 'an owner change', input: line(1000, SPEAKER_EVENTS.l2OwnerChanged, { service: 'a/b', ip: '192.0.2.230', owner: 'node2', was: 'node1' }), want: { type: 'owner-changed', t: 1000, node: 'n', ip: '192.0.2.230', owner: 'node2', was: 'node1' } },
      { desc: 'an owner change to nobody', input: line(1000, SPEAKER_EVENTS.l2OwnerChanged, { service: 'a/b', ip: '192.0.2.230', owner: null, was: 'node1' }), want: { type: 'owner-changed', t: 1000, node: 'n', ip: '192.0.2.230', owner: null, was: 'node1' } },
      { desc: 'a node warning on stderr', input: '(node:123) Warning: something', want: 'not-json' },
      { desc: 'JSON without a time', input: '{"event":"self-fenced"}', want: 'no-ts' },
      { desc: 'another event', input: line(1000, 'reconcile-pass', {}), want: 'other-event' },
    ];
    for (const c of cases) it(c.desc, () => assert.deepEqual(parseSpeakerLine(c.input, 'n'), c.want));
  });

  it('describeWindow says how many fences fell in a stall of the whole machine', () => {
    const events = parseSpeakerLog(line(1500, SPEAKER_EVENTS.selfFenced, { node: 'node1', reason: { type: 'no-quorum' } }), 'node1').events;
    const d = describeWindow(countWindow(events, 1000, 5000, { machineStalls: [{ from: 1000, to: 1458 }] }));
    assert.equal(d.fences, '1 (node1 1); all 1 within a stall of the whole machine (up to 458 ms, when the router-side watcher, at higher priority, did not run either)');
    assert.equal(describeWindow(countWindow(events, 1000, 5000, {})).fences, '1 (node1 1)');
  });

  describe('countWindow', () => {
    const log = [
      line(100, SPEAKER_EVENTS.l2OwnerChanged, { ip: '192.0.2.230', owner: 'node1', was: null }),
      line(1500, SPEAKER_EVENTS.selfFenced, { node: 'node1', reason: { type: 'no-quorum' } }),
      line(1600, SPEAKER_EVENTS.memberStatus, { node: 'node2', member: 'node1', status: 'dead:peer-fenced' }),
      // Owned before the window (learnt from the line at t=100): no cause.
      line(1700, SPEAKER_EVENTS.l2OwnerChanged, { ip: '192.0.2.230', owner: 'node2', was: 'node1' }),
      // Owned before the window (told by the caller).
      line(1800, SPEAKER_EVENTS.l2OwnerChanged, { ip: '2001:db8:0:1:9000::1', owner: 'node3', was: 'node2' }),
      // A new IP: its first owner, then a flap, then deleted (not a flap).
      line(1900, SPEAKER_EVENTS.l2OwnerChanged, { ip: '2001:db8:0:1:8000::5', owner: 'node1', was: null }),
      line(2000, SPEAKER_EVENTS.l2OwnerChanged, { ip: '2001:db8:0:1:8000::5', owner: 'node3', was: 'node1' }),
      line(2100, SPEAKER_EVENTS.l2OwnerChanged, { ip: '2001:db8:0:1:8000::5', owner: null, was: 'node3' }),
      // After the window.
      line(9000, SPEAKER_EVENTS.selfFenced, { node: 'node1', reason: { type: 'no-quorum' } }),
    ].join('\n');
    const { events } = parseSpeakerLog(log, 'node1');
    const cases: { desc: string; from: number; to: number; opts: Parameters<typeof countWindow>[3]; want: { selfFences: number; peersDead: number; ownerChanges: number; uncausedChanges: number; uncausedIps: number; flaps: number } }[] = [
      { desc: 'the burst window, owners learnt from the log and the caller', from: 1000, to: 5000, opts: { ownedBefore: new Set(['2001:db8:0:1:9000::1']) }, want: { selfFences: 1, peersDead: 1, ownerChanges: 5, uncausedChanges: 2, uncausedIps: 2, flaps: 1 } },
      { desc: 'only the caller\'s owners (a delete window)', from: 1000, to: 5000, opts: { ownedBefore: new Set(['2001:db8:0:1:9000::1']), learnFromLog: false }, want: { selfFences: 1, peersDead: 1, ownerChanges: 5, uncausedChanges: 1, uncausedIps: 1, flaps: 2 } },
      { desc: 'a window with nothing in it', from: 3000, to: 5000, opts: {}, want: { selfFences: 0, peersDead: 0, ownerChanges: 0, uncausedChanges: 0, uncausedIps: 0, flaps: 0 } },
      { desc: 'the window bounds are inclusive', from: 1500, to: 1600, opts: {}, want: { selfFences: 1, peersDead: 1, ownerChanges: 0, uncausedChanges: 0, uncausedIps: 0, flaps: 0 } },
    ];
    for (const c of cases) {
      it(c.desc, () => {
        const got = countWindow(events, c.from, c.to, c.opts);
        const { selfFences, peersDead, ownerChanges, uncausedChanges, uncausedIps, flaps } = got;
        assert.deepEqual({ selfFences, peersDead, ownerChanges, uncausedChanges, uncausedIps, flaps }, c.want);
      });
    }

    const stallCases: { desc: string; stalls: { from: number; to: number }[]; want: { fences: number; uncausedChanges: number; longestStallMs: number } }[] = [
      { desc: 'no machine stall: nothing is put down to one', stalls: [], want: { fences: 0, uncausedChanges: 0, longestStallMs: 0 } },
      { desc: 'a stall ending just before the fence (within 300 ms) holds it and the changes noticed after it', stalls: [{ from: 1000, to: 1450 }], want: { fences: 1, uncausedChanges: 1, longestStallMs: 450 } },
      { desc: 'a stall long over before the fence holds nothing', stalls: [{ from: 200, to: 600 }], want: { fences: 0, uncausedChanges: 0, longestStallMs: 400 } },
    ];
    for (const c of stallCases) {
      it(`machine stalls: ${c.desc}`, () => {
        const got = countWindow(events, 1000, 5000, { ownedBefore: new Set(['2001:db8:0:1:9000::1']), machineStalls: c.stalls });
        assert.equal(got.selfFences, 1);
        assert.deepEqual(got.inMachineStalls, c.want);
      });
    }

    it('counts the lines it could not read, so a renamed event shows', () => {
      const r = parseSpeakerLog(['not json', line(1, 'other', {}), '{"event":"x"}', ''].join('\n'), 'node1');
      assert.deepEqual(r.skipped, { 'not-json': 1, 'no-ts': 1, 'other-event': 1 });
    });
  });
});
