// Discovery documents (/api, /apis, group and group/version resource lists, /version) built
// from the registry, so client-node and kubectl find every served resource.

import type { JsonObject } from './json.js';
import type { Registry, ResourceInfo } from './registry.js';

const allVerbs = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function versionDoc(): JsonObject {
  return {
    major: '1', minor: '24', gitVersion: 'v1.24.17-herald', gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean', buildDate: '2026-01-01T00:00:00Z', goVersion: 'go1.20', compiler: 'gc', platform: 'linux/amd64',
  };
}

export function coreVersions(serverAddress: string): JsonObject {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

function groupDoc(name: string, versions: readonly string[]): JsonObject {
  const vs = versions.map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
  return { name, versions: vs, preferredVersion: vs[0] ?? {} };
}

export function groupList(reg: Registry): JsonObject {
  const groups = [...reg.groups()].filter(([g]) => g !== '').map(([g, vs]) => groupDoc(g, vs));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function group(reg: Registry, name: string): JsonObject | undefined {
  const vs = reg.groups().get(name);
  if (vs === undefined || name === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(name, vs) };
}

function resourceDoc(r: ResourceInfo): JsonObject[] {
  const main: JsonObject = {
    name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: allVerbs,
  };
  if (r.shortNames.length > 0) main['shortNames'] = [...r.shortNames];
  const out = [main];
  if (r.statusSubresource) out.push({ name: `${r.resource}/status`, singularName: '', namespaced: r.namespaced, kind: r.kind, verbs: ['get', 'patch', 'update'] });
  return out;
}

export function resourceList(reg: Registry, groupName: string, version: string): JsonObject | undefined {
  const rows = reg.all().filter((r) => r.group === groupName && r.version === version);
  if (rows.length === 0) return undefined;
  return {
    kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupName === '' ? version : `${groupName}/${version}`,
    resources: rows.flatMap(resourceDoc),
  };
}
