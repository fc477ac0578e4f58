// What the speaker reads from Services, EndpointSlices and Nodes survives its informers' trims
// (trimServiceForSpeaker, trimSliceForSpeaker, trimNode; shared/src/k8s/trim.ts): every reader
// gives the same answer on the trimmed objects as on the objects as a kube-apiserver sends them.
// The fields kept and dropped are tabled in shared/test/k8s/trim-fields.test.ts.
import assert from 'node:assert/strict';
import type { KubernetesObject, V1EndpointSlice, V1Node, V1Service } from '@kubernetes/client-node';
import { trimNode, trimObject, trimServiceForSpeaker, trimSliceForSpeaker, type Trim } from '@herald/shared/k8s';
import { fullNode, fullService, fullSlice } from '@herald/testkit';
import { endpointsOf, handles, ingressIPs, nodeInfo, serviceState } from '../../src/announce/index.js';
import { nodeAddresses, nodeReady } from '../../src/membership/member-facts.js';
import { ServiceIndex } from '../../src/reconcile/service-index.js';

function trimmed<T extends KubernetesObject>(o: T, trim: Trim<T>): T {
  const c = structuredClone(o);
  trimObject(c);
  trim(c);
  return c;
}

interface World {
  svc: V1Service;
  slices: V1EndpointSlice[];
  node: V1Node;
}

/** What the reconciler's index makes of a Service and its slices. */
function indexed(w: World, lbClass: string | undefined): unknown {
  const idx = new ServiceIndex(lbClass);
  for (const s of w.slices) idx.sliceEvent(s, false);
  idx.serviceEvent(w.svc);
  return idx.take(10, () => w.svc);
}

const readers: { desc: string; read: (w: World) => unknown }[] = [
  { desc: 'handles (no class)', read: (w) => handles(w.svc, undefined) },
  { desc: 'handles (its class)', read: (w) => handles(w.svc, 'herald.dev/lb') },
  { desc: 'ingressIPs', read: (w) => ingressIPs(w.svc).map((i) => i.key) },
  { desc: 'endpointsOf', read: (w) => endpointsOf(w.slices) },
  { desc: 'serviceState', read: (w) => JSON.stringify(serviceState(w.svc, w.slices)) },
  { desc: 'the ServiceIndex (slice owner, state, signature)', read: (w) => JSON.stringify(indexed(w, 'herald.dev/lb')) },
  { desc: 'nodeInfo', read: (w) => nodeInfo(w.node) },
  { desc: 'nodeReady', read: (w) => nodeReady(w.node) },
  { desc: 'nodeAddresses', read: (w) => nodeAddresses(w.node) },
];

const worlds: { desc: string; world: () => World }[] = [
  { desc: 'a Service with every field set, two slices', world: () => ({ svc: fullService(), slices: [fullSlice(), fullSlice({ name: 'web-fghij', endpoints: [{ addresses: ['198.51.100.30'], nodeName: 'node3', conditions: { ready: true } }] })], node: fullNode() }) },
  { desc: 'a Service with no ingress, an unlabelled slice', world: () => ({ svc: fullService({ ingress: [] }), slices: [fullSlice({ service: undefined })], node: fullNode('node2') }) },
  { desc: 'a Service from the metallb pool annotation', world: () => ({ svc: fullService({ annotations: { 'herald.dev/ip-allocated-from-pool': '', 'metallb.io/ip-allocated-from-pool': 'm' } }), slices: [fullSlice()], node: fullNode() }) },
];

describe('the speaker reads the same from trimmed Services, EndpointSlices and Nodes', () => {
  for (const w of worlds)
    for (const r of readers)
      it(`${r.desc}: ${w.desc}`, () => {
        const full = r.read(w.world());
        const small = w.world();
        const t: World = { svc: trimmed(small.svc, trimServiceForSpeaker), slices: small.slices.map((s) => trimmed(s, trimSliceForSpeaker)), node: trimmed(small.node, trimNode) };
        assert.deepEqual(r.read(t), full);
      });

  it('the trimmed slice is under a third of the one the API server sent (what the cache holds)', () => {
    const s = fullSlice();
    const before = JSON.stringify(s).length;
    const after = JSON.stringify(trimmed(s, trimSliceForSpeaker)).length;
    assert.ok(after * 3 < before, `trimmed ${after} bytes of ${before}`);
  });
});
