import { strict as assert } from 'node:assert';
import { createLogger } from '@herald/shared';
import { expiredEvents } from '../../src/apiserver/event-ttl.js';
import { startApiServer } from '../../src/apiserver/index.js';

describe('apiserver/event-ttl', function () {
  const now = Date.parse('2026-01-01T02:00:00Z');
  const ev = (name: string, fields: Record<string, unknown>): any => ({ metadata: { name, creationTimestamp: '2026-01-01T00:00:00Z' }, ...fields });
  const cases: { desc: string; input: any; want: boolean }[] = [
    { desc: 'created 2 h ago, never updated', input: ev('a', {}), want: true },
    { desc: 'lastTimestamp 10 min ago', input: ev('b', { lastTimestamp: '2026-01-01T01:50:00Z' }), want: false },
    { desc: 'eventTime 10 min ago', input: ev('c', { eventTime: '2026-01-01T01:50:00.000000Z' }), want: false },
    { desc: 'series observed 10 min ago', input: ev('d', { series: { count: 2, lastObservedTime: '2026-01-01T01:50:00.000000Z' } }), want: false },
  ];
  for (const tc of cases) {
    it(tc.desc, function () {
      assert.equal(expiredEvents([tc.input], now, 3600).length, tc.want ? 1 : 0);
    });
  }
  it('the server deletes expired Events and keeps other objects', async function () {
    this.timeout(10_000);
    const s = await startApiServer({ eventTtlSeconds: 1, logger: createLogger({ component: 'apiserver', level: 'error' }) });
    try {
      const post = (path: string, body: unknown): Promise<Response> => fetch(s.url + path, { method: 'POST', body: JSON.stringify(body) });
      assert.equal((await post('/api/v1/namespaces/default/events', { metadata: { name: 'e' }, involvedObject: { kind: 'Node', name: 'n' }, reason: 'R' })).status, 201);
      assert.equal((await post('/api/v1/namespaces/default/configmaps', { metadata: { name: 'c' } })).status, 201);
      let gone = false;
      for (let i = 0; i < 40 && !gone; i++) {
        await new Promise((r) => setTimeout(r, 150));
        gone = (await fetch(`${s.url}/api/v1/namespaces/default/events/e`)).status === 404;
      }
      assert.ok(gone, 'the event expired');
      assert.equal((await fetch(`${s.url}/api/v1/namespaces/default/configmaps/c`)).status, 200);
    } finally {
      await s.close();
    }
  });
});
