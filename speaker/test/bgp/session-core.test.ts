import assert from 'node:assert/strict';
import { IP, Prefix } from '@herald/shared';
import type { Advertisement } from '../../src/bgp/advertisement.js';
import { adv, announced, enc, setup, updates, withdrawn } from './session-harness.js';

describe('bgp session core (FakeClock, fake socket)', () => {
  it('establishes, sends the full table and End-of-RIB, then keepalives on time', () => {
    const t = setup();
    t.core.setAdvertised(adv(['203.0.113.7/32', '2001:db8:5::/64']));
    t.core.start();
    assert.equal(t.io.connects, 1);
    t.establish();
    assert.equal(t.core.state, 'established');
    t.flush();
    const sent = t.io.take();
    assert.deepEqual(sent.map((m) => m.type), ['open', 'keepalive', 'update', 'update', 'update', 'update']);
    assert.deepEqual(announced(sent).sort(), ['2001:db8:5::/64', '203.0.113.7/32']);
    const v4 = updates(sent).find((u) => u.nlri.length)!;
    assert.equal(v4.attributes.nextHop?.toString(), '192.0.2.11');
    assert.deepEqual(v4.attributes.asPath, [{ type: 'sequence', asns: [64512] }]);
    assert.equal(v4.attributes.localPref, undefined, 'no LOCAL_PREF on eBGP');
    assert.equal(t.core.status().prefixesSent, 2);
    t.clock.advance(3000);
    assert.deepEqual(t.io.take().map((m) => m.type), ['keepalive']);
    t.clock.advance(2999);
    assert.deepEqual(t.io.take(), []);
  });

  it('the hold timer drops a silent peer, then reconnects after backoff', () => {
    const t = setup();
    t.core.start();
    t.establish();
    t.io.take();
    t.clock.advance(8999);
    assert.equal(t.core.state, 'established', 'keepalives of ours do not reset the receive hold timer, but time is not up');
    t.clock.advance(1);
    assert.equal(t.core.state, 'idle');
    assert.deepEqual(t.core.status().lastError, { type: 'hold-timer-expired' });
    assert.ok(t.io.take().some((m) => m.type === 'notification' && m.code === 4));
    t.clock.advance(999);
    assert.equal(t.io.connects, 1);
    t.clock.advance(1);
    assert.equal(t.io.connects, 2);
    assert.equal(t.core.state, 'connect');
  });

  it('a peer KEEPALIVE resets the hold timer', () => {
    const t = setup();
    t.core.start();
    t.establish();
    for (let i = 0; i < 5; i++) {
      t.clock.advance(8000);
      t.core.data(enc({ type: 'keepalive' }));
    }
    assert.equal(t.core.state, 'established');
  });

  it('connect failures back off exponentially', () => {
    const t = setup();
    t.core.start();
    const at: number[] = [];
    for (let i = 0; i < 4; i++) {
      t.core.failed('ECONNREFUSED');
      const n = t.io.connects;
      while (t.io.connects === n) t.clock.advance(100);
      at.push(t.clock.now());
    }
    const gaps = at.map((x, i) => x - (at[i - 1] ?? 0));
    assert.deepEqual(gaps, [1000, 2000, 4000, 8000]);
    assert.deepEqual(t.core.status().lastError, { type: 'tcp-failed', error: 'ECONNREFUSED' }, 'a refused connect is the last error');
  });

  it('unanswered connects (timer expiry in Connect) back off too', () => {
    const t = setup();
    t.core.start();
    const at: number[] = [];
    for (let i = 0; i < 4; i++) {
      const n = t.io.connects;
      while (t.io.connects === n) t.clock.advance(100);
      at.push(t.clock.now());
    }
    const gaps = at.map((x, i) => x - (at[i - 1] ?? 0));
    assert.deepEqual(gaps, [1000, 2000, 4000, 8000]);
    assert.equal(t.core.state, 'connect');
    assert.match(String((t.core.status().lastError as { error?: string } | undefined)?.error), /no answer to the TCP connect/);
  });

  it('changes become incremental UPDATEs and withdrawals; a reconnect sends the full table', () => {
    const t = setup();
    t.core.setAdvertised(adv(['203.0.113.1/32', '203.0.113.2/32']));
    t.core.start();
    t.establish();
    t.flush();
    t.io.take();
    t.core.setAdvertised(adv(['203.0.113.2/32', '203.0.113.3/32']));
    t.flush();
    const delta = t.io.take();
    assert.deepEqual(announced(delta), ['203.0.113.3/32']);
    assert.deepEqual(withdrawn(delta), ['203.0.113.1/32']);
    t.core.setAdvertised(adv(['203.0.113.2/32', '203.0.113.3/32'], { communities: [{ type: 'standard', asn: 64512, value: 7 }] }));
    t.flush();
    assert.deepEqual(announced(t.io.take()).sort(), ['203.0.113.2/32', '203.0.113.3/32'], 'changed attributes re-announce');
    t.core.setAdvertised(adv(['203.0.113.2/32', '203.0.113.3/32'], { communities: [{ type: 'standard', asn: 64512, value: 7 }] }));
    t.flush();
    assert.deepEqual(t.io.take(), [], 'no change, nothing sent');
    t.core.closed();
    t.clock.advance(1000);
    t.establish();
    t.flush();
    assert.deepEqual(announced(t.io.take()).sort(), ['203.0.113.2/32', '203.0.113.3/32']);
  });

  it('ROUTE-REFRESH resends the table', () => {
    const t = setup();
    t.core.setAdvertised(adv(['203.0.113.1/32']));
    t.core.start();
    t.establish();
    t.flush();
    t.io.take();
    t.core.data(enc({ type: 'route-refresh', afi: 1, safi: 1 }));
    t.flush();
    assert.deepEqual(announced(t.io.take()), ['203.0.113.1/32']);
  });

  it('iBGP: LOCAL_PREF from the advertisement (default 100), empty AS_PATH, communities standard and large', () => {
    const t = setup(true);
    t.core.setAdvertised(
      new Map<string, Advertisement>([
        ['203.0.113.1/32', { prefix: Prefix.parse('203.0.113.1/32'), localPref: 250, communities: [{ type: 'standard', asn: 64512, value: 1 }, { type: 'large', global: 4200000000, local1: 1, local2: 2 }] }],
        ['203.0.113.2/32', { prefix: Prefix.parse('203.0.113.2/32') }],
      ]),
    );
    t.core.start();
    t.establish();
    t.flush();
    const us = updates(t.io.take()).filter((u) => u.nlri.length);
    const byPrefix = new Map(us.flatMap((u) => u.nlri.map((p) => [p.toString(), u.attributes])));
    assert.equal(byPrefix.get('203.0.113.1/32')?.localPref, 250);
    assert.equal(byPrefix.get('203.0.113.2/32')?.localPref, 100);
    assert.deepEqual(byPrefix.get('203.0.113.1/32')?.asPath, []);
    assert.deepEqual(byPrefix.get('203.0.113.1/32')?.largeCommunities, [{ type: 'large', global: 4200000000, local1: 1, local2: 2 }]);
  });

  it('received routes are counted, never acted on', () => {
    const t = setup();
    t.core.start();
    t.establish();
    t.core.data(enc({ type: 'update', withdrawn: [], attributes: { origin: 0, asPath: [{ type: 'sequence', asns: [64500] }], nextHop: IP.parse('192.0.2.1') }, nlri: [Prefix.parse('198.51.100.0/24')] }));
    assert.equal(t.core.status().prefixesReceived, 1);
    assert.equal(t.core.status().updatesReceived, 1);
  });

  it('garbage from the peer -> NOTIFICATION with the decoder\'s code, and down', () => {
    const t = setup();
    t.core.start();
    t.establish();
    t.io.take();
    t.core.data(Buffer.alloc(19, 0));
    assert.equal(t.core.state, 'idle');
    const n = t.io.take().find((m) => m.type === 'notification');
    assert.ok(n && n.type === 'notification' && n.code === 1 && n.subcode === 1);
  });
});
