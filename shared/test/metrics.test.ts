import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { Counter, createRegistry, parseListenAddr, serveMetrics } from '../src/metrics.js';

describe('metrics server', () => {
  it('serves /metrics, /healthz and /readyz (503 until ready), and 404 elsewhere', async () => {
    const registry = createRegistry('test', false);
    const c = new Counter({ name: 'herald_test_things_total', help: 'things', registers: [registry] });
    c.inc(3);
    let ready = false;
    const server = await serveMetrics(registry, { live: () => true, ready: () => ready }, '127.0.0.1', 0);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const m = await fetch(`${base}/metrics`);
      assert.equal(m.status, 200);
      assert.match(await m.text(), /herald_test_things_total\{component="test"\} 3/);
      assert.equal((await fetch(`${base}/healthz`)).status, 200);
      assert.equal((await fetch(`${base}/readyz`)).status, 503);
      ready = true;
      assert.equal((await fetch(`${base}/readyz`)).status, 200);
      assert.equal((await fetch(`${base}/nope`)).status, 404);
    } finally {
      server.close();
    }
  });

  const cases: { input: string; want?: { host: string; port: number }; wantError?: RegExp }[] = [
    { input: ':7472', want: { host: '::', port: 7472 } },
    { input: '192.0.2.11:7472', want: { host: '192.0.2.11', port: 7472 } },
    { input: '[2001:db8::1]:7472', want: { host: '2001:db8::1', port: 7472 } },
    { input: '7472', wantError: /want host:port/ },
    { input: ':99999', wantError: /bad port/ },
  ];
  for (const c of cases) {
    it(`parseListenAddr(${c.input})`, () => {
      if (c.wantError) assert.throws(() => parseListenAddr(c.input), c.wantError);
      else assert.deepEqual(parseListenAddr(c.input), c.want);
    });
  }
});
