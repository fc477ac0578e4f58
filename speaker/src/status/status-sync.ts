// Keeps this node's status objects of one kind (ServiceL2Status or ServiceBGPStatus) equal to
// the desired set: creates, patches the status subresource, deletes what it no longer backs.
// Writes only on change. The first sync (and the one after any failure) lists the kind to learn
// what exists, so a restarted speaker removes the objects its predecessor left.
import { ApiException, CustomObjectsApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION, GROUP, VERSION } from '@herald/shared/api';
import { errText, mergePatch } from '@herald/shared/k8s';
import type { Logger } from '@herald/shared/log';
import { NODE_LABEL, type StatusObject } from './desired-status.js';

export interface StatusSyncOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly node: string;
  readonly kind: 'ServiceL2Status' | 'ServiceBGPStatus';
  readonly plural: 'servicel2statuses' | 'servicebgpstatuses';
  readonly log: Logger;
}

type WithStatus = KubernetesObject & { status?: Record<string, unknown> };

export class StatusSync {
  private readonly api: CustomObjectsApi;
  /** name -> JSON of the status we know the object has; undefined: re-list first. */
  private known: Map<string, string> | undefined;
  /** Writes done (tests and metrics). */
  writes = 0;

  constructor(private readonly o: StatusSyncOptions) {
    this.api = o.kubeConfig.makeApiClient(CustomObjectsApi);
  }

  private ref(name: string): { group: string; version: string; namespace: string; plural: string; name: string } {
    return { group: GROUP, version: VERSION, namespace: this.o.namespace, plural: this.o.plural, name };
  }

  private async relist(): Promise<Map<string, string>> {
    const list = (await this.api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: this.o.namespace, plural: this.o.plural })) as { items?: WithStatus[] };
    const out = new Map<string, string>();
    for (const it of list.items ?? []) {
      const mine = it.status?.['node'] === this.o.node || it.metadata?.labels?.[NODE_LABEL] === this.o.node;
      if (mine && it.metadata?.name) out.set(it.metadata.name, JSON.stringify(it.status ?? {}));
    }
    return out;
  }

  /** Returns false if a write failed (the caller retries with backoff). */
  async sync(desired: ReadonlyMap<string, StatusObject>): Promise<boolean> {
    try {
      const known = this.known ?? (await this.relist());
      this.known = known;
      for (const [name, want] of desired) {
        const body = JSON.stringify(want.status);
        if (known.get(name) === body) continue;
        if (!known.has(name)) await this.create(want);
        await this.api.patchNamespacedCustomObjectStatus({ ...this.ref(name), body: { status: want.status } }, mergePatch);
        this.writes++;
        known.set(name, body);
      }
      for (const name of [...known.keys()]) {
        if (desired.has(name)) continue;
        try {
          await this.api.deleteNamespacedCustomObject(this.ref(name));
          this.writes++;
        } catch (err) {
          if (!(err instanceof ApiException && err.code === 404)) throw err;
        }
        known.delete(name);
      }
      return true;
    } catch (err) {
      this.known = undefined;
      this.o.log.warn('status-sync-failed', { kind: this.o.kind, err: errText(err) });
      return false;
    }
  }

  private async create(want: StatusObject): Promise<void> {
    try {
      await this.api.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: this.o.namespace,
        plural: this.o.plural,
        body: { apiVersion: API_VERSION, kind: this.o.kind, metadata: { name: want.name, namespace: this.o.namespace, labels: want.labels }, spec: {} },
      });
      this.writes++;
    } catch (err) {
      if (!(err instanceof ApiException && err.code === 409)) throw err;
    }
  }
}
