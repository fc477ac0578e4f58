// The handover core alone: what it returns for each event, with plain data (no sockets, no
// clock). The PacketThread tests run it between real Memberships and announcers.
import { strict as assert } from 'node:assert';
import { IP } from '@herald/shared/net';
import { Handover, type HandoverActions } from '../../src/layer2/handover.js';

const A = IP.parse('192.0.2.200');
const B = IP.parse('2001:db8::7');
const own = (ip: IP) => ({ ip, interfaces: [] as string[] });
const peers = (...n: string[]): Set<string> => new Set(n);
const never = (): boolean => false;
const txt = (x: HandoverActions) => ({
  answer: x.answer.map((o) => o.ip.toString()),
  release: x.release.map(String),
  claim: x.claim.map(String),
  released: x.released.map((r) => `${r.to}#${r.incarnation}:${r.ips.map(String).join(',')}`),
});
const empty = { answer: [], release: [], claim: [], released: [] };

describe('layer2/handover', () => {
  describe('gain', () => {
    const cases = [
      { desc: 'no peers to ask (a death, or alone): answered at once', peers: peers(), want: { ...empty, answer: ['192.0.2.200'] } },
      { desc: 'live peers: claimed, not answered', peers: peers('node2', 'node3'), want: { ...empty, claim: ['192.0.2.200'] } },
    ];
    for (const c of cases) {
      it(c.desc, () => {
        assert.deepEqual(txt(new Handover().gain([own(A)], c.peers, never, 0)), c.want);
      });
    }

    it('answered once every peer waited for has released it, not before', () => {
      const h = new Handover();
      h.gain([own(A)], peers('node2', 'node3'), never, 0);
      assert.deepEqual(txt(h.onReleased('node2', [A])), empty);
      assert.deepEqual(txt(h.onReleased('node9', [A])), empty, 'a release from someone not waited for changes nothing');
      assert.deepEqual(txt(h.onReleased('node3', [A])), { ...empty, answer: ['192.0.2.200'] });
      assert.equal(h.claiming, 0);
    });

    it('a peer that dies or stops hearing us is no longer waited for', () => {
      const h = new Handover();
      h.gain([own(A)], peers('node2', 'node3'), never, 0);
      h.onReleased('node2', [A]);
      assert.deepEqual(txt(h.peersChanged(peers('node2'))), { ...empty, answer: ['192.0.2.200'] });
    });

    it('an IP we still answer (held for a successor) that comes back to us needs no claim', () => {
      const h = new Handover();
      h.lose([A], () => 'node2', 0);
      assert.equal(h.holding, 1);
      assert.deepEqual(txt(h.gain([own(A)], peers('node2'), never, 10)), empty);
      assert.equal(h.holding, 0);
    });
  });

  describe('lose', () => {
    it('to a live handover successor: held (still answered) until it claims, then released and acknowledged', () => {
      const h = new Handover();
      assert.deepEqual(txt(h.lose([A], () => 'node3', 0)), empty);
      assert.deepEqual(txt(h.onClaim('node3', 7n, [A], never, 5)), { ...empty, release: ['192.0.2.200'], released: ['node3#7:192.0.2.200'] });
      assert.equal(h.holding, 0);
    });

    it('with no such successor: released at once', () => {
      assert.deepEqual(txt(new Handover().lose([A], () => undefined, 0)), { ...empty, release: ['192.0.2.200'] });
    });

    it('an IP we were still claiming: the claim is dropped', () => {
      const h = new Handover();
      h.gain([own(A)], peers('node2'), never, 0);
      assert.deepEqual(txt(h.lose([A], () => 'node2', 1)), { ...empty, release: ['192.0.2.200'] });
      assert.equal(h.claiming, 0);
    });

    it('the successor had claimed it before our view changed: released and acknowledged the moment it does', () => {
      const h = new Handover();
      assert.deepEqual(txt(h.onClaim('node3', 7n, [A], () => true, 0)), empty, 'refused: our view says ours');
      assert.deepEqual(txt(h.lose([A], () => 'node3', 40)), { ...empty, release: ['192.0.2.200'], released: ['node3#7:192.0.2.200'] });
    });

    it('an IP gone from the table: released, and a refused claim for it is answered', () => {
      const h = new Handover();
      h.onClaim('node3', 7n, [A], () => true, 0);
      assert.deepEqual(txt(h.forget([A])), { ...empty, release: ['192.0.2.200'], released: ['node3#7:192.0.2.200'] });
    });
  });

  describe('claims from peers', () => {
    it('an IP that is not ours by our view: acknowledged (also when we never answered it), grouped per claimer', () => {
      const h = new Handover();
      assert.deepEqual(txt(h.onClaim('node2', 1n, [A, B], never, 0)), { ...empty, released: ['node2#1:192.0.2.200,2001:db8::7'] });
    });

    it('an IP we claim ourselves: refused (both wait until the views agree)', () => {
      const h = new Handover();
      h.gain([own(A)], peers('node2'), never, 0);
      assert.deepEqual(txt(h.onClaim('node2', 1n, [A], () => true, 1)), empty);
      assert.equal(h.claiming, 1);
    });
  });

  describe('tick', () => {
    it('resends open claims every resendMs, reports a claim waiting past slowAfterMs once', () => {
      const h = new Handover({ holdMs: 30_000, resendMs: 100, slowAfterMs: 2000 });
      h.gain([own(A)], peers('node2'), never, 0);
      assert.deepEqual(h.tick(0, () => true).claim, [], 'just sent');
      assert.deepEqual(h.tick(50, () => true).claim, [], 'not again within resendMs');
      assert.deepEqual(h.tick(150, () => true).claim.map(String), ['192.0.2.200']);
      assert.deepEqual(h.tick(2100, () => true).slow, [{ ip: '192.0.2.200', waitingMs: 2100, waitFor: ['node2'] }]);
      assert.deepEqual(h.tick(2300, () => true).slow, []);
    });

    const holds = [
      { desc: 'a hold past holdMs ends', at: 30_000, hears: true, want: ['192.0.2.200'] },
      { desc: 'a hold for a successor we no longer hear ends (it stops waiting for us)', at: 10, hears: false, want: ['192.0.2.200'] },
      { desc: 'a hold within holdMs, successor heard, stays', at: 29_999, hears: true, want: [] },
    ];
    for (const c of holds) {
      it(c.desc, () => {
        const h = new Handover({ holdMs: 30_000, resendMs: 100, slowAfterMs: 2000 });
        h.lose([A], () => 'node3', 0);
        assert.deepEqual(h.tick(c.at, () => c.hears).release.map(String), c.want);
      });
    }
  });

  it('a fence ends every hold; reclaim claims every held IP again', () => {
    const h = new Handover();
    h.lose([A], () => 'node3', 0);
    assert.deepEqual(h.dropHolds().map(String), ['192.0.2.200']);
    assert.deepEqual(txt(h.reclaim([own(B)], peers('node2'), 5)), { ...empty, claim: ['2001:db8::7'] });
    assert.deepEqual(txt(h.reclaim([own(B)], peers(), 5)), empty, 'nobody to ask: nothing to claim');
  });
});
