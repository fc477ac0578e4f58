// What the controller reads from a Service survives its informer's trim (trimServiceForController,
// shared/src/k8s/trim.ts): every reader gives the same answer on the trimmed object as on the
// object as a kube-apiserver sends it. The fields kept and dropped are tabled in
// shared/test/k8s/trim-fields.test.ts.
import assert from 'node:assert/strict';
import type { V1Service } from '@kubernetes/client-node';
import { IP, trimObject, trimServiceForController } from '@herald/shared';
import { fullService } from '@herald/testkit';
import { poolAnnotationPatch, statusPatch } from '../../src/reconcile/service-status.js';
import { relearnInput } from '../../src/service/relearn.js';
import { serviceClass, serviceInput, statusIPs } from '../../src/service/service-input.js';

function trimmed(svc: V1Service): V1Service {
  const o = structuredClone(svc);
  trimObject(o);
  trimServiceForController(o);
  return o;
}

const nsLabels = { team: 'a' };
const want = { ips: [IP.parse('192.0.2.10'), IP.parse('2001:db8:5::10')], pool: 'default', condition: { status: 'True' as const, reason: 'Allocated', message: 'from pool default' } };

const readers: { desc: string; read: (s: V1Service) => unknown }[] = [
  { desc: 'serviceClass', read: (s) => serviceClass(s) },
  { desc: 'serviceInput', read: (s) => serviceInput(s, nsLabels) },
  { desc: 'relearnInput', read: (s) => relearnInput(s, nsLabels) },
  { desc: 'statusIPs', read: (s) => statusIPs(s) },
  { desc: 'statusPatch (keeps the other controllers\' conditions)', read: (s) => statusPatch(s, want, '2026-12-04T00:00:00Z') },
  { desc: 'poolAnnotationPatch', read: (s) => poolAnnotationPatch(s, 'other') },
];

const services: { desc: string; svc: V1Service }[] = [
  { desc: 'a dual-stack Service with every field set', svc: fullService() },
  { desc: 'one with a bad annotation', svc: fullService({ annotations: { 'herald.dev/loadBalancerIPs': 'not-an-ip' } }) },
  { desc: 'one with no ingress yet', svc: fullService({ ingress: [] }) },
];

describe('the controller reads the same from a trimmed Service', () => {
  for (const s of services)
    for (const r of readers)
      it(`${r.desc}: ${s.desc}`, () => {
        const full = r.read(s.svc);
        assert.notEqual(full, undefined, 'the reader says nothing about this fixture: the row tests nothing');
        assert.deepEqual(r.read(trimmed(s.svc)), full);
      });
});
