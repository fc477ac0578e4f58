// Objects the e2e tests apply: Herald config objects, and Nodes that report Ready.
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { API_VERSION, DEFAULT_NAMESPACE, mergePatch } from '@herald/shared';
import { applyObjects, type AnyObject } from '@herald/lab';

/** A herald.dev object of this kind, in Herald's namespace unless told otherwise. */
export function heraldObject(kind: string, name: string, spec: Record<string, unknown>, namespace = DEFAULT_NAMESPACE): AnyObject {
  return { apiVersion: API_VERSION, kind, metadata: { name, namespace }, spec };
}

/** Nodes labelled with their hostname, each with a Ready condition in its status. */
export async function readyNodes(kc: KubeConfig, names: readonly string[]): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  for (const name of names) {
    await applyObjects(kc, [{ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } } }]);
    await core.patchNodeStatus({ name, body: { status: { conditions: [{ type: 'Ready', status: 'True' }] } } }, mergePatch);
  }
}
