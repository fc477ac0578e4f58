import assert from 'node:assert/strict';
import { wireGaps } from '../src/l2.js';

describe('bench L2 wireGaps', () => {
  const cases: { desc: string; input: string[]; want: Record<string, number[]> }[] = [
    {
      desc: 'pairs each request with the next reply for the same IP (tcpdump -tt nano lines)',
      input: [
        '1795310093.000000000 ARP, Request who-has 203.0.113.5 (ff:ff:ff:ff:ff:ff) tell 203.0.113.250, length 28',
        '1795310093.000400000 ARP, Reply 203.0.113.5 is-at 02:00:00:00:00:02, length 28',
        '1795310094.000000000 ARP, Request who-has 203.0.113.100 (ff:ff:ff:ff:ff:ff) tell 203.0.113.250, length 28',
        '1795310094.000030000 ARP, Reply 203.0.113.100 is-at 02:00:00:00:00:02, length 28',
        '1795310095.000000000 ARP, Reply 203.0.113.7 is-at 02:00:00:00:00:02, length 28',
      ],
      want: { '203.0.113.5': [400], '203.0.113.100': [30] },
    },
    { desc: 'a request never answered gives nothing', input: ['1.0 ARP, Request who-has 203.0.113.5 (ff:ff:ff:ff:ff:ff) tell 203.0.113.250, length 28'], want: {} },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const got = Object.fromEntries([...wireGaps(c.input)].map(([k, v]) => [k, v.map((x) => Math.round(x))]));
      assert.deepEqual(got, c.want);
    });
  }
});
