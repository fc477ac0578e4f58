import assert from 'node:assert/strict';
import { decideLease, type LeaseDecision, type LeaseView } from '../../src/k8s/lease-decision.js';

describe('decideLease', () => {
  const held = (holder: string | undefined): LeaseView => ({ holder, renewTimeMs: 1000, leaseDurationSeconds: 15, transitions: 2 });
  const cases: { desc: string; lease: LeaseView | undefined; now: number; observedAt: number; want: LeaseDecision }[] = [
    { desc: 'no lease: create it', lease: undefined, now: 0, observedAt: 0, want: { type: 'create' } },
    { desc: 'ours: renew', lease: held('me'), now: 99_000, observedAt: 0, want: { type: 'renew' } },
    { desc: 'released: acquire', lease: held(undefined), now: 0, observedAt: 0, want: { type: 'acquire', from: undefined } },
    { desc: 'another, fresh: wait', lease: held('other'), now: 5000, observedAt: 1000, want: { type: 'wait', holder: 'other', expiresInMs: 11_000 } },
    { desc: 'another, expired by our observation: acquire', lease: held('other'), now: 16_001, observedAt: 1000, want: { type: 'acquire', from: 'other' } },
    {
      desc: "another's renewTime is old by its clock, but we only just saw it: wait (clock skew is harmless)",
      lease: { holder: 'other', renewTimeMs: -1e9, leaseDurationSeconds: 15, transitions: 0 },
      now: 100,
      observedAt: 100,
      want: { type: 'wait', holder: 'other', expiresInMs: 15_000 },
    },
  ];
  for (const c of cases) {
    it(c.desc, () => assert.deepEqual(decideLease(c.lease, 'me', c.now, c.observedAt), c.want));
  }
});
