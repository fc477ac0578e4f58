// The resource registry: one row per served group/version/resource. Built-in kinds are a table;
// CRDs add and remove rows at run time. Everything else (store, handlers, discovery) is driven by it.

import type { JsonObject } from './json.js';

export interface ResourceInfo {
  readonly group: string;
  readonly version: string;
  /** Plural, lower case: `services`. */
  readonly resource: string;
  readonly kind: string;
  readonly listKind: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly statusSubresource: boolean;
  readonly hasGeneration: boolean;
  /** Whether a PUT without metadata.resourceVersion is allowed. */
  readonly unconditionalUpdate: boolean;
  /** Built-ins accept strategic merge patch; custom resources get 415. */
  readonly builtin: boolean;
  /** Field selectors beyond metadata.name and metadata.namespace. */
  readonly fieldSelectors: readonly string[];
  /** Custom resources: the openAPIV3Schema of this version, if any. */
  readonly schema?: JsonObject;
  /** Custom resources: additionalPrinterColumns of this version. */
  readonly printerColumns?: readonly JsonObject[];
  /** Storage key: objects of all versions of one group/resource share it. */
  readonly storeKey: string;
}

interface BuiltinRow {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  status?: boolean;
  generation?: boolean;
  unconditional?: boolean;
  fields?: string[];
  /** Storage shared with another resource (events.k8s.io Events are stored as core Events). */
  storeKey?: string;
}

const eventFields = [
  'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid',
  'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath',
  'reason', 'reportingComponent', 'source', 'type',
];

const builtins: BuiltinRow[] = [
  { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false, shortNames: ['ns'], status: true, fields: ['status.phase'] },
  { group: '', version: 'v1', resource: 'services', kind: 'Service', namespaced: true, shortNames: ['svc'], status: true },
  { group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false, shortNames: ['no'], status: true, fields: ['spec.unschedulable'] },
  { group: '', version: 'v1', resource: 'pods', kind: 'Pod', namespaced: true, shortNames: ['po'], status: true,
    fields: ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.phase', 'status.podIP', 'status.nominatedNodeName'] },
  { group: '', version: 'v1', resource: 'events', kind: 'Event', namespaced: true, shortNames: ['ev'], fields: eventFields },
  { group: '', version: 'v1', resource: 'secrets', kind: 'Secret', namespaced: true, fields: ['type'] },
  { group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true, shortNames: ['cm'] },
  { group: '', version: 'v1', resource: 'endpoints', kind: 'Endpoints', namespaced: true, shortNames: ['ep'] },
  { group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', kind: 'EndpointSlice', namespaced: true, fields: ['addressType'] },
  { group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', namespaced: true, unconditional: false },
  { group: 'events.k8s.io', version: 'v1', resource: 'events', kind: 'Event', namespaced: true, shortNames: ['ev'],
    fields: ['regarding.kind', 'regarding.namespace', 'regarding.name', 'regarding.uid', 'reason', 'type', 'reportingController'], storeKey: '/events' },
  { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', kind: 'CustomResourceDefinition',
    namespaced: false, shortNames: ['crd', 'crds'], status: true, generation: true, unconditional: false },
];

function fromRow(r: BuiltinRow): ResourceInfo {
  return {
    group: r.group, version: r.version, resource: r.resource, kind: r.kind, listKind: `${r.kind}List`,
    singular: r.kind.toLowerCase(), namespaced: r.namespaced, shortNames: r.shortNames ?? [],
    statusSubresource: r.status ?? false, hasGeneration: r.generation ?? false,
    unconditionalUpdate: r.unconditional ?? true, builtin: true, fieldSelectors: r.fields ?? [],
    storeKey: r.storeKey ?? `${r.group}/${r.resource}`,
  };
}

export function apiVersionOf(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return info.group === '' ? info.version : `${info.group}/${info.version}`;
}

export class Registry {
  private readonly rows = new Map<string, ResourceInfo>();
  /** CRD name -> keys of the rows it added. */
  private readonly byCrd = new Map<string, string[]>();

  constructor() {
    for (const r of builtins) this.add(fromRow(r));
  }

  private static key(group: string, version: string, resource: string): string {
    return `${group}/${version}/${resource}`;
  }

  private add(info: ResourceInfo): string {
    const k = Registry.key(info.group, info.version, info.resource);
    this.rows.set(k, info);
    return k;
  }

  lookup(group: string, version: string, resource: string): ResourceInfo | undefined {
    return this.rows.get(Registry.key(group, version, resource));
  }

  /** Whether a built-in resource is served at this group/version (CRDs' group/versions are not). */
  servesBuiltin(group: string, version: string): boolean {
    for (const r of this.rows.values()) if (r.builtin && r.group === group && r.version === version) return true;
    return false;
  }

  all(): ResourceInfo[] {
    return [...this.rows.values()];
  }

  /** group -> versions, in first-registered order (the first is preferred). */
  groups(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const r of this.rows.values()) {
      const vs = out.get(r.group) ?? [];
      if (!vs.includes(r.version)) vs.push(r.version);
      out.set(r.group, vs);
    }
    return out;
  }

  /** Replaces the rows of one CRD (on create and update). */
  setCrd(crdName: string, infos: readonly ResourceInfo[]): void {
    this.removeCrd(crdName);
    this.byCrd.set(crdName, infos.map((i) => this.add(i)));
  }

  removeCrd(crdName: string): void {
    for (const k of this.byCrd.get(crdName) ?? []) this.rows.delete(k);
    this.byCrd.delete(crdName);
  }
}
