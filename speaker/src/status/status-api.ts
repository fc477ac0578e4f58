// One node's status objects of one kind in the API server (ServiceL2Status, ServiceBGPStatus,
// BGPSessionState): list (by the herald.dev/node label, in pages), create, patch the status
// subresource, delete. The thin Kubernetes shell under the writers.
import { ApiException, CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION, GROUP, VERSION } from '@herald/shared/api';
import { mergePatch } from '@herald/shared/k8s';
import { NODE_LABEL, type StatusObject } from './desired-status.js';

/** What a writer needs from the API (tests pass a fake). */
export interface StatusApi {
  /** This node's objects: name -> status (an empty object when it has none yet). */
  list(): Promise<Map<string, Record<string, unknown>>>;
  /** Creates the object with an empty status; an existing one is fine. */
  create(o: StatusObject): Promise<void>;
  /** JSON merge patch of the status subresource (a null removes a field). */
  patchStatus(name: string, status: Readonly<Record<string, unknown>>): Promise<void>;
  /** Deletes the object; a missing one is fine. */
  delete(name: string): Promise<void>;
}

type WithStatus = KubernetesObject & { status?: Record<string, unknown> };
type ListPage = { items?: WithStatus[]; metadata?: { continue?: string } };

const is = (err: unknown, code: number): boolean => err instanceof ApiException && err.code === code;

/** Lists are read in pages of this many (kube-apiserver's clients' habit; kubectl uses 500). */
export const LIST_PAGE = 500;

export function k8sStatusApi(kc: KubeConfig, namespace: string, node: string, kind: string, plural: string): StatusApi {
  const api = kc.makeApiClient(CustomObjectsApi);
  const ref = { group: GROUP, version: VERSION, namespace, plural };
  return {
    async list() {
      // Label values stop at 63 characters; a longer node name is found by its status.
      const byLabel = node.length <= 63;
      const out = new Map<string, Record<string, unknown>>();
      let cont: string | undefined;
      for (let page = 0; page < 100_000; page++) {
        const list = (await api.listNamespacedCustomObject({ ...ref, ...(byLabel ? { labelSelector: `${NODE_LABEL}=${node}` } : {}), limit: LIST_PAGE, ...(cont ? { _continue: cont } : {}) })) as ListPage;
        for (const it of list.items ?? []) {
          const mine = it.metadata?.labels?.[NODE_LABEL] === node || it.status?.['node'] === node;
          if (mine && it.metadata?.name) out.set(it.metadata.name, it.status ?? {});
        }
        cont = list.metadata?.continue || undefined;
        if (!cont) break;
      }
      return out;
    },
    async create(o) {
      try {
        await api.createNamespacedCustomObject({ ...ref, body: { apiVersion: API_VERSION, kind, metadata: { name: o.name, namespace, labels: { ...o.labels } }, spec: {} } });
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
