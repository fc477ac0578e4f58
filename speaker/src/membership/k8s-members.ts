// The Kubernetes side of the member set: informers on the speaker Leases (by label, in Herald's
// namespace) and on Nodes; every change recomputes the member set (membersFromK8s) and hands it
// on, typically to Membership.setMembers. Our own Lease's updates come through here too: that
// echo is what tells the liveness core its view is fresh.
import { CoordinationV1Api, CoreV1Api, type KubeConfig, type V1Lease, type V1Node } from '@kubernetes/client-node';
import type { Clock } from '@herald/shared/clock';
import { ResilientInformer } from '@herald/shared/k8s';
import type { Logger } from '@herald/shared/log';
import { membersFromK8s, SPEAKER_LEASE_LABEL, SPEAKER_LEASE_LABEL_VALUE, type Members } from './member-facts.js';

export interface K8sMemberSourceOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly onMembers: (m: Members) => void;
}

export class K8sMemberSource {
  private readonly leases: ResilientInformer<V1Lease>;
  private readonly nodes: ResilientInformer<V1Node>;

  constructor(private readonly o: K8sMemberSourceOptions) {
    const coord = o.kubeConfig.makeApiClient(CoordinationV1Api);
    const core = o.kubeConfig.makeApiClient(CoreV1Api);
    const labelSelector = `${SPEAKER_LEASE_LABEL}=${SPEAKER_LEASE_LABEL_VALUE}`;
    this.leases = new ResilientInformer<V1Lease>({
      name: 'speaker-leases',
      kubeConfig: o.kubeConfig,
      path: `/apis/coordination.k8s.io/v1/namespaces/${o.namespace}/leases`,
      list: () => coord.listNamespacedLease({ namespace: o.namespace, labelSelector }),
      labelSelector,
      clock: o.clock,
      log: o.log,
    });
    this.nodes = new ResilientInformer<V1Node>({
      name: 'nodes',
      kubeConfig: o.kubeConfig,
      path: '/api/v1/nodes',
      list: () => core.listNode(),
      clock: o.clock,
      log: o.log,
    });
    for (const inf of [this.leases, this.nodes] as const) {
      inf.on('add', () => this.emit());
      inf.on('update', () => this.emit());
      inf.on('delete', () => this.emit());
    }
  }

  /** Starts both informers; resolves once both have listed, after emitting the first set. */
  async start(): Promise<void> {
    await Promise.all([this.leases.start(), this.nodes.start()]);
    this.emit();
  }

  async stop(): Promise<void> {
    await Promise.all([this.leases.stop(), this.nodes.stop()]);
  }

  /** The member set from the caches now. */
  current(): Members {
    return membersFromK8s(this.leases.list(this.o.namespace), this.nodes.list());
  }

  private emit(): void {
    try {
      this.o.onMembers(this.current());
    } catch (err) {
      this.o.log.error('members-listener-failed', { err });
    }
  }
}
