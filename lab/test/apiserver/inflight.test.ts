import { strict as assert } from 'node:assert';
import { request } from 'node:http';
import { FakeClock } from '@herald/shared';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '@herald/shared';
import { classify, InflightLimiter, type Admission, type RequestClass } from '../../src/apiserver/inflight.js';
import { startApiServer, type ApiServer } from '../../src/apiserver/index.js';

const quiet = createLogger({ component: 'apiserver', level: 'error' });

function admitted(a: Admission): () => void {
  assert.equal(a.type, 'admitted', `expected admission, got ${JSON.stringify(a)}`);
  return a.type === 'admitted' ? a.release : () => undefined;
}

describe('apiserver/inflight: max-in-flight admission', function () {
  const classes: { method: string; watch: boolean; want: RequestClass }[] = [
    { method: 'GET', watch: false, want: 'readonly' },
    { method: 'HEAD', watch: false, want: 'readonly' },
    { method: 'GET', watch: true, want: 'long-running' },
    { method: 'POST', watch: false, want: 'mutating' },
    { method: 'PUT', watch: false, want: 'mutating' },
    { method: 'PATCH', watch: false, want: 'mutating' },
    { method: 'DELETE', watch: false, want: 'mutating' },
  ];
  for (const c of classes) {
    it(`classes ${c.method}${c.watch ? ' watch' : ''} as ${c.want}`, function () {
      assert.equal(classify(c.method, c.watch), c.want);
    });
  }

  it('rejects over each ceiling separately, frees a slot on release (once), and never counts watches', function () {
    const l = new InflightLimiter({ maxRequestsInflight: 2, maxMutatingRequestsInflight: 1 }, new FakeClock());
    const r1 = admitted(l.admit('readonly'));
    admitted(l.admit('readonly'));
    assert.deepEqual(l.admit('readonly'), { type: 'rejected', why: 'max-requests-inflight', form: 'plain' });
    const m1 = admitted(l.admit('mutating'));
    assert.deepEqual(l.admit('mutating'), { type: 'rejected', why: 'max-mutating-requests-inflight', form: 'plain' });
    for (let i = 0; i < 10; i++) admitted(l.admit('long-running'));
    r1();
    r1();
    assert.deepEqual(l.stats().inflight, { readonly: 1, mutating: 1 }, 'a double release frees one slot only');
    admitted(l.admit('readonly'));
    m1();
    admitted(l.admit('mutating'));
    assert.deepEqual(l.stats().rejected, { 'max-requests-inflight': 1, 'max-mutating-requests-inflight': 1, forced: 0 });
  });

  it('0 means no limit', function () {
    const l = new InflightLimiter({ maxRequestsInflight: 0, maxMutatingRequestsInflight: 0 }, new FakeClock());
    for (let i = 0; i < 1000; i++) admitted(l.admit(i % 2 === 0 ? 'readonly' : 'mutating'));
  });

  const forced: { desc: string; rule: Parameters<InflightLimiter['force']>[0]; cls?: RequestClass; want: string }[] = [
    { desc: 'every 3rd request', rule: { type: 'every', n: 3 }, want: 'aaraaraar' },
    { desc: 'the next 2 requests, then none', rule: { type: 'next', n: 2 }, want: 'rraaaaaaa' },
    { desc: 'every request while the window lasts', rule: { type: 'window', ms: 1000 }, want: 'rrrrrrrrr' },
    { desc: 'no watch unless asked', rule: { type: 'every', n: 1 }, cls: 'long-running', want: 'aaaaaaaaa' },
    { desc: 'watches when asked', rule: { type: 'every', n: 2, watches: true }, cls: 'long-running', want: 'arararara' },
  ];
  for (const c of forced) {
    it(`forces 429s: ${c.desc}`, function () {
      const l = new InflightLimiter({ maxRequestsInflight: 0, maxMutatingRequestsInflight: 0 }, new FakeClock());
      l.force(c.rule);
      const got = Array.from({ length: 9 }, () => (l.admit(c.cls ?? 'readonly').type === 'admitted' ? 'a' : 'r')).join('');
      assert.equal(got, c.want);
    });
  }

  it('ends a forced window when its time is up (FakeClock), and spares exempt paths', function () {
    const clock = new FakeClock();
    const l = new InflightLimiter({ maxRequestsInflight: 0, maxMutatingRequestsInflight: 0 }, clock);
    l.force({ type: 'window', ms: 500, form: 'status' });
    assert.deepEqual(l.admit('mutating'), { type: 'rejected', why: 'forced', form: 'status' });
    admitted(l.admit('readonly', true));
    clock.advance(499);
    assert.equal(l.admit('readonly').type, 'rejected');
    clock.advance(1);
    admitted(l.admit('readonly'));
    assert.equal(l.stats().rejected.forced, 2);
  });

  it('refuses a rule that cannot work', function () {
    const l = new InflightLimiter({ maxRequestsInflight: 0, maxMutatingRequestsInflight: 0 }, new FakeClock());
    assert.throws(() => l.force({ type: 'every', n: 0 }), RangeError);
    assert.throws(() => l.force({ type: 'next', n: 1.5 }), RangeError);
    assert.throws(() => l.force({ type: 'window', ms: 0 }), RangeError);
  });
});

