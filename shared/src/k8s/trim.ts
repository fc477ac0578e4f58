// What an informer drops from each object before caching it, as client-go's informers do with a
// transform (controller-runtime strips managedFields by default). A real kube-apiserver attaches
// managedFields to every object, one entry per field manager, often larger than the object's
// spec and status together; `kubectl apply` without --server-side also stores the whole object
// again in the last-applied annotation. Herald never reads either, and with 10,000 Services and
// their EndpointSlices in every speaker's cache they are most of its heap.
//
// Beyond that, each informer may keep only what its reader reads (issue 17): the speaker's
// Services keep the fields announcement reads, its EndpointSlices only each endpoint's node and
// conditions, the controller's Services what allocation reads (and the whole status, since its
// status patch rewrites the conditions list), Nodes lose their image list. The tables of fields
// read are in shared/test/k8s/trim-fields.test.ts; a reader that starts reading another field
// adds it here and there.
//
// A trimmed object must never be written back whole (a PUT would erase what was trimmed on the
// server): every Herald write of a Service is a merge patch built from a few fields.
import type { KubernetesObject, V1EndpointSlice, V1Node, V1ObjectMeta, V1Service } from '@kubernetes/client-node';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** The label EndpointSlices carry naming their Service (the only one the speaker reads). */
const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** One shared empty list for every trimmed endpoint's addresses (the type requires the field). */
const NO_ADDRESSES = Object.freeze([]) as unknown as string[];

/** Removes, in place, what no Herald component reads: managedFields and the last-applied copy. */
export function trimObject(obj: KubernetesObject): void {
  const md = obj.metadata;
  if (!md) return;
  if (md.managedFields !== undefined) delete md.managedFields;
  const ann = md.annotations;
  if (ann && LAST_APPLIED_ANNOTATION in ann) {
    delete ann[LAST_APPLIED_ANNOTATION];
    if (Object.keys(ann).length === 0) delete md.annotations;
  }
}

/** A cache-side trim, applied in place after trimObject. */
export type Trim<T extends KubernetesObject> = (obj: T) => void;

/** Keeps only `keys` of `o` (undefined stays undefined). */
function pick<T extends object, K extends keyof T>(o: T | undefined, keys: readonly K[]): Pick<T, K> | undefined {
  if (o === undefined) return undefined;
  const out = {} as Pick<T, K>;
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** What the caches themselves (client-node's ObjectCache, relists) and every reader use. */
const METADATA_KEPT = ['name', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp', 'labels', 'annotations'] as const satisfies readonly (keyof V1ObjectMeta)[];

function trimMetadata(obj: KubernetesObject): void {
  if (obj.metadata) obj.metadata = pick(obj.metadata, METADATA_KEPT);
}

/**
 * The speaker's Services: what announcement reads (speaker/src/announce/from-k8s.ts: handles,
 * serviceState) and the event reference (name, namespace, uid).
 */
export const trimServiceForSpeaker: Trim<V1Service> = (svc) => {
  trimMetadata(svc);
  if (svc.spec) svc.spec = pick(svc.spec, ['type', 'loadBalancerClass', 'externalTrafficPolicy']);
  const ingress = svc.status?.loadBalancer?.ingress;
  svc.status = ingress === undefined ? {} : { loadBalancer: { ingress: ingress.map((i) => pick(i, ['ip'])!) } };
};

/**
 * The speaker's EndpointSlices: the Service they belong to (the service-name label) and each
 * endpoint's node and conditions (speaker/src/announce/from-k8s.ts: endpointsOf). Addresses,
 * ports, hints, zones and target references go: a slice keeps ~60 bytes per endpoint.
 */
export const trimSliceForSpeaker: Trim<V1EndpointSlice> = (s) => {
  trimMetadata(s);
  const md = s.metadata;
  if (md) {
    const owner = md.labels?.[SERVICE_NAME_LABEL];
    delete md.annotations;
    if (owner === undefined) delete md.labels;
    else md.labels = { [SERVICE_NAME_LABEL]: owner };
  }
  delete s.ports;
  s.endpoints = (s.endpoints ?? []).map((e) => {
    const c = e.conditions;
    return {
      addresses: NO_ADDRESSES,
      ...(e.nodeName !== undefined ? { nodeName: e.nodeName } : {}),
      ...(c !== undefined ? { conditions: pick(c, ['ready', 'serving', 'terminating'])! } : {}),
    };
  });
};

/**
 * The controller's Services: what allocation reads (controller/src/service/service-input.ts,
 * relearn.ts) and the whole status: its status patch sends the conditions list in full, so the
 * cached conditions must be the server's.
 */
export const trimServiceForController: Trim<V1Service> = (svc) => {
  trimMetadata(svc);
  const spec = svc.spec;
  if (spec) {
    const kept = pick(spec, ['type', 'loadBalancerClass', 'loadBalancerIP', 'ipFamilies', 'ipFamilyPolicy', 'externalTrafficPolicy', 'selector', 'ports']);
    if (kept?.ports) kept.ports = kept.ports.map((p) => pick(p, ['name', 'protocol', 'port'])! as typeof p);
    svc.spec = kept;
  }
};

/** Nodes: everything but the image list and volumes (kilobytes per node on a real cluster; nobody reads them). */
export const trimNode: Trim<V1Node> = (n) => {
  trimMetadata(n);
  const st = n.status;
  if (st) {
    delete st.images;
    delete st.volumesInUse;
    delete st.volumesAttached;
  }
};
