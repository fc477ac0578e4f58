// The embedded server answers hostile input with a 4xx Status and keeps serving.
import { strict as assert } from 'node:assert';
import { createLogger } from '@herald/shared';
import { startApiServer, type ApiServer } from '../../src/apiserver/index.js';

describe('apiserver: hostile input', function () {
  let s: ApiServer;
  before(async function () {
    s = await startApiServer({ logger: createLogger({ component: 'apiserver', level: 'error' }) });
    await fetch(`${s.url}/api/v1/namespaces`, { method: 'POST', body: JSON.stringify({ metadata: { name: 'a' } }) });
  });
  after(async function () { await s.close(); });

  const aliasBomb = 'a: &a [1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n';
  const cases: { desc: string; method: string; path: string; body?: string; ct?: string; want: number }[] = [
    { desc: 'a malformed URL escape', method: 'GET', path: '/api/v1/namespaces/%E0%A4%A/configmaps', want: 400 },
    { desc: 'JSON nested 5,000 deep', method: 'POST', path: '/api/v1/namespaces/a/configmaps', body: `{"metadata":{"name":"d"},"data":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`, want: 400 },
    { desc: 'a YAML alias bomb', method: 'POST', path: '/api/v1/namespaces/a/configmaps', body: aliasBomb, ct: 'application/yaml', want: 400 },
    { desc: 'several YAML documents', method: 'POST', path: '/api/v1/namespaces/a/configmaps', body: 'a: 1\n---\nb: 2\n', ct: 'application/yaml', want: 400 },
    { desc: 'a protobuf body', method: 'POST', path: '/api/v1/namespaces/a/configmaps', body: 'k8s\u0000', ct: 'application/vnd.kubernetes.protobuf', want: 415 },
    { desc: 'a non-numeric watch resourceVersion', method: 'GET', path: '/api/v1/namespaces/a/configmaps?watch=true&resourceVersion=abc', want: 400 },
    { desc: 'a status subresource the kind does not have', method: 'GET', path: '/api/v1/namespaces/a/configmaps/x/status', want: 404 },
    { desc: 'an unsupported method', method: 'OPTIONS', path: '/api/v1/namespaces', want: 405 },
    { desc: 'too many path segments', method: 'GET', path: '/api/v1/namespaces/a/configmaps/x/status/y', want: 404 },
  ];
  for (const tc of cases) {
    it(`answers ${tc.desc} with ${tc.want}`, async function () {
      const init: RequestInit = { method: tc.method, headers: { 'content-type': tc.ct ?? 'application/json' } };
      if (tc.body !== undefined) init.body = tc.body;
      const r = await fetch(s.url + tc.path, init);
      const body = await r.json() as any;
      assert.equal(r.status, tc.want);
      assert.equal(body.kind, 'Status');
      assert.equal(body.code, tc.want);
      assert.equal((await fetch(`${s.url}/version`)).status, 200, 'still serving');
    });
  }
});