interface Reply { status: number; headers: Record<string, string | string[] | undefined>; text: string }

function get(url: string, method = 'GET', body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('apiserver: 429 over the in-flight limits, as kube-apiserver answers it', function () {
  let s: ApiServer;
  before(async function () {
    s = await startApiServer({ logger: quiet, maxRequestsInflight: 0, maxMutatingRequestsInflight: 1 });
  });
  after(async function () { await s.close(); });
  afterEach(function () { s.forceTooManyRequests(undefined); });

  it('answers a mutating request over --max-mutating-requests-inflight with 429, Retry-After: 1 and kube-apiserver\'s text', async function () {
    // One POST held in flight: its headers are sent, its body is not finished.
    const body = JSON.stringify({ metadata: { name: 'held' } });
    const held = request(`${s.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } });
    const heldReply = new Promise<number>((resolve, reject) => {
      held.on('response', (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      held.on('error', reject);
    });
    held.write(body.slice(0, 5));
    const deadline = Date.now() + 5000;
    while (s.inflightStats().inflight.mutating < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.equal(s.inflightStats().inflight.mutating, 1, 'the held POST is in flight');
    const r = await get(`${s.url}/api/v1/namespaces/default/configmaps`, 'POST', JSON.stringify({ metadata: { name: 'second' } }));
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '1');
    assert.equal(r.text, 'Too many requests, please try again later.\n');
    assert.match(String(r.headers['content-type']), /^text\/plain/);
    const read = await get(`${s.url}/api/v1/namespaces/default/configmaps`);
    assert.equal(read.status, 200, 'read-only requests have their own ceiling');
    held.end(body.slice(5));
    assert.equal(await heldReply, 201);
    const after = await get(`${s.url}/api/v1/namespaces/default/configmaps`, 'POST', JSON.stringify({ metadata: { name: 'third' } }));
    assert.equal(after.status, 201, 'the slot is free once the held request is answered');
    assert.equal(s.inflightStats().rejected['max-mutating-requests-inflight'], 1);
  });

  it('forces 429s with the test knob; client-node raises ApiException 429; health probes are spared', async function () {
    const kc = new KubeConfig();
    kc.loadFromString(s.kubeconfigYaml());
    const core = kc.makeApiClient(CoreV1Api);
    s.forceTooManyRequests({ type: 'next', n: 1, form: 'status' });
    const health = await get(`${s.url}/readyz`);
    assert.equal(health.status, 200);
    await assert.rejects(core.listNamespace(), (e: unknown) => {
      const ex = e as { code?: number; body?: unknown; headers?: Record<string, string> };
      assert.equal(ex.code, 429);
      const b = JSON.parse(String(ex.body)) as { reason: string; details: { retryAfterSeconds: number } };
      assert.equal(b.reason, 'TooManyRequests');
      assert.equal(b.details.retryAfterSeconds, 1);
      return true;
    });
    const ok = await core.listNamespace();
    assert.ok(ok.items.length > 0, 'only the next request was forced');
  });

  it('spares watches from the in-flight count', async function () {
    const t = await startApiServer({ logger: quiet, maxRequestsInflight: 1, maxMutatingRequestsInflight: 1 });
    const watches: ReturnType<typeof request>[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        await new Promise<void>((resolve, reject) => {
          const w = request(`${t.url}/api/v1/namespaces/default/configmaps?watch=true`, (res) => { res.resume(); resolve(); });
          w.on('error', () => undefined);
          w.once('error', reject);
          w.end();
          watches.push(w);
        });
      }
      assert.equal(t.watchCount(), 3);
      const r = await get(`${t.url}/api/v1/namespaces/default/configmaps`);
      assert.equal(r.status, 200, 'three open watches leave the one read-only slot free');
    } finally {
      for (const w of watches) w.destroy();
      await t.close();
    }
  });
});
