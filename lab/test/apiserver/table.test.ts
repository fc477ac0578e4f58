import { strict as assert } from 'node:assert';
import { age, toTable, wantsTable } from '../../src/apiserver/table.js';
import { Registry } from '../../src/apiserver/registry.js';
import { codecFor } from '../../src/apiserver/event-convert.js';

describe('apiserver/table: server-side printing', function () {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  const cases: { desc: string; input: number; want: string }[] = [
    { desc: 'seconds', input: 59, want: '59s' },
    { desc: 'under two minutes stays in seconds', input: 119, want: '119s' },
    { desc: 'minutes and seconds under 10m', input: 5 * 60 + 7, want: '5m7s' },
    { desc: 'whole minutes', input: 45 * 60, want: '45m' },
    { desc: 'hours and minutes under 8h', input: 3 * 3600 + 20 * 60, want: '3h20m' },
    { desc: 'hours under 48h', input: 30 * 3600, want: '30h' },
    { desc: 'days and hours under 8d', input: 3 * 86400 + 5 * 3600, want: '3d5h' },
    { desc: 'days', input: 40 * 86400, want: '40d' },
  ];
  for (const tc of cases) {
    it(`age: ${tc.desc}`, function () {
      assert.equal(age('2026-01-01T00:00:00Z', t0 + tc.input * 1000), tc.want);
    });
  }
  it('recognises the kubectl Table Accept header only', function () {
    assert.equal(wantsTable('application/json;as=Table;v=v1;g=meta.k8s.io,application/json'), true);
    assert.equal(wantsTable('application/json'), false);
    assert.equal(wantsTable(undefined), false);
  });
  it('prints a LoadBalancer Service like kubectl does', function () {
    const info = new Registry().lookup('', 'v1', 'services')!;
    const svc = { metadata: { name: 'web', creationTimestamp: new Date().toISOString() }, spec: { type: 'LoadBalancer', clusterIP: '198.51.100.1', ports: [{ port: 80, nodePort: 30000, protocol: 'TCP' }] }, status: { loadBalancer: {} } };
    const t = toTable(info, [svc], { resourceVersion: '5', continue: 'tok', remainingItemCount: 7 }) as any;
    assert.deepEqual(t.rows[0].cells.slice(0, 5), ['web', 'LoadBalancer', '198.51.100.1', '<pending>', '80:30000/TCP']);
    assert.deepEqual(t.metadata, { resourceVersion: '5', continue: 'tok', remainingItemCount: 7 }, 'a paged Table keeps the continue token (kubectl get pages with it)');
  });
});

describe('apiserver/event-convert: events.k8s.io/v1 <-> core/v1', function () {
  const codec = codecFor(new Registry().lookup('events.k8s.io', 'v1', 'events')!)!;
  it('round-trips the renamed fields', function () {
    const v1 = { apiVersion: 'events.k8s.io/v1', kind: 'Event', metadata: { name: 'e' }, regarding: { name: 'x' }, note: 'n', reportingController: 'c', deprecatedCount: 2, reason: 'R' };
    const core = codec.toStored(v1);
    assert.deepEqual(core, { kind: 'Event', apiVersion: 'v1', metadata: { name: 'e' }, involvedObject: { name: 'x' }, message: 'n', reportingComponent: 'c', count: 2, reason: 'R' });
    assert.deepEqual(codec.fromStored(core), { kind: 'Event', apiVersion: 'events.k8s.io/v1', metadata: { name: 'e' }, regarding: { name: 'x' }, note: 'n', reportingController: 'c', deprecatedCount: 2, reason: 'R' });
  });
  it('has no codec for core Events', function () {
    assert.equal(codecFor(new Registry().lookup('', 'v1', 'events')!), undefined);
  });
});
