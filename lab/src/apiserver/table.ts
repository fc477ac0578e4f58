// Server-side printing: `Accept: application/json;as=Table;g=meta.k8s.io;v=v1` answers with a
// meta.k8s.io/v1 Table, so `kubectl get` shows the usual columns (a Service's EXTERNAL-IP, ...).

import { arrAt, getPath, isObject, objAt, strAt, text, type Json, type JsonObject } from './json.js';
import type { ResourceInfo } from './registry.js';

export function wantsTable(accept: string | undefined): boolean {
  return accept !== undefined && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

interface Column {
  name: string;
  type: string;
  format?: string;
  priority?: number;
  cell: (o: JsonObject, now: number) => Json;
}

/** kubectl's HumanDuration. */
export function age(created: string | undefined, now: number): string {
  if (created === undefined) return '<unknown>';
  const s = Math.max(0, Math.floor((now - Date.parse(created)) / 1000));
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  const d = Math.floor(h / 24);
  if (s < 120) return `${s}s`;
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  if (h < 192) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (d < 365 * 2) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

const md = (o: JsonObject): JsonObject => objAt(o, 'metadata');
const nameCol: Column = { name: 'Name', type: 'string', format: 'name', cell: (o) => strAt(md(o), 'name') ?? '' };
const ageCol: Column = { name: 'Age', type: 'string', cell: (o, now) => age(strAt(md(o), 'creationTimestamp'), now) };

function servicePorts(o: JsonObject): string {
  const ps = arrAt(objAt(o, 'spec'), 'ports').filter(isObject);
  if (ps.length === 0) return '<none>';
  return ps.map((p) => `${text(p['port'])}${p['nodePort'] !== undefined ? `:${text(p['nodePort'])}` : ''}/${strAt(p, 'protocol') ?? 'TCP'}`).join(',');
}

function externalIp(o: JsonObject): string {
  const spec = objAt(o, 'spec');
  const ing = arrAt(objAt(objAt(o, 'status'), 'loadBalancer'), 'ingress').filter(isObject).map((i) => strAt(i, 'ip') ?? strAt(i, 'hostname') ?? '');
  const ext = arrAt(spec, 'externalIPs').filter((x): x is string => typeof x === 'string');
  const all = [...ing, ...ext].filter((x) => x !== '');
  if (all.length > 0) return all.join(',');
  if (spec['type'] === 'LoadBalancer') return '<pending>';
  if (spec['type'] === 'ExternalName') return strAt(spec, 'externalName') ?? '<none>';
  return '<none>';
}

function nodeStatus(o: JsonObject): string {
  const ready = arrAt(objAt(o, 'status'), 'conditions').filter(isObject).find((c) => c['type'] === 'Ready');
  const s = ready === undefined ? 'Unknown' : ready['status'] === 'True' ? 'Ready' : 'NotReady';
  return objAt(o, 'spec')['unschedulable'] === true ? `${s},SchedulingDisabled` : s;
}

function columnsFor(info: ResourceInfo): Column[] {
  if (info.group === '' && info.resource === 'services') {
    return [nameCol,
      { name: 'Type', type: 'string', cell: (o) => strAt(objAt(o, 'spec'), 'type') ?? '' },
      { name: 'Cluster-IP', type: 'string', cell: (o) => strAt(objAt(o, 'spec'), 'clusterIP') ?? '<none>' },
      { name: 'External-IP', type: 'string', cell: externalIp },
      { name: 'Port(s)', type: 'string', cell: servicePorts },
      ageCol];
  }
  if (info.group === '' && info.resource === 'nodes') {
    return [nameCol, { name: 'Status', type: 'string', cell: nodeStatus }, { name: 'Roles', type: 'string', cell: () => '<none>' }, ageCol,
      { name: 'Version', type: 'string', cell: (o) => text(getPath(o, ['status', 'nodeInfo', 'kubeletVersion'])) }];
  }
  if (info.group === '' && info.resource === 'pods') {
    return [nameCol, { name: 'Status', type: 'string', cell: (o) => strAt(objAt(o, 'status'), 'phase') ?? '' },
      { name: 'Node', type: 'string', cell: (o) => strAt(objAt(o, 'spec'), 'nodeName') ?? '<none>' }, ageCol];
  }
  if (info.group === 'coordination.k8s.io') {
    return [nameCol, { name: 'Holder', type: 'string', cell: (o) => strAt(objAt(o, 'spec'), 'holderIdentity') ?? '' }, ageCol];
  }
  const pcs = info.printerColumns ?? [];
  if (pcs.length > 0) {
    return [nameCol, ...pcs.map((pc): Column => {
      const path = (strAt(pc, 'jsonPath') ?? '').replace(/^\./, '').split('.').filter((x) => x !== '');
      return {
        name: strAt(pc, 'name') ?? '', type: strAt(pc, 'type') ?? 'string', priority: typeof pc['priority'] === 'number' ? pc['priority'] : 0,
        cell: (o, now) => {
          const v = getPath(o, path);
          if (pc['type'] === 'date' && typeof v === 'string') return age(v, now);
          return v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : v;
        },
      };
    })];
  }
  return [nameCol, ageCol];
}

/** `listMeta`: the list's metadata (resourceVersion, continue, remainingItemCount), kept as is. */
export function toTable(info: ResourceInfo, items: readonly JsonObject[], listMeta: JsonObject | undefined): JsonObject {
  const cols = columnsFor(info);
  const now = Date.now();
  const table: JsonObject = {
    kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: listMeta === undefined ? {} : { ...listMeta },
    columnDefinitions: cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: '', priority: c.priority ?? 0 })),
    rows: items.map((o) => ({
      cells: cols.map((c) => c.cell(o, now)),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: md(o) },
    })),
  };
  return table;
}
