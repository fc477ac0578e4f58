// The fields each informer's trim keeps (what its reader reads, and what the cache itself needs:
// name, namespace, resourceVersion) and the ones it drops. A reader that starts reading a field
// the trim drops fails in its own package's trim test (speaker/test/reconcile/trim-readers.test.ts,
// controller/test/service/trim-readers.test.ts); this table says which fields those are.
import assert from 'node:assert/strict';
import type { KubernetesObject } from '@kubernetes/client-node';
import { trimNode, trimObject, trimServiceForController, trimServiceForSpeaker, trimSliceForSpeaker, type Trim } from '../../src/k8s/trim.js';
import { fullNode, fullService, fullSlice } from '@herald/testkit';

/** The value at a dotted path ("spec.ports.0.port"), or undefined. */
function at(o: unknown, path: string): unknown {
  let v: unknown = o;
  for (const k of path.split('.')) v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

const CACHE = ['metadata.name', 'metadata.namespace', 'metadata.resourceVersion'];

interface Case {
  desc: string;
  trim: Trim<KubernetesObject>;
  input: () => KubernetesObject;
  kept: string[];
  gone: string[];
}

const cases: Case[] = [
  {
    desc: 'speaker Services',
    trim: trimServiceForSpeaker,
    input: () => fullService(),
    kept: [...CACHE, 'metadata.uid', 'metadata.labels.app', 'metadata.annotations.herald.dev/ip-allocated-from-pool', 'spec.type', 'spec.loadBalancerClass', 'spec.externalTrafficPolicy', 'status.loadBalancer.ingress.0.ip', 'status.loadBalancer.ingress.1.ip'],
    gone: ['metadata.managedFields', 'metadata.ownerReferences', 'metadata.finalizers', 'metadata.annotations.kubectl.kubernetes.io/last-applied-configuration', 'spec.ports', 'spec.selector', 'spec.clusterIP', 'spec.clusterIPs', 'spec.loadBalancerIP', 'spec.externalIPs', 'spec.loadBalancerSourceRanges', 'spec.healthCheckNodePort', 'status.conditions', 'status.loadBalancer.ingress.0.ipMode', 'status.loadBalancer.ingress.0.ports', 'status.loadBalancer.ingress.2.hostname'],
  },
  {
    desc: 'speaker EndpointSlices',
    trim: trimSliceForSpeaker as Trim<KubernetesObject>,
    input: () => fullSlice(),
    kept: [...CACHE, 'metadata.labels.kubernetes.io/service-name', 'endpoints.0.nodeName', 'endpoints.0.conditions.ready', 'endpoints.0.conditions.serving', 'endpoints.0.conditions.terminating', 'endpoints.1.nodeName', 'endpoints.1.conditions.terminating', 'endpoints.2.conditions'],
    gone: ['metadata.managedFields', 'metadata.ownerReferences', 'metadata.generateName', 'metadata.annotations', 'metadata.labels.endpointslice.kubernetes.io/managed-by', 'ports', 'endpoints.0.addresses.0', 'endpoints.0.zone', 'endpoints.0.hostname', 'endpoints.0.targetRef', 'endpoints.0.hints'],
  },
  {
    desc: 'controller Services',
    trim: trimServiceForController,
    input: () => fullService(),
    kept: [...CACHE, 'metadata.uid', 'metadata.creationTimestamp', 'metadata.labels.app', 'metadata.annotations.herald.dev/address-pool', 'metadata.annotations.herald.dev/allow-shared-ip', 'spec.type', 'spec.loadBalancerClass', 'spec.loadBalancerIP', 'spec.selector.app', 'spec.ipFamilies.1', 'spec.ipFamilyPolicy', 'spec.externalTrafficPolicy', 'spec.ports.1.name', 'spec.ports.1.protocol', 'spec.ports.1.port', 'status.loadBalancer.ingress.0.ipMode', 'status.loadBalancer.ingress.2.hostname', 'status.conditions.1.message'],
    gone: ['metadata.managedFields', 'metadata.ownerReferences', 'metadata.finalizers', 'metadata.annotations.kubectl.kubernetes.io/last-applied-configuration', 'spec.clusterIP', 'spec.clusterIPs', 'spec.externalIPs', 'spec.loadBalancerSourceRanges', 'spec.healthCheckNodePort', 'spec.sessionAffinity', 'spec.ports.0.targetPort', 'spec.ports.0.nodePort', 'spec.ports.0.appProtocol'],
  },
  {
    desc: 'Nodes',
    trim: trimNode,
    input: () => fullNode(),
    kept: [...CACHE.filter((p) => p !== 'metadata.namespace'), 'metadata.labels.kubernetes.io/hostname', 'status.addresses.1.address', 'status.conditions.0.status', 'status.conditions.1.type', 'spec.taints'],
    gone: ['metadata.managedFields', 'status.images', 'status.volumesInUse', 'status.volumesAttached'],
  },
];

/** Dotted paths whose keys hold dots themselves ('herald.dev/x'): split on the object's own keys. */
function lookup(o: unknown, path: string): unknown {
  for (const key of ['annotations.', 'labels.']) {
    const i = path.indexOf(key);
    if (i >= 0) {
      const holder = at(o, path.slice(0, i + key.length - 1));
      return holder !== null && typeof holder === 'object' ? (holder as Record<string, unknown>)[path.slice(i + key.length)] : undefined;
    }
  }
  return at(o, path);
}

describe('informer trims: the fields kept and the fields dropped', () => {
  for (const c of cases) {
    it(`${c.desc}: keeps ${c.kept.length} fields read, drops ${c.gone.length}`, () => {
      const before = c.input();
      const o = c.input();
      trimObject(o);
      c.trim(o);
      for (const p of c.kept) {
        assert.notEqual(lookup(before, p), undefined, `fixture lacks ${p}: the row tests nothing`);
        assert.deepEqual(lookup(o, p), lookup(before, p), `${c.desc}: ${p} was not kept`);
      }
      for (const p of c.gone) {
        assert.notEqual(lookup(before, p), undefined, `fixture lacks ${p}: the row tests nothing`);
        assert.equal(lookup(o, p), undefined, `${c.desc}: ${p} was kept`);
      }
    });
    it(`${c.desc}: trimming twice changes nothing (an update re-trims a cached object's shape)`, () => {
      const o = c.input();
      c.trim(o);
      const once = structuredClone(o);
      c.trim(o);
      assert.deepEqual(o, once);
    });
  }

  it('a slice without the service-name label keeps no labels, and one without endpoints gets an empty list', () => {
    const s = fullSlice({ service: undefined, endpoints: undefined });
    delete s.endpoints;
    trimSliceForSpeaker(s);
    assert.equal(s.metadata?.labels, undefined);
    assert.deepEqual(s.endpoints, []);
  });

  it('a speaker Service without status gets an empty status', () => {
    const s = fullService();
    delete s.status;
    trimServiceForSpeaker(s);
    assert.deepEqual(s.status, {});
  });
});
