// The per-IP announcement series (announced-ips.ts), over a recording sink: each case applies a
// sequence of changes and says which series exist after it.
import assert from 'node:assert/strict';
import { BgpAnnounced, L2Announced, UnannounceableIPs } from '../../src/reconcile/announced-ips.js';
import type { HeldChanges } from '../../src/layer2/held-log.js';
import { HeldLog } from '../../src/layer2/held-log.js';
import { IP } from '@herald/shared';

function recorder(): { series: Set<string>; sink: { set: (ip: string, x: string) => void; remove: (ip: string, x: string) => void }; ops: number } {
  const r = {
    series: new Set<string>(),
    ops: 0,
    sink: {
      set: (ip: string, x: string) => {
        r.ops++;
        r.series.add(`${ip} ${x}`);
      },
      remove: (ip: string, x: string) => {
        r.ops++;
        assert.ok(r.series.delete(`${ip} ${x}`), `removed a series that exists: ${ip} ${x}`);
      },
    },
  };
  return r;
}

const held = (added: string[], removed: string[] = [], reset = false): HeldChanges => ({ added, removed, reset });

type L2Step = { held: HeldChanges } | { fenced: boolean };

describe('reconcile/announced-ips: herald_speaker_announced and herald_speaker_ip_unannounceable', () => {
  describe('L2: held by the announcer and not fenced', () => {
    const cases: { desc: string; steps: L2Step[]; want: string[] }[] = [
      { desc: 'a speaker starts fenced: held IPs are not announced yet', steps: [{ held: held(['192.0.2.1']) }], want: [] },
      { desc: 'unfenced: every held IP', steps: [{ held: held(['192.0.2.1', '2001:db8::1']) }, { fenced: false }], want: ['192.0.2.1 l2', '2001:db8::1 l2'] },
      { desc: 'fenced again: none, and the held set comes back when the fence lifts', steps: [{ fenced: false }, { held: held(['192.0.2.1']) }, { fenced: true }], want: [] },
      { desc: 'fence lifts', steps: [{ fenced: false }, { held: held(['192.0.2.1']) }, { fenced: true }, { fenced: false }], want: ['192.0.2.1 l2'] },
      { desc: 'let go of one', steps: [{ fenced: false }, { held: held(['192.0.2.1', '192.0.2.2']) }, { held: held([], ['192.0.2.1']) }], want: ['192.0.2.2 l2'] },
      { desc: 'removed while fenced stays removed', steps: [{ fenced: false }, { held: held(['192.0.2.1']) }, { fenced: true }, { held: held([], ['192.0.2.1']) }, { fenced: false }], want: [] },
      { desc: 'added twice (an interface change) is one series', steps: [{ fenced: false }, { held: held(['192.0.2.1']) }, { held: held(['192.0.2.1']) }], want: ['192.0.2.1 l2'] },
      { desc: 'reset (a finished handoff) drops everything, then applies what follows', steps: [{ fenced: false }, { held: held(['192.0.2.1', '192.0.2.2']) }, { held: held(['192.0.2.3'], [], true) }], want: ['192.0.2.3 l2'] },
    ];
    for (const c of cases) {
      it(c.desc, () => {
        const r = recorder();
        const a = new L2Announced(r.sink);
        for (const s of c.steps) {
          if ('held' in s) a.apply(s.held);
          else a.setFenced(s.fenced);
        }
        assert.deepEqual([...r.series].sort(), c.want);
      });
    }
  });

  describe('BGP: routed to a peer that is Established', () => {
    type Step = { ip: string; peers: string[] | undefined } | { established: string[] };
    const cases: { desc: string; steps: Step[]; want: string[] }[] = [
      { desc: 'routed, no session up: not announced', steps: [{ ip: '203.0.113.1', peers: ['r1'] }], want: [] },
      { desc: 'its peer comes up', steps: [{ ip: '203.0.113.1', peers: ['r1'] }, { established: ['r1'] }], want: ['203.0.113.1 bgp'] },
      { desc: 'another peer up is not enough', steps: [{ ip: '203.0.113.1', peers: ['r1'] }, { established: ['r2'] }], want: [] },
      { desc: 'one of two peers up is enough', steps: [{ established: ['r2'] }, { ip: '203.0.113.1', peers: ['r1', 'r2'] }], want: ['203.0.113.1 bgp'] },
      { desc: 'the session goes down', steps: [{ established: ['r1'] }, { ip: '203.0.113.1', peers: ['r1'] }, { established: [] }], want: [] },
      { desc: 'the route is withdrawn (no peers, or the IP gone)', steps: [{ established: ['r1'] }, { ip: '203.0.113.1', peers: ['r1'] }, { ip: '203.0.113.2', peers: ['r1'] }, { ip: '203.0.113.1', peers: [] }, { ip: '203.0.113.2', peers: undefined }], want: [] },
    ];
    for (const c of cases) {
      it(c.desc, () => {
        const r = recorder();
        const b = new BgpAnnounced(r.sink);
        for (const s of c.steps) {
          if ('established' in s) b.setEstablished(new Set(s.established));
          else b.setIP(s.ip, s.peers);
        }
        assert.deepEqual([...r.series].sort(), c.want);
      });
    }
    it('an unchanged Established set costs nothing', () => {
      const r = recorder();
      const b = new BgpAnnounced(r.sink);
      for (let i = 0; i < 1000; i++) b.setIP(`203.0.113.${i % 250}`, ['r1']);
      b.setEstablished(new Set(['r1']));
      const ops = r.ops;
      b.setEstablished(new Set(['r1']));
      assert.equal(r.ops, ops);
    });
  });

  describe('unannounceable IPs', () => {
    const cases: { desc: string; steps: [string, 'no-advertisement' | 'no-endpoints' | undefined][]; want: string[] }[] = [
      { desc: 'one reason', steps: [['192.0.2.1', 'no-endpoints']], want: ['192.0.2.1 no-endpoints'] },
      { desc: 'the reason changes: one series, the new one', steps: [['192.0.2.1', 'no-endpoints'], ['192.0.2.1', 'no-advertisement']], want: ['192.0.2.1 no-advertisement'] },
      { desc: 'it becomes announceable', steps: [['192.0.2.1', 'no-endpoints'], ['192.0.2.1', undefined]], want: [] },
    ];
    for (const c of cases) {
      it(c.desc, () => {
        const r = recorder();
        const u = new UnannounceableIPs(r.sink);
        for (const [ip, why] of c.steps) u.setIP(ip, why);
        assert.deepEqual([...r.series].sort(), c.want);
      });
    }
  });

  describe('layer2/HeldLog (the packet thread side)', () => {
    it('the last change of an IP in a period wins; nothing changed, nothing sent; clear is a reset', () => {
      const log = new HeldLog();
      const a = IP.parse('192.0.2.1');
      const b = IP.parse('192.0.2.2');
      assert.equal(log.take(), undefined);
      log.record([{ ip: a }, { ip: b }], []);
      log.record([], [a]);
      assert.deepEqual(log.take(), { added: ['192.0.2.2'], removed: ['192.0.2.1'], reset: false });
      assert.equal(log.take(), undefined);
      log.record([{ ip: a }], []);
      log.clear();
      assert.deepEqual(log.take(), { added: [], removed: [], reset: true });
    });
  });
});
