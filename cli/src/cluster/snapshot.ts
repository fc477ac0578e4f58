// What the CLI reads from the API server, as one plain value. The pure parts (status, explain,
// validate --cluster) take a Snapshot and nothing else, so tests feed them fixed objects and the
// golden output cannot depend on a live cluster's timing. `now` is part of it: uptimes and Lease
// expiry are judged against it.
import type { V1beta1BGPSessionState, V1beta1ConfigurationState, V1beta1ServiceBGPStatus, V1beta1ServiceL2Status } from '@herald/shared/api';
import type { CoreV1Event, V1EndpointSlice, V1Lease, V1Namespace, V1Node, V1Service } from '@kubernetes/client-node';
import type { ConfigKind } from '../objects/kinds.js';

export interface Snapshot {
  /** Herald's namespace. */
  readonly namespace: string;
  /** Wall-clock milliseconds when it was read. */
  readonly now: number;
  readonly config: Readonly<Record<ConfigKind, readonly unknown[]>>;
  /** undefined: not readable (no RBAC for Secrets); BGPPeer passwords are then not checked. */
  readonly secrets: readonly unknown[] | undefined;
  readonly services: readonly V1Service[];
  /** Empty unless asked for (explain). */
  readonly endpointSlices: readonly V1EndpointSlice[];
  readonly nodes: readonly V1Node[];
  readonly namespaces: readonly V1Namespace[];
  /** The speakers' Leases (herald-speaker-<node>) in Herald's namespace. */
  readonly leases: readonly V1Lease[];
  readonly l2Statuses: readonly V1beta1ServiceL2Status[];
  readonly bgpStatuses: readonly V1beta1ServiceBGPStatus[];
  readonly sessions: readonly V1beta1BGPSessionState[];
  readonly configurationStates: readonly V1beta1ConfigurationState[];
  /** Events of the Service being explained (empty for other commands). */
  readonly events: readonly CoreV1Event[];
}
