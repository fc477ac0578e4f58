// Conformance: bad input gets the right 4xx Status, never a crash or a hang.
import { strict as assert } from 'node:assert';
import { ctx, freshNamespace, raw, serverVersion } from './harness.js';

/** True against a KUBECONFIG server older than MAJOR.MINOR (never for the embedded server). */
async function olderThan(version: string): Promise<boolean> {
  const v = await serverVersion();
  if (v === undefined) return false;
  const [major, minor] = version.split('.').map(Number);
  return v.major < major! || (v.major === major && v.minor < minor!);
}

describe('conformance: bad input', function () {
  let ns = '';
  before(async function () {
    await ctx();
    ns = await freshNamespace('bad');
  });

  // `reason: 'text/plain'`: no Status at all. kube-apiserver's NotFound handler (an unknown group,
  // an unknown version, a group only a CRD would serve) answers as Go's http.NotFound does; inside a
  // built-in group/version go-restful answers with a NotFound Status instead (both seen on v1.24).
  // `before`: an older server answers that case otherwise (v1.20.2 answers an unknown version of a
  // built-in group with a JSON Status NotFound).
  const cases: { desc: string; method: string; path: () => string; body: unknown; ct?: string; want: number; reason: string; before?: { version: string; reason: string } }[] = [
    { desc: 'malformed JSON', method: 'POST', path: () => `/api/v1/namespaces/${ns}/configmaps`, body: '{"metadata": {', want: 400, reason: 'BadRequest' },
    { desc: 'malformed YAML', method: 'POST', path: () => `/api/v1/namespaces/${ns}/configmaps`, body: 'metadata: [a\n  b: }', ct: 'application/yaml', want: 400, reason: 'BadRequest' },
    { desc: 'a wrong apiVersion', method: 'POST', path: () => `/api/v1/namespaces/${ns}/configmaps`, body: { apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'x' } }, want: 400, reason: 'BadRequest' },
    { desc: 'a wrong kind', method: 'POST', path: () => `/api/v1/namespaces/${ns}/configmaps`, body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } }, want: 400, reason: 'BadRequest' },
    { desc: 'an array body', method: 'POST', path: () => `/api/v1/namespaces/${ns}/configmaps`, body: '[1,2]', want: 400, reason: 'BadRequest' },
    { desc: 'a name mismatch on PUT', method: 'PUT', path: () => `/api/v1/namespaces/${ns}/configmaps/y`, body: { metadata: { name: 'z' } }, want: 400, reason: 'BadRequest' },
    { desc: 'a non-string metadata.name', method: 'POST', path: () => `/api/v1/namespaces/${ns}/configmaps`, body: { metadata: { name: 5 } }, want: 400, reason: 'BadRequest' },
    { desc: 'finalizers that are not a list', method: 'POST', path: () => `/api/v1/namespaces/${ns}/configmaps`, body: { metadata: { name: 'f', finalizers: 'x' } }, want: 400, reason: 'BadRequest' },
    { desc: 'a collection PUT', method: 'PUT', path: () => `/api/v1/namespaces/${ns}/configmaps`, body: {}, want: 405, reason: 'MethodNotAllowed' },
    { desc: 'an unknown resource of a built-in group/version', method: 'GET', path: () => `/api/v1/namespaces/${ns}/gizmos`, body: undefined, want: 404, reason: 'NotFound' },
    { desc: 'an unknown group', method: 'POST', path: () => '/apis/nope.example/v9/things', body: {}, want: 404, reason: 'text/plain' },
    { desc: 'an unknown version of a built-in group', method: 'GET', path: () => `/apis/coordination.k8s.io/v9/namespaces/${ns}/leases`, body: undefined, want: 404, reason: 'text/plain', before: { version: '1.24', reason: 'NotFound' } },
    { desc: 'a custom resource whose CRD is not installed', method: 'GET', path: () => `/apis/conf-absent-${process.pid}.example.com/v1/namespaces/${ns}/widgets`, body: undefined, want: 404, reason: 'text/plain' },
    { desc: 'an unknown group on a watch', method: 'GET', path: () => '/apis/nope.example/v9/things?watch=true', body: undefined, want: 404, reason: 'text/plain' },
    { desc: 'a malformed field selector', method: 'GET', path: () => `/api/v1/namespaces/${ns}/configmaps?fieldSelector=metadata.name`, body: undefined, want: 400, reason: 'BadRequest' },
  ];
  for (const tc of cases) {
    it(`answers ${tc.desc} with ${tc.want} ${tc.reason === 'text/plain' ? '"404 page not found" (text/plain, no Status)' : tc.reason}`, async function () {
      if (tc.method === 'PUT' && tc.path().endsWith('/y')) {
        const c = await ctx();
        await c.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'y' } } }).catch(() => undefined);
      }
      const r = await raw(tc.method, tc.path(), tc.body, tc.ct);
      assert.equal(r.status, tc.want, r.text);
      const reason = tc.before && (await olderThan(tc.before.version)) ? tc.before.reason : tc.reason;
      if (reason === 'text/plain') {
        assert.match(r.contentType, /^text\/plain\b/, `content type of ${r.text}`);
        assert.equal(r.text, '404 page not found\n');
        return;
      }
      assert.match(r.contentType, /^application\/json\b/);
      assert.equal(r.body.kind, 'Status');
      assert.equal(r.body.reason, reason);
      assert.equal(r.body.code, tc.want);
    });
  }

  it('creates from a YAML body', async function () {
    const r = await raw('POST', `/api/v1/namespaces/${ns}/configmaps`, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fromyaml\ndata:\n  k: v\n', 'application/yaml');
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.data.k, 'v');
  });

  it('answers a body over 3 MiB with 413', async function () {
    this.timeout(30_000);
    const big = JSON.stringify({ metadata: { name: 'big' }, data: { k: 'x'.repeat(3 * 1024 * 1024 + 10) } });
    const r = await raw('POST', `/api/v1/namespaces/${ns}/configmaps`, big);
    assert.equal(r.status, 413);
    assert.equal(r.body.reason, 'RequestEntityTooLarge');
    const after = await raw('GET', '/version');
    assert.equal(after.status, 200, 'server still answers');
  });
});
