// The pure parts of the API-server-restart figures: which informers failed and recovered after
// the kill (from the components' JSON-line logs), and what resource a write was to.
import assert from 'node:assert/strict';
import { informerEpisodes, writeKind } from '../../src/bench/api-restart.js';

const at = (s: number): string => new Date(Date.UTC(2026, 11, 4, 20, 0, s)).toISOString();
const line = (s: number, event: string, informer: string): string => JSON.stringify({ ts: at(s), level: 'info', event, informer });

describe('bench: API server restart', () => {
  it('informerEpisodes: failures and recoveries after `since` only, the last recovery per informer', () => {
    const lines = [
      line(1, 'informer-error', 'services'), // before the kill: not this episode
      line(1, 'informer-recovered', 'services'),
      line(10, 'informer-error', 'services'),
      line(10, 'informer-error', 'nodes'),
      line(11, 'informer-recovered', 'services'),
      line(12, 'informer-error', 'services'),
      line(14, 'informer-recovered', 'services'),
      'not json',
      JSON.stringify({ ts: at(15), event: 'caches-synced' }),
    ];
    const e = informerEpisodes(lines, 'speaker-node1', Date.parse(at(5)));
    assert.deepEqual([...e.failed].sort(), ['speaker-node1/nodes', 'speaker-node1/services']);
    assert.deepEqual([...e.recoveredAt], [['speaker-node1/services', Date.parse(at(14))]]);
  });

  it('writeKind: the resource and subresource of a path, namespaced or not, core or grouped', () => {
    const cases: [string, string][] = [
      ['/api/v1/namespaces/demo/services/web/status', 'services/status'],
      ['/api/v1/namespaces/demo/services/web', 'services'],
      ['/api/v1/namespaces/demo/events', 'events'],
      ['/apis/herald.dev/v1beta1/namespaces/herald-system/servicel2statuses/web-node1', 'servicel2statuses'],
      ['/apis/coordination.k8s.io/v1/namespaces/herald-system/leases/node1?timeout=10s', 'leases'],
      ['/api/v1/nodes/node1/status', 'nodes/status'],
    ];
    for (const [p, want] of cases) assert.equal(writeKind(p), want, p);
  });
});
