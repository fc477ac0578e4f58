// The one place the CLI talks to the API server: lists (paged, as kubectl does) into a Snapshot.
// A kind the server does not serve (CRDs not installed) is an error naming it; Secrets that RBAC
// hides are left undefined, and the commands say what that leaves unchecked.
import { CRD_DEFS, GROUP, VERSION } from '@herald/shared/api';
import { listAllPages } from '@herald/shared/k8s';
import { SPEAKER_LEASE_LABEL, SPEAKER_LEASE_LABEL_VALUE } from '@herald/speaker/member-facts';
import { ApiException, CoordinationV1Api, CoreV1Api, CustomObjectsApi, DiscoveryV1Api, type KubeConfig, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { CliError } from '../errors.js';
import { CONFIG_KINDS, type ConfigKind } from '../objects/kinds.js';
import type { Snapshot } from './snapshot.js';

export interface ReadOptions {
  readonly namespace: string;
  /** Read the Events of this Service ("ns/name"). */
  readonly eventsFor?: string;
  /** Read EndpointSlices (discovery.k8s.io/v1; explain needs them, status does not). */
  readonly endpointSlices?: boolean;
  readonly now?: () => number;
}

function describeError(err: unknown): string {
  if (err instanceof ApiException) {
    const body: unknown = err.body;
    let msg = typeof body === 'string' ? body : '';
    try {
      const parsed = JSON.parse(msg) as { message?: unknown };
      if (typeof parsed.message === 'string') msg = parsed.message;
    } catch {
      // not JSON (a plain 404 page): keep the text
    }
    return `HTTP ${err.code}${msg ? `: ${msg.trim().slice(0, 200)}` : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}

async function reading<T>(what: string, server: string, fn: () => Promise<T>, if404 = ''): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const hint = err instanceof ApiException && err.code === 404 && if404 ? ` (${if404})` : '';
    throw new CliError(`cannot list ${what} from ${server}: ${describeError(err)}${hint}`, 2, { cause: err });
  }
}

export async function readCluster(kc: KubeConfig, o: ReadOptions): Promise<Snapshot> {
  const server = kc.getCurrentCluster()?.server ?? '(no server)';
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const coord = kc.makeApiClient(CoordinationV1Api);
  const ns = o.namespace;
  const plural = (kind: string): string => CRD_DEFS.find((d) => d.kind === kind)?.plural ?? kind.toLowerCase();
  const listCustom = <T>(kind: string): Promise<T[]> =>
    reading(`${kind} in ${ns}`, server, async () => {
      const res = await listAllPages<KubernetesObject>(
        (p) => custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: ns, plural: plural(kind), ...p }) as Promise<KubernetesListObject<KubernetesObject>>,
      );
      return res.items as T[];
    }, 'are the Herald CRDs installed?');

  const kinds = Object.keys(CONFIG_KINDS) as ConfigKind[];
  const configLists = await Promise.all(kinds.map((k) => listCustom<unknown>(k)));
  const config = Object.fromEntries(kinds.map((k, i) => [k, configLists[i] ?? []])) as Record<ConfigKind, unknown[]>;

  let secrets: unknown[] | undefined;
  try {
    secrets = (await listAllPages((p) => core.listNamespacedSecret({ namespace: ns, ...p }))).items;
  } catch (err) {
    if (!(err instanceof ApiException && (err.code === 403 || err.code === 401))) {
      throw new CliError(`cannot list Secrets in ${ns} from ${server}: ${describeError(err)}`, 2, { cause: err });
    }
  }

  const [services, endpointSlices, nodes, namespaces, leases, l2Statuses, bgpStatuses, sessions, configurationStates] = await Promise.all([
    reading('Services', server, async () => (await listAllPages((p) => core.listServiceForAllNamespaces(p))).items),
    o.endpointSlices ? reading('EndpointSlices (discovery.k8s.io/v1)', server, async () => (await listAllPages((p) => discovery.listEndpointSliceForAllNamespaces(p))).items, 'the server does not serve discovery.k8s.io/v1 EndpointSlices: Kubernetes 1.21 or newer is needed') : Promise.resolve([]),
    reading('Nodes', server, async () => (await listAllPages((p) => core.listNode(p))).items),
    reading('Namespaces', server, async () => (await listAllPages((p) => core.listNamespace(p))).items),
    reading(`speaker Leases in ${ns}`, server, async () =>
      (await listAllPages((p) => coord.listNamespacedLease({ namespace: ns, labelSelector: `${SPEAKER_LEASE_LABEL}=${SPEAKER_LEASE_LABEL_VALUE}`, ...p }))).items,
    ),
    listCustom<Snapshot['l2Statuses'][number]>('ServiceL2Status'),
    listCustom<Snapshot['bgpStatuses'][number]>('ServiceBGPStatus'),
    listCustom<Snapshot['sessions'][number]>('BGPSessionState'),
    listCustom<Snapshot['configurationStates'][number]>('ConfigurationState'),
  ]);

  let events: Snapshot['events'] = [];
  if (o.eventsFor !== undefined) {
    const [evNs, name] = o.eventsFor.split('/');
    events = await reading(`Events of Service ${o.eventsFor}`, server, async () =>
      (await core.listNamespacedEvent({ namespace: evNs ?? 'default', fieldSelector: `involvedObject.kind=Service,involvedObject.name=${name ?? ''}` })).items,
    );
  }
  return {
    namespace: ns,
    now: (o.now ?? Date.now)(),
    config,
    secrets,
    services,
    endpointSlices,
    nodes,
    namespaces,
    leases,
    l2Statuses,
    bgpStatuses,
    sessions,
    configurationStates,
    events,
  };
}
