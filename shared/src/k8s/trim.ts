// What an informer drops from each object before caching it, as client-go's informers do with a
// transform (controller-runtime strips managedFields by default). A real kube-apiserver attaches
// managedFields to every object, one entry per field manager, often larger than the object's
// spec and status together; `kubectl apply` without --server-side also stores the whole object
// again in the last-applied annotation. Herald never reads either, and with 10,000 Services and
// their EndpointSlices in every speaker's cache they are most of its heap.
import type { KubernetesObject } from '@kubernetes/client-node';

export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

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
