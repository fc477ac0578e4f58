// The BGPSessionState objects of one node in the API server: list (by the herald.dev/node
// label), create, patch the status subresource, delete. The thin k8s shell under the writer.
import { ApiException, CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION, GROUP, VERSION } from '@herald/shared/api';
import { mergePatch } from '@herald/shared/k8s';
import { NODE_LABEL, type StatusObject } from './desired-status.js';

export const SESSION_STATE_PLURAL = 'bgpsessionstates';

/** What the writer needs from the API (tests pass a fake). */
export interface SessionStateApi {
  /** This node's objects: name -> status (an empty object when it has none yet). */
  list(): Promise<Map<string, Record<string, unknown>>>;
  /** Creates the object with an empty status; an existing one is fine. */
  create(o: StatusObject): Promise<void>;
  /** JSON merge patch of the status subresource (a null removes a field). */
  patchStatus(name: string, status: Record<string, unknown>): Promise<void>;
  /** Deletes the object; a missing one is fine. */
  delete(name: string): Promise<void>;
}

type WithStatus = KubernetesObject & { status?: Record<string, unknown> };

const is = (err: unknown, code: number): boolean => err instanceof ApiException && err.code === code;

export function k8sSessionStateApi(kc: KubeConfig, namespace: string, node: string): SessionStateApi {
  const api = kc.makeApiClient(CustomObjectsApi);
  const ref = { group: GROUP, version: VERSION, namespace, plural: SESSION_STATE_PLURAL };
  return {
    async list() {
      // Label values stop at 63 characters; a longer node name is found by its status.
      const byLabel = node.length <= 63;
      const list = (await api.listNamespacedCustomObject({ ...ref, ...(byLabel ? { labelSelector: `${NODE_LABEL}=${node}` } : {}) })) as { items?: WithStatus[] };
      const out = new Map<string, Record<string, unknown>>();
      for (const it of list.items ?? []) {
        const mine = it.metadata?.labels?.[NODE_LABEL] === node || it.status?.['node'] === node;
        if (mine && it.metadata?.name) out.set(it.metadata.name, it.status ?? {});
      }
      return out;
    },
    async create(o) {
      try {
        await api.createNamespacedCustomObject({
          ...ref,
          body: { apiVersion: API_VERSION, kind: 'BGPSessionState', metadata: { name: o.name, namespace, labels: { ...o.labels } }, spec: {} },
        });
      } catch (err) {
        if (!is(err, 409)) throw err;
      }
    },
    async patchStatus(name, status) {
      await api.patchNamespacedCustomObjectStatus({ ...ref, name, body: { status } }, mergePatch);
    },
    async delete(name) {
      try {
        await api.deleteNamespacedCustomObject({ ...ref, name });
      } catch (err) {
        if (!is(err, 404)) throw err;
      }
    },
  };
}
