// The BGPSessionState objects of one node in the API server (status-api.ts, for that kind).
import type { KubeConfig } from '@kubernetes/client-node';
import { k8sStatusApi, type StatusApi } from './status-api.js';

export const SESSION_STATE_PLURAL = 'bgpsessionstates';

/** What the writer needs from the API (tests pass a fake). */
export type SessionStateApi = StatusApi;

export function k8sSessionStateApi(kc: KubeConfig, namespace: string, node: string): SessionStateApi {
  return k8sStatusApi(kc, namespace, node, 'BGPSessionState', SESSION_STATE_PLURAL);
}
