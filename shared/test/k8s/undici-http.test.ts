// The request-based transport against a real HTTP server: what goes out and what comes back must
// be what client-node's fetch-based library gives, for the generated API classes above it.
import assert from 'node:assert/strict';
import { HttpMethod, RequestContext } from '@kubernetes/client-node';
import { flatHeaders, undiciHttpLibrary } from '../../src/k8s/undici-http.js';
import { startFakeApiServer, type FakeApiServer } from './fake-api-server.js';

describe('undiciHttpLibrary', function () {
  this.timeout(10_000);
  let srv: FakeApiServer;
  beforeEach(async () => (srv = await startFakeApiServer()));
  afterEach(async () => srv.close());
  const lib = undiciHttpLibrary();

  it('flatHeaders: lower-case names, repeats joined as fetch joins them, absent values dropped', () => {
    const cases: [Record<string, string | string[] | undefined>, Record<string, string>][] = [
      [{ 'Content-Type': 'application/json' }, { 'content-type': 'application/json' }],
      [{ warning: ['299 - "a"', '299 - "b"'] }, { warning: '299 - "a", 299 - "b"' }],
      [{ 'retry-after': '1', gone: undefined }, { 'retry-after': '1' }],
    ];
    for (const [input, want] of cases) assert.deepEqual(flatHeaders(input), want);
  });

  it('sends method, headers and a string body; returns status, headers and body text', async () => {
    srv.script({ status: 201, headers: { 'Retry-After': '3' }, body: { kind: 'ConfigMap', metadata: { name: 'x' } } });
    const ctx = new RequestContext(`${srv.url}/api/v1/namespaces/demo/configmaps`, HttpMethod.POST);
    ctx.setHeaderParam('Content-Type', 'application/json');
    ctx.setBody('{"metadata":{"name":"x"}}');
    const res = await lib.send(ctx).toPromise();
    assert.equal(res.httpStatusCode, 201);
    assert.equal(res.headers['retry-after'], '3');
    assert.equal(res.headers['content-type'], 'application/json');
    assert.deepEqual(JSON.parse(await res.body.text()), { kind: 'ConfigMap', metadata: { name: 'x' } });
    assert.deepEqual(
      srv.seen.map((s) => [s.method, s.url, s.headers['content-type'], s.body]),
      [['POST', '/api/v1/namespaces/demo/configmaps', 'application/json', '{"metadata":{"name":"x"}}']],
    );
  });

  it('an error status is a response, not a throw, and its body can be read as bytes', async () => {
    srv.script({ status: 404, body: { kind: 'Status', code: 404, reason: 'NotFound' } });
    const res = await lib.send(new RequestContext(`${srv.url}/api/v1/nodes/none`, HttpMethod.GET)).toPromise();
    assert.equal(res.httpStatusCode, 404);
    assert.equal(JSON.parse((await res.body.binary()).toString('utf8')).reason, 'NotFound');
  });

  it('an aborted signal rejects the request', async () => {
    srv.fallback = () => undefined; // never answers
    const ctx = new RequestContext(`${srv.url}/api/v1/nodes`, HttpMethod.GET);
    ctx.setSignal(AbortSignal.timeout(50));
    await assert.rejects(lib.send(ctx).toPromise(), (err: Error) => err.name === 'TimeoutError' || err.name === 'AbortError');
  });

  it('a body that is not a string goes through the fetch library, and arrives', async () => {
    const ctx = new RequestContext(`${srv.url}/form`, HttpMethod.POST);
    ctx.setBody(new URLSearchParams({ a: 'b' }));
    const res = await lib.send(ctx).toPromise();
    assert.equal(res.httpStatusCode, 200);
    assert.equal(srv.seen[0]?.body, 'a=b');
  });
});
