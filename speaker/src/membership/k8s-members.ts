// The Kubernetes side of the member set: an informer on the speaker Leases (by label, in Herald's
// namespace, listed in pages) and the Nodes the speaker already watches; every change of either
// recomputes the member set (membersFromK8s) and hands it on, to Membership.setMembers. Our own
// Lease's updates come through here too: that echo is what tells the liveness core its view is
// fresh. The Leases go on the client given here: main.ts gives it a client (and a rate limit) of
// its own, so a renewal's echo never queues behind bulk writes.
import { CoordinationV1Api, type KubeConfig, type V1Lease, type V1Node } from '@kubernetes/client-node';
import type { Clock } from '@herald/shared/clock';
import { ResilientInformer } from '@herald/shared/k8s';
import type { Logger } from '@herald/shared/log';
import { membersFromK8s, SPEAKER_LEASE_LABEL, SPEAKER_LEASE_LABEL_VALUE, type Members } from './member-facts.js';

export interface K8sMemberSourceOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  /** The Nodes now (the speaker's own Node informer: no second watch of every Node). */
  readonly nodes: () => readonly V1Node[];
  readonly clock: Clock;
  readonly log: Logger;
  readonly onMembers: (m: Members) => void;
}

export class K8sMemberSource {
  private readonly leases: ResilientInformer<V1Lease>;

  constructor(private readonly o: K8sMemberSourceOptions) {
    const coord = o.kubeConfig.makeApiClient(CoordinationV1Api);
    const labelSelector = `${SPEAKER_LEASE_LABEL}=${SPEAKER_LEASE_LABEL_VALUE}`;
    this.leases = new ResilientInformer<V1Lease>({
      name: 'speaker-leases',
      kubeConfig: o.kubeConfig,
      path: `/apis/coordination.k8s.io/v1/namespaces/${o.namespace}/leases`,
      labelSelector,
      list: (page) => coord.listNamespacedLease({ namespace: o.namespace, labelSelector, ...page }),
      clock: o.clock,
      log: o.log,
    });
    for (const ev of ['add', 'update', 'delete'] as const) this.leases.on(ev, () => this.nodesChanged());
  }

  /** Starts the Lease informer; resolves once it has listed, after emitting the first set. */
  async start(): Promise<void> {
    await this.leases.start();
    this.nodesChanged();
  }

  async stop(): Promise<void> {
    await this.leases.stop();
  }

  /** The member set from the caches now. */
  current(): Members {
    return membersFromK8s(this.leases.list(this.o.namespace), this.o.nodes());
  }

  /** Recompute and hand on the member set: on every Lease event, and when the Nodes change. */
  nodesChanged(): void {
    try {
      this.o.onMembers(this.current());
    } catch (err) {
      this.o.log.error('members-listener-failed', { err });
    }
  }
}
