// Dating a peer's messages by when they were sent (peer-clock.ts): never later than receipt, and
// a message that waited in our socket during our own stall is as old as it is.
import { strict as assert } from 'node:assert';
import { PeerClock } from '../../src/membership/peer-clock.js';

type Msg = { sent: number | undefined; recv: number; late?: number };

describe('membership/peer-clock', () => {
  // The peer's clock is 5000 ms ahead of ours; latency 2 ms unless a case says otherwise.
  const cases: { desc: string; input: Msg[]; want: number[] }[] = [
    { desc: 'steady: stamp = send time on our clock + the smallest latency', input: [{ sent: 5000, recv: 2 }, { sent: 5100, recv: 102 }], want: [2, 102] },
    {
      desc: 'a message delayed in the network is dated by its send time',
      input: [{ sent: 5000, recv: 2 }, { sent: 5100, recv: 160 }],
      want: [2, 102],
    },
    {
      desc: 'read late after our stall (not calibrating): dated as sent, not as read',
      input: [{ sent: 5000, recv: 2 }, { sent: 5100, recv: 400, late: 50 }, { sent: 5200, recv: 401, late: 50 }],
      want: [2, 102, 202],
    },
    {
      desc: 'no calibrated sample yet and read late: dated at the start of our stall',
      input: [{ sent: 5100, recv: 400, late: 50 }],
      want: [50],
    },
    { desc: 'no send time (tests): the receipt', input: [{ sent: undefined, recv: 77 }], want: [77] },
    {
      desc: 'the smallest latency wins: a later faster message lowers the offset (stamps never exceed receipt)',
      input: [{ sent: 5000, recv: 30 }, { sent: 5100, recv: 101 }, { sent: 5200, recv: 205 }],
      want: [30, 101, 201],
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const pc = new PeerClock();
      const got = c.input.map((m) => pc.stamp(m.sent, m.recv, m.late === undefined ? undefined : { since: m.late }));
      assert.deepEqual(got, c.want);
      c.input.forEach((m, i) => assert.ok(got[i]! <= m.recv, `stamp ${got[i]} after receipt ${m.recv}`));
    });
  }

  it('the offset is the minimum over the last two windows (an old fast sample ages out)', () => {
    const pc = new PeerClock(1000);
    assert.equal(pc.stamp(5000, 1, undefined), 1); // latency 1
    let last = 0;
    // From now on latency is 10 ms; after two windows the 1 ms sample is forgotten.
    for (let t = 100; t <= 3000; t += 100) last = pc.stamp(5000 + t - 10, t, undefined);
    assert.equal(last, 3000);
  });
});
