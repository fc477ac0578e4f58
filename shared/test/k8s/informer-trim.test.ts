import assert from 'node:assert/strict';
import { CoreV1Api, type V1Service } from '@kubernetes/client-node';
import type { ServerResponse } from 'node:http';
import { ResilientInformer } from '../../src/k8s/informer.js';
import { PooledKubeConfig } from '../../src/k8s/kubeconfig.js';
import { LAST_APPLIED_ANNOTATION, trimObject, trimServiceForSpeaker } from '../../src/k8s/trim.js';
import { systemClock } from '../../src/clock.js';
import { createLogger } from '../../src/log.js';
import { kubeconfigFor, startFakeApiServer, type FakeApiServer } from './fake-api-server.js';

// What a real kube-apiserver sends: managedFields on every object, and kubectl's copy of the
// applied object in an annotation when it was applied client-side.
const managedFields = [{ manager: 'kubectl', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:type': {} } } }];
const svc = (name: string, rv: string, annotations: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'demo', resourceVersion: rv, managedFields, annotations },
  spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
});

describe('trimObject', () => {
  it('drops managedFields and the last-applied annotation, and keeps every other annotation', () => {
    const o = svc('a', '1', { [LAST_APPLIED_ANNOTATION]: '{"big":"copy"}', 'herald.dev/address-pool': 'p' });
    trimObject(o);
    assert.equal(o.metadata.managedFields, undefined);
    assert.deepEqual(o.metadata.annotations, { 'herald.dev/address-pool': 'p' });
    assert.deepEqual(o.spec, { type: 'LoadBalancer', ports: [{ port: 80 }] });
  });

  it('removes the annotations map when the last-applied copy was all it held', () => {
    const o = svc('a', '1', { [LAST_APPLIED_ANNOTATION]: '{}' });
    trimObject(o);
    assert.equal('annotations' in o.metadata, false);
  });

  it('leaves an object without metadata alone', () => {
    const o = { apiVersion: 'v1', kind: 'Service' };
    trimObject(o);
    assert.deepEqual(o, { apiVersion: 'v1', kind: 'Service' });
  });
});

describe('ResilientInformer caches trimmed objects', function () {
  this.timeout(20_000);
  let srv: FakeApiServer;
  before(async () => (srv = await startFakeApiServer()));
  after(async () => srv.close());

  it('from the list and from watch events, before any handler sees them, with the informer\'s own trim after the common one', async () => {
    let watchRes: ServerResponse | undefined;
    srv.fallback = (req, res) => {
      if (new URL(req.url, 'http://x').searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write('');
        watchRes = res;
        return;
      }
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ apiVersion: 'v1', kind: 'ServiceList', metadata: { resourceVersion: '10' }, items: [svc('listed', '5', { [LAST_APPLIED_ANNOTATION]: '{}', keep: 'me' })] }));
    };
    const kc = new PooledKubeConfig();
    kc.loadFromString(kubeconfigFor(srv.url));
    const core = kc.makeApiClient(CoreV1Api);
    const inf = new ResilientInformer<V1Service>({
      name: 'services',
      kubeConfig: kc,
      path: '/api/v1/services',
      list: (p) => core.listServiceForAllNamespaces(p),
      trim: trimServiceForSpeaker,
      clock: systemClock,
      log: createLogger({ component: 'test', level: 'error' }),
    });
    const handed: V1Service[] = [];
    inf.on('add', (o) => handed.push(o));
    inf.on('update', (o) => handed.push(o));
    await inf.start();
    try {
      const deadline = Date.now() + 5000;
      while (!watchRes && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.ok(watchRes, 'the informer never opened its watch');
      watchRes.write(JSON.stringify({ type: 'ADDED', object: svc('watched', '11', { [LAST_APPLIED_ANNOTATION]: '{}' }) }) + '\n');
      watchRes.write(JSON.stringify({ type: 'MODIFIED', object: svc('listed', '12', { [LAST_APPLIED_ANNOTATION]: '{}', keep: 'me' }) }) + '\n');
      while (handed.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(handed.map((o) => `${o.metadata?.name}@${o.metadata?.resourceVersion}`), ['listed@5', 'watched@11', 'listed@12']);
      for (const o of [...handed, ...inf.list()]) {
        assert.equal(o.metadata?.managedFields, undefined, `${o.metadata?.name} kept its managedFields`);
        assert.equal(o.metadata?.annotations?.[LAST_APPLIED_ANNOTATION], undefined, `${o.metadata?.name} kept its last-applied copy`);
        assert.deepEqual(o.spec, { type: 'LoadBalancer' }, `${o.metadata?.name}: the informer's own trim (spec.ports) did not run`);
      }
      assert.deepEqual(inf.get('listed', 'demo')?.metadata?.annotations, { keep: 'me' });
      assert.equal(inf.list().length, 2);
    } finally {
      await inf.stop();
    }
  });
});
