import assert from 'node:assert/strict';
import { Registry } from '@herald/shared';
import { createBgpMetrics } from '../../src/bgp/metrics.js';
import type { SessionStatus } from '../../src/bgp/session-core.js';

const base: SessionStatus = { state: 'established', establishedAt: 0, prefixesSent: 3, updatesSent: 2, updatesReceived: 0, prefixesReceived: 0, lastError: undefined, negotiated: undefined };

describe('bgp metrics', () => {
  it('session up, announced prefixes and the updates counter follow the status', async () => {
    const m = createBgpMetrics();
    const r = new Registry();
    m.registerIn(r);
    m.observe('r1', base);
    m.observe('r1', { ...base, updatesSent: 5 });
    m.observe('r2', { ...base, state: 'active', prefixesSent: 0 });
    const text = await r.metrics();
    assert.match(text, /herald_speaker_bgp_session_up\{peer="r1"\} 1/);
    assert.match(text, /herald_speaker_bgp_session_up\{peer="r2"\} 0/);
    assert.match(text, /herald_speaker_bgp_announced_prefixes\{peer="r1"\} 3/);
    assert.match(text, /herald_speaker_bgp_updates_sent_total\{peer="r1"\} 5/);
  });
});
