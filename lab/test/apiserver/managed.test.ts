import { strict as assert } from 'node:assert';
import { applyConfig, recordUpdate } from '../../src/apiserver/managed.js';
import type { JsonObject } from '../../src/apiserver/json.js';

const now = '2026-01-01T00:00:00Z';
function ok(r: ReturnType<typeof applyConfig>): JsonObject {
  if (r.type !== 'ok') throw new Error('conflict');
  return r.obj;
}

describe('apiserver/managed: server-side apply', function () {
  const cfg = (data: JsonObject): JsonObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data });
  it('merges an apply into the live object and records ownership', function () {
    const o = ok(applyConfig(undefined, cfg({ a: '1' }), 'm', false, 'v1', now));
    assert.deepEqual(o['data'], { a: '1' });
    const mf = (o['metadata'] as any).managedFields;
    assert.equal(mf[0].manager, 'm');
    assert.equal(mf[0].operation, 'Apply');
    assert.deepEqual(mf[0].fieldsV1, { 'f:data': { 'f:a': {} } });
  });
  it('conflicts with another manager on a differing value, but not on an equal one', function () {
    const o = ok(applyConfig(undefined, cfg({ a: '1' }), 'm', false, 'v1', now));
    const same = applyConfig(o, cfg({ a: '1' }), 'n', false, 'v1', now);
    assert.equal(same.type, 'ok');
    const diff = applyConfig(o, cfg({ a: '2' }), 'n', false, 'v1', now);
    assert.equal(diff.type, 'conflict');
    if (diff.type === 'conflict') assert.deepEqual(diff.conflicts.map((c) => c.manager), ['m']);
  });
  it('force takes the field away from the other manager', function () {
    const o = ok(applyConfig(undefined, cfg({ a: '1' }), 'm', false, 'v1', now));
    const f = ok(applyConfig(o, cfg({ a: '2' }), 'n', true, 'v1', now));
    const owners = (f['metadata'] as any).managedFields.filter((e: any) => e.fieldsV1['f:data']?.['f:a']).map((e: any) => e.manager);
    assert.deepEqual(owners, ['n']);
  });
  it('an Update takes the fields it changed', function () {
    const o = ok(applyConfig(undefined, cfg({ a: '1' }), 'm', false, 'v1', now));
    const u = recordUpdate(o, { ...o, data: { a: '3' } }, 'editor', 'v1', undefined, now);
    const conflict = applyConfig(u, cfg({ a: '1' }), 'm', false, 'v1', now);
    assert.equal(conflict.type, 'conflict');
  });
  it('removes a field its applier no longer applies, keeps fields others own', function () {
    const o = ok(applyConfig(undefined, cfg({ a: '1', b: '1' }), 'm', false, 'v1', now));
    const n = ok(applyConfig(o, cfg({ b: '1' }), 'n', false, 'v1', now));
    const dropped = ok(applyConfig(n, cfg({}), 'm', false, 'v1', now));
    assert.deepEqual(dropped['data'], { b: '1' });
  });
});
